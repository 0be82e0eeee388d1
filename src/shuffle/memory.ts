// How much memory shuffles and aggregations may hold before they spill to disk, and how big a
// value is on the heap (estimated, as Spark's SizeEstimator does: a walk of the value).
import { getHeapStatistics } from "node:v8";

/**
 * The execution memory of one context: `spark.memory.fraction` of the heap limit (Spark's rule,
 * less Node's smaller reserve). Half is for shuffle outputs waiting for their reduce side, half
 * for the one task the driver's thread runs at a time (its map-side buffers, its reduce-side map).
 */
export class MemoryBudget {
  constructor(readonly bytes: number) {}

  /** From the conf: `spark.memory.fraction` (0.6) of the heap limit less 64 MB, or `spark.sluice.memory.bytes`. */
  static fromConf(get: (key: string) => string | undefined): MemoryBudget {
    const fixed = get("spark.sluice.memory.bytes");
    if (fixed !== undefined) {
      const n = Number(fixed);
      if (!(n > 0)) throw new RangeError(`spark.sluice.memory.bytes must be a positive number of bytes, got ${fixed}`);
      return new MemoryBudget(n);
    }
    const fraction = Number(get("spark.memory.fraction") ?? "0.6");
    if (!(fraction > 0 && fraction <= 1))
      throw new RangeError(`spark.memory.fraction must be in (0, 1], got ${get("spark.memory.fraction")}`);
    const heap = getHeapStatistics().heap_size_limit;
    return new MemoryBudget(Math.max(16 * 2 ** 20, Math.floor((heap - 64 * 2 ** 20) * fraction)));
  }

  /** What shuffle outputs may hold in memory, together. */
  get storeBytes(): number {
    return Math.floor(this.bytes / 2);
  }

  /** What one task's shuffle buffers or reduce-side map may hold. */
  get taskBytes(): number {
    return Math.floor(this.bytes / 2);
  }
}

/**
 * The heap size of `v` in bytes, roughly: a walk of its structure (long arrays, maps and sets
 * are sampled and scaled). Used on samples of records, so it need not be exact.
 */
export function estimateSize(v: unknown, depth = 0): number {
  switch (typeof v) {
    case "number":
      return Number.isInteger(v) && Math.abs(v) < 2 ** 30 ? 8 : 24;
    case "string":
      return 24 + v.length;
    case "boolean":
    case "undefined":
      return 8;
    case "bigint":
      return 24 + 8 * Math.ceil(v.toString(16).length / 16);
    case "object":
      break;
    default:
      return 32;
  }
  if (v === null) return 8;
  if (depth > 4) return 64;
  if (Array.isArray(v)) return 32 + 8 * v.length + sampled(v, v.length, depth);
  if (ArrayBuffer.isView(v)) return 96 + v.byteLength;
  if (v instanceof Map)
    return 64 + 48 * v.size + sampled([...v.keys()], v.size, depth) + sampled([...v.values()], v.size, depth);
  if (v instanceof Set) return 64 + 32 * v.size + sampled([...v], v.size, depth);
  if (v instanceof Date) return 32;
  const keys = Object.keys(v);
  let size = 32 + 8 * keys.length;
  for (const k of keys) size += estimateSize((v as Record<string, unknown>)[k], depth + 1);
  return size;
}

/** The children's size: all of a short list, a sample of a long one scaled up. */
function sampled(items: readonly unknown[], count: number, depth: number): number {
  const n = items.length;
  if (n <= 16) {
    let s = 0;
    for (let i = 0; i < n; i++) s += estimateSize(items[i], depth + 1);
    return s;
  }
  let s = 0;
  const step = n / 16;
  for (let i = 0; i < 16; i++) s += estimateSize(items[Math.floor(i * step)], depth + 1);
  return (s / 16) * count;
}

/**
 * The records that went into a collection and their average size, from samples: the caller
 * counts records and, every so often, hands one over with how many it counted since, so that
 * tracking costs a counter per record.
 */
export class SizeTracker {
  /** A counter for the caller (it samples one record in so many). */
  count = 0;
  /** Records counted since the last reset. */
  records = 0;
  /** The average size of a record's key and of its value. */
  keyBytes = 0;
  valueBytes = 0;
  private sampled = false;

  /** Measures `key` and `value`, one of the `counted` records added since the last call. */
  sample(key: unknown, value: unknown, counted: number): this {
    this.records += counted;
    const k = estimateSize(key);
    const v = estimateSize(value);
    this.keyBytes = this.sampled ? this.keyBytes * 0.9 + k * 0.1 : k;
    this.valueBytes = this.sampled ? this.valueBytes * 0.9 + v * 0.1 : v;
    this.sampled = true;
    return this;
  }

  reset(): void {
    this.records = 0;
  }
}

/** A map entry's own cost beyond its key and value (the holder object and the hash table slot). */
export const ENTRY_OVERHEAD = 64;
