import { createRequire } from "node:module";

const load = createRequire(import.meta.url);

/**
 * A package loaded on first use rather than when Sluice is imported, so a job pays only for the
 * clients it uses (the Kafka client alone takes ~0.6 s to load, and every job start, recovery
 * included, would pay it). Works for CommonJS and ES-module packages (Node >= 20.19).
 */
export function lazyModule<T>(name: string): () => T {
  let mod: T | undefined;
  return () => (mod ??= load(name) as T);
}

/**
 * A value made asynchronously on first use and kept (a connection, a bucket); an attempt that
 * fails is forgotten, so the next use tries again instead of failing for ever.
 */
export class RetryingOnce<T> {
  private attempt: Promise<T> | undefined;

  constructor(private readonly make: () => Promise<T>) {}

  get(): Promise<T> {
    if (!this.attempt) {
      const attempt = this.make();
      this.attempt = attempt;
      attempt.catch(() => {
        if (this.attempt === attempt) this.attempt = undefined;
      });
    }
    return this.attempt;
  }

  /** Forgets the value and hands back the attempt that made it, if any (to close it). */
  take(): Promise<T> | undefined {
    const attempt = this.attempt;
    this.attempt = undefined;
    return attempt;
  }
}
