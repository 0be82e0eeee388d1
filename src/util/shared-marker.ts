/**
 * How a broadcast variable or an accumulator tells the code that ships closures what it is,
 * without that code importing their classes (they live in `core/`, above the scheduler).
 */
export const SHARED_VARIABLE = Symbol.for("sluice.sharedVariable");

/** What a shared variable says about itself under `SHARED_VARIABLE`. */
export type SharedVariableInfo =
  | { readonly kind: "broadcast"; readonly id: number; readonly value: () => unknown; readonly destroyed: boolean }
  | { readonly kind: "accumulator"; readonly id: number; readonly add: (term: number) => void };

/** The shared variable `v` is, if it is one. */
export function sharedVariableOf(v: unknown): SharedVariableInfo | undefined {
  if (typeof v !== "object" || v === null) return undefined;
  const info = (v as { [SHARED_VARIABLE]?: () => SharedVariableInfo })[SHARED_VARIABLE];
  return typeof info === "function" ? info.call(v) : undefined;
}
