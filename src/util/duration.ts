import { IllegalArgumentError } from "./errors.js";

/** Seconds as a number, for readability: `Seconds(3)` is 3. */
export const Seconds = (n: number): number => n;
/** Milliseconds expressed in seconds: `Milliseconds(500)` is 0.5. */
export const Milliseconds = (n: number): number => n / 1000;
/** Minutes expressed in seconds: `Minutes(2)` is 120. */
export const Minutes = (n: number): number => n * 60;

/**
 * A user's duration in seconds as whole milliseconds > 0; anything else (zero, negative,
 * not a number, finer than a millisecond) throws, naming `what` and the value.
 */
export function toMillis(seconds: number, what: string): number {
  if (typeof seconds !== "number" || !Number.isFinite(seconds)) {
    throw new IllegalArgumentError(`${what} must be a number of seconds, got ${String(seconds)}`);
  }
  const ms = Math.round(seconds * 1000);
  if (ms <= 0) throw new IllegalArgumentError(`${what} must be > 0 seconds, got ${seconds}`);
  if (Math.abs(ms - seconds * 1000) > 1e-6) {
    throw new IllegalArgumentError(`${what} ${seconds}s is not a whole number of milliseconds`);
  }
  return ms;
}

/** Milliseconds as seconds text for messages: `3000` → `3s`, `500` → `0.5s`. */
export function formatSeconds(ms: number): string {
  return `${ms / 1000}s`;
}

/**
 * A window or slide duration in ms that must be a positive multiple of `parentSlideMs`;
 * anything else throws naming both values.
 */
export function toMultipleOf(seconds: number, parentSlideMs: number, what: string): number {
  const ms = toMillis(seconds, what);
  if (ms % parentSlideMs !== 0) {
    throw new IllegalArgumentError(
      `${what} ${formatSeconds(ms)} is not a multiple of the parent's slide ${formatSeconds(parentSlideMs)}`,
    );
  }
  return ms;
}
