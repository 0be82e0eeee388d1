// Helpers a job imports from another module, as users' jobs do: module-level constants, a
// function calling another, a namespace of functions.
const SUFFIX = "!";
const VOWELS = /[aeiou]/g;

/** Counts vowels (reads a module-level regular expression). */
export function vowels(word: string): number {
  return (word.match(VOWELS) ?? []).length;
}

/** Shouts a word (calls a helper of this module, which reads a constant). */
export const shout = (word: string): string => mark(word.toUpperCase());

function mark(s: string): string {
  return s + SUFFIX;
}

/** A recursive helper. */
export function digits(n: number): number {
  return n < 10 ? 1 : 1 + digits(Math.floor(n / 10));
}
