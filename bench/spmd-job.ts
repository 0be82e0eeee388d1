// The word count's functions, as the job module both the driver and SPMD workers import: the
// plain job's, and the closure job's (a stop-word Set and a helper, module-level).
/** The 20 commonest words of the generated text (its vocabulary is skewed towards the first). */
export const STOP_WORDS = new Set(Array.from({ length: 20 }, (_, i) => `w${i.toString(36)}`));
const LAST_DIGIT = /[0-9]$/;
/** Drops a word's last digit (a stand-in for a real stemmer: a regular expression per word). */
export function stem(word: string): string {
  return word.replace(LAST_DIGIT, "");
}

export const functionsById: Record<string, (...args: never[]) => unknown> = {
  split: (l: string) => l.split(" "),
  nonEmpty: (w: string) => w.length > 0,
  pair: (w: string) => [w, 1],
  first: (v: number) => v,
  add: (a: number, b: number) => a + b,
  keep: (w: string) => w.length > 0 && !STOP_WORDS.has(w),
  stemPair: (w: string) => [stem(w), 1],
};
