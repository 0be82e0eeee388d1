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
