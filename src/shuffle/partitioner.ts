import { IllegalArgumentError } from "../util/errors.js";
import { compareValues } from "../util/compare.js";
import { nonNegativeMod, stableHash } from "../util/hash.js";

/** Maps a key to a partition index in `[0, numPartitions)`. */
export interface Partitioner {
  readonly numPartitions: number;
  getPartition(key: unknown): number;
  /** Equal partitioners place every key alike, so a shuffle onto one can be skipped. */
  equals(other: Partitioner | undefined): boolean;
  /** Work before the first key is placed (sampling, for range partitioning). */
  prepare?(): Promise<void>;
}

/** Checks a partition count given by a user, naming the call. */
export function checkPartitionCount(n: number, what: string): number {
  if (!Number.isInteger(n) || n < 1)
    throw new IllegalArgumentError(`${what}: number of partitions must be a whole number >= 1, got ${n}`);
  return n;
}

/** Places a key by a stable hash of its value (`portable_hash(key) % n`). */
export class HashPartitioner implements Partitioner {
  constructor(readonly numPartitions: number) {
    checkPartitionCount(numPartitions, "HashPartitioner");
  }

  getPartition(key: unknown): number {
    return this.numPartitions === 1 ? 0 : nonNegativeMod(stableHash(key), this.numPartitions);
  }

  equals(other: Partitioner | undefined): boolean {
    return other instanceof HashPartitioner && other.numPartitions === this.numPartitions;
  }
}

/** Places a key by a user's function of the key, as PySpark's `partitionFunc`. */
export class FunctionPartitioner implements Partitioner {
  constructor(
    readonly numPartitions: number,
    private readonly fn: (key: unknown) => number,
  ) {
    checkPartitionCount(numPartitions, "partitionBy");
  }

  getPartition(key: unknown): number {
    const h = this.fn(key);
    if (!Number.isFinite(h)) throw new IllegalArgumentError(`partitionFunc returned ${h} for key ${String(key)}`);
    return nonNegativeMod(Math.trunc(h), this.numPartitions);
  }

  equals(other: Partitioner | undefined): boolean {
    return other instanceof FunctionPartitioner && other.fn === this.fn && other.numPartitions === this.numPartitions;
  }
}

/**
 * Places keys in sorted ranges, for `sortByKey`: bounds come from a sample of the keys
 * taken by `prepare()` just before the shuffle runs.
 */
export class RangePartitioner implements Partitioner {
  private bounds: unknown[] | undefined;

  constructor(
    readonly numPartitions: number,
    private readonly sampleKeys: (() => Promise<unknown[]>) | undefined,
    private readonly ascending: boolean,
    private readonly keyfunc: (k: unknown) => unknown,
  ) {
    checkPartitionCount(numPartitions, "sortByKey");
  }

  async prepare(): Promise<void> {
    if (this.bounds || this.numPartitions === 1 || !this.sampleKeys) {
      this.bounds ??= [];
      return;
    }
    const sample = (await this.sampleKeys()).map(this.keyfunc).sort(compareValues);
    const bounds: unknown[] = [];
    for (let i = 1; i < this.numPartitions && sample.length > 0; i++) {
      const b = sample[Math.min(sample.length - 1, Math.floor((i * sample.length) / this.numPartitions))];
      if (bounds.length === 0 || compareValues(b, bounds[bounds.length - 1]) > 0) bounds.push(b);
    }
    this.bounds = bounds;
  }

  getPartition(key: unknown): number {
    const bounds = this.bounds;
    if (!bounds) throw new Error("RangePartitioner used before prepare()");
    const k = this.keyfunc(key);
    let lo = 0;
    let hi = bounds.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareValues(k, bounds[mid]) > 0) lo = mid + 1;
      else hi = mid;
    }
    return this.ascending ? lo : this.numPartitions - 1 - lo;
  }

  equals(other: Partitioner | undefined): boolean {
    return other === this;
  }
}
