// The word count's functions, as the job module both the driver and SPMD workers import.
export const functionsById: Record<string, (...args: never[]) => unknown> = {
  split: (l: string) => l.split(" "),
  nonEmpty: (w: string) => w.length > 0,
  pair: (w: string) => [w, 1],
  first: (v: number) => v,
  add: (a: number, b: number) => a + b,
};
