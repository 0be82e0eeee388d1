/**
 * A total order over plain values for sorting, close to Python's: numbers numerically,
 * strings by code unit, arrays (tuples) element by element, dates by time. Values of
 * different kinds order by kind: null/undefined, booleans, numbers, strings, arrays, others.
 */
export function compareValues(a: unknown, b: unknown): number {
  if (typeof a === "number" && typeof b === "number") return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === "string" && typeof b === "string") return a < b ? -1 : a > b ? 1 : 0;
  const ka = kindRank(a);
  const kb = kindRank(b);
  if (ka !== kb) return ka - kb;
  switch (ka) {
    case 0:
      return 0;
    case 1:
      return Number(a) - Number(b);
    case 2: {
      const x = a as number | bigint;
      const y = b as number | bigint;
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case 4:
      return compareArrays(a as unknown[], b as unknown[]);
    case 5:
      return (a as Date).getTime() - (b as Date).getTime();
    default: {
      const sa = JSON.stringify(a);
      const sb = JSON.stringify(b);
      return sa < sb ? -1 : sa > sb ? 1 : 0;
    }
  }
}

function kindRank(v: unknown): number {
  if (v === null || v === undefined) return 0;
  switch (typeof v) {
    case "boolean":
      return 1;
    case "number":
    case "bigint":
      return 2;
    case "string":
      return 3;
    default:
      if (Array.isArray(v)) return 4;
      if (v instanceof Date) return 5;
      return 6;
  }
}

function compareArrays(a: unknown[], b: unknown[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareValues(a[i], b[i]);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

/** A comparator on `key(x)`, reversed when `ascending` is false. */
export function comparatorBy<T>(key: (x: T) => unknown = (x) => x, ascending = true): (a: T, b: T) => number {
  return ascending ? (a, b) => compareValues(key(a), key(b)) : (a, b) => compareValues(key(b), key(a));
}
