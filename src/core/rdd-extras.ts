import { spawnSync } from "node:child_process";
import { pyStr } from "../util/py-format.js";
import { FunctionPartitioner, HashPartitioner } from "../shuffle/partitioner.js";
import { IllegalArgumentError, SluiceError } from "../util/errors.js";
import { compareValues } from "../util/compare.js";
import { stableHash } from "../util/hash.js";
import { KeyedMap } from "../util/keyed-map.js";
import { partitionSeed, SeededRandom } from "../util/random.js";
import * as actions from "./actions.js";
import { cogroupMany, defaultPartitioner, partitionBy } from "./pair-functions.js";
import type { RDD } from "./rdd.js";
import { MapPartitionsNode } from "./rdds/pipelined.js";

// PySpark RDD methods that the first wave left out: random splits and samples, tree
// aggregation, histograms, local reductions, groupWith, sorted repartitioning, a local
// iterator, pipe and countApproxDistinct. Results follow PySpark's doctests; random choices use Sluice's own seeded generator
// (the same seed gives the same split, not the records Python's generator would pick).

/** `rdd` split at random by `weights` (normalized): the same seed puts every record in exactly one part. */
export function randomSplit<T>(rdd: RDD<T>, weights: number[], seed: number): RDD<T>[] {
  if (weights.length === 0 || weights.some((w) => !(w >= 0))) {
    throw new IllegalArgumentError(`randomSplit weights must be numbers >= 0, got [${weights.join(", ")}]`);
  }
  const total = weights.reduce((a, b) => a + b, 0);
  if (!(total > 0)) throw new IllegalArgumentError("randomSplit weights must sum to more than 0");
  const bounds = [0];
  for (const w of weights) bounds.push(bounds[bounds.length - 1]! + w / total);
  return weights.map((_, i) => {
    const [lo, hi] = [bounds[i]!, i === weights.length - 1 ? 1.0000001 : bounds[i + 1]!];
    return rdd.mapPartitionsWithIndex((split, items) => {
      const rng = new SeededRandom(partitionSeed(seed, split));
      const out: T[] = [];
      for (const x of items) {
        const r = rng.next();
        if (r >= lo && r < hi) out.push(x);
      }
      return out;
    }, true);
  });
}

/** A sample of each key's records at that key's fraction (`fractions` must name every key). */
export function sampleByKey<K, V>(
  rdd: RDD<[K, V]>,
  withReplacement: boolean,
  fractions: Map<K, number> | Record<string, number>,
  seed: number,
): RDD<[K, V]> {
  const of = fractions instanceof Map ? fractions : new Map(Object.entries(fractions) as [K, number][]);
  for (const [k, f] of of) {
    if (!(f >= 0)) throw new IllegalArgumentError(`sampleByKey fraction for ${String(k)} must be >= 0, got ${f}`);
  }
  return rdd.mapPartitionsWithIndex((split, items) => {
    const rng = new SeededRandom(partitionSeed(seed, split));
    const out: [K, V][] = [];
    for (const kv of items) {
      const f = of.get(kv[0]);
      if (f === undefined) throw new IllegalArgumentError(`sampleByKey: no fraction for key ${String(kv[0])}`);
      if (withReplacement) for (let c = rng.poisson(f); c > 0; c--) out.push(kv);
      else if (rng.next() < f) out.push(kv);
    }
    return out;
  }, true);
}

/** `num` records chosen at random (PySpark's `takeSample`), in random order; fewer only if the RDD has fewer. */
export async function takeSample<T>(rdd: RDD<T>, withReplacement: boolean, num: number, seed: number): Promise<T[]> {
  if (num < 0) throw new IllegalArgumentError("Sample size cannot be negative.");
  if (num === 0) return [];
  const count = await rdd.count();
  if (count === 0) return [];
  const rng = new SeededRandom(seed);
  const shuffle = (xs: T[]): T[] => {
    for (let i = xs.length - 1; i > 0; i--) {
      const j = Math.floor(rng.next() * (i + 1));
      [xs[i], xs[j]] = [xs[j]!, xs[i]!];
    }
    return xs;
  };
  if (!withReplacement && num >= count) return shuffle(await rdd.collect());
  // sample a little more than needed (PySpark's bound), again with a new seed in the rare case it came up short
  let fraction = withReplacement ? (num + 5 * Math.sqrt(num)) / count : Math.min(1, (num + 3 * Math.sqrt(num)) / count);
  for (let round = 0; ; round++) {
    const got = await rdd.sample(withReplacement, fraction, seed + round).collect();
    if (got.length >= num || round >= 20) return shuffle(got).slice(0, num);
    fraction = Math.min(withReplacement ? fraction * 2 : 1, fraction * 2);
  }
}

function checkDepth(depth: number): void {
  if (!(depth >= 1)) throw new IllegalArgumentError(`Depth cannot be smaller than 1 but got ${depth}.`);
}

/** `reduce`, its partition results combined in a tree of `depth` levels (the result is `reduce`'s). */
export async function treeReduce<T>(rdd: RDD<T>, f: (a: T, b: T) => T, depth: number): Promise<T> {
  checkDepth(depth);
  return actions.reduce(rdd, f);
}

/** `aggregate`, its partition results combined in a tree of `depth` levels (the result is `aggregate`'s). */
export async function treeAggregate<T, U>(
  rdd: RDD<T>,
  zeroValue: U,
  seqOp: (acc: U, x: T) => U,
  combOp: (a: U, b: U) => U,
  depth: number,
): Promise<U> {
  checkDepth(depth);
  return actions.aggregate(rdd, zeroValue, seqOp, combOp);
}

/**
 * PySpark's `histogram`: `buckets` a count (evenly spaced between the minimum and maximum) or the sorted bounds;
 * every bucket is [lo, hi) but the last, which holds its maximum. Missing values and NaN are left out.
 */
export async function histogram<T extends number | string>(
  rdd: RDD<T>,
  buckets: number | readonly T[],
): Promise<[T[], number[]]> {
  const valid = (x: unknown) => x !== null && x !== undefined && !(typeof x === "number" && Number.isNaN(x));
  let bounds: T[];
  let even: boolean;
  if (typeof buckets === "number") {
    if (!(buckets >= 1)) throw new IllegalArgumentError("number of buckets must be >= 1");
    const values = rdd.filter(valid);
    if (await values.isEmpty()) throw new IllegalArgumentError("can not generate buckets from empty RDD");
    const [minv, maxv] = await values.aggregate<[number, number]>(
      [Infinity, -Infinity],
      ([lo, hi], x) => {
        if (typeof x !== "number") throw new IllegalArgumentError("Can not generate buckets with non-number in RDD");
        return [Math.min(lo, x), Math.max(hi, x)];
      },
      ([a, b], [c, d]) => [Math.min(a, c), Math.max(b, d)],
    );
    if (minv === maxv || buckets === 1) return [[minv, maxv] as T[], [await values.count()]];
    const inc = (maxv - minv) / buckets;
    if (!Number.isFinite(inc)) throw new IllegalArgumentError("Can not generate buckets with infinite value");
    bounds = Array.from({ length: buckets }, (_, i) => i * inc + minv) as T[];
    bounds.push(maxv as T);
    even = true;
  } else {
    bounds = [...buckets];
    if (bounds.length < 2) throw new IllegalArgumentError("buckets should have more than one value");
    if (bounds.some((b) => !valid(b))) throw new IllegalArgumentError("can not have None or NaN in buckets");
    for (let i = 1; i < bounds.length; i++) {
      const c = compareValues(bounds[i - 1], bounds[i]);
      if (c > 0) throw new IllegalArgumentError("buckets should be sorted");
      if (c === 0) throw new IllegalArgumentError("buckets should not contain duplicated values");
    }
    even = false;
    if (bounds.every((b) => typeof b === "number")) {
      const nums = bounds as number[];
      const inc = (nums[nums.length - 1]! - nums[0]!) / (nums.length - 1);
      even = nums.every((b, i) => i === 0 || Math.abs(b - nums[i - 1]! - inc) < 1e-10);
    }
  }
  const minv = bounds[0]!;
  const maxv = bounds[bounds.length - 1]!;
  const inc = even ? ((maxv as number) - (minv as number)) / (bounds.length - 1) : 0;
  const n = bounds.length - 1;
  const parts = await rdd.runJob((run) => {
    const counters = new Array<number>(n).fill(0);
    run((x) => {
      if (!valid(x) || compareValues(x, maxv) > 0 || compareValues(x, minv) < 0) return;
      let t: number;
      if (even) t = Math.floor(((x as number) - (minv as number)) / inc);
      else {
        // the last bound at or below x (bisect_right - 1)
        let lo = 0;
        let hi = bounds.length;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (compareValues(x, bounds[mid]) < 0) hi = mid;
          else lo = mid + 1;
        }
        t = lo - 1;
      }
      counters[Math.min(t, n - 1)]!++;
    });
    return counters;
  });
  return [bounds, parts.reduce((a, b) => a.map((v, i) => v + b[i]!), new Array<number>(n).fill(0))];
}

/** Reduces each key's values into a Map on the driver, without a shuffle (PySpark's dict). */
export async function reduceByKeyLocally<K, V>(rdd: RDD<[K, V]>, f: (a: V, b: V) => V): Promise<Map<K, V>> {
  const parts = await rdd.runJob((run) => {
    const m = new KeyedMap<K, V>();
    run(([k, v]) => m.set(k, m.has(k) ? f(m.get(k)!, v) : v));
    return [...m.entries()];
  });
  const merged = new KeyedMap<K, V>();
  for (const part of parts) for (const [k, v] of part) merged.set(k, merged.has(k) ? f(merged.get(k)!, v) : v);
  return merged.toMap();
}

/** `cogroup` of any number of RDDs: `[k, [values of this, values of each other]]`. */
export function groupWith<K>(rdd: RDD<[K, unknown]>, others: RDD<[K, unknown]>[]): RDD<[K, unknown[][]]> {
  return cogroupMany<K>([rdd, ...others], defaultPartitioner(rdd, undefined, ...others), "groupWith");
}

/** Places pairs by `partitionFunc` (a hash of the key by default) and sorts each partition by key. */
export function repartitionAndSortWithinPartitions<K, V>(
  rdd: RDD<[K, V]>,
  numPartitions: number,
  partitionFunc: ((key: K) => number) | undefined,
  ascending: boolean,
  keyfunc: (k: K) => unknown,
): RDD<[K, V]> {
  const partitioner = partitionFunc
    ? new FunctionPartitioner(numPartitions, partitionFunc as (k: unknown) => number)
    : new HashPartitioner(numPartitions);
  const placed = partitionBy(rdd, partitioner, "repartitionAndSortWithinPartitions");
  const sign = ascending ? 1 : -1;
  return placed.derive(
    new MapPartitionsNode<[K, V], [K, V]>(
      placed,
      (_, items) => items.sort((a, b) => sign * compareValues(keyfunc(a[0]), keyfunc(b[0]))),
      "repartitionAndSortWithinPartitions",
      true,
    ),
  );
}

/** The records one partition at a time: only one partition's records are on the driver at once. */
export async function* toLocalIterator<T>(rdd: RDD<T>): AsyncGenerator<T> {
  for (let p = 0; p < rdd.getNumPartitions(); p++) {
    const [part] = await rdd.runJob(
      (run) => {
        const out: T[] = [];
        run((x) => out.push(x));
        return out;
      },
      [p],
    );
    yield* part!;
  }
}

/** `pipe`: a partition's records as lines on a command's stdin, its stdout's lines as records. */
export function pipeCommand<T>(
  rdd: RDD<T>,
  command: string,
  env: Record<string, string> | undefined,
  checkCode: boolean,
): RDD<string> {
  return rdd.mapPartitions((items) => {
    const lines: string[] = [];
    for (const x of items) lines.push(pyStr(x) + "\n");
    const r = spawnSync(command, {
      shell: true,
      input: lines.join(""),
      env: { ...process.env, ...env },
      encoding: "utf8",
      maxBuffer: 1 << 30,
    });
    if (r.error) throw new SluiceError(`pipe: cannot run \`${command}\`: ${r.error.message}`);
    if (checkCode && r.status !== 0) {
      throw new SluiceError(`Pipe function \`${command}' exited with error code ${r.status ?? r.signal}`);
    }
    const out = r.stdout.split("\n");
    if (out[out.length - 1] === "") out.pop();
    return out;
  });
}

/** Murmur3's 32-bit finalizer: spreads `stableHash` (integers hash to themselves) over all 32 bits. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Up to this many distinct hashes a sketch stays exact (HyperLogLog++'s sparse phase, in spirit). */
const SPARSE_LIMIT = 4096;

/**
 * PySpark's `countApproxDistinct`: per partition the distinct 52-bit hashes while there are few (exact, up to
 * SPARSE_LIMIT), else a HyperLogLog sketch (2^p registers, p from `relativeSD` as Spark computes it, 4 <= p <= 18),
 * merged on the driver; small counts in registers are corrected by linear counting.
 */
export async function countApproxDistinct<T>(rdd: RDD<T>, relativeSD: number): Promise<number> {
  if (!(relativeSD >= 0.000017)) throw new IllegalArgumentError("relativeSD should be greater than 0.000017");
  const p = Math.min(18, Math.max(4, Math.ceil(2 * Math.log2(1.054 / relativeSD))));
  const m = 1 << p;
  const hashOf = (x: unknown): [number, number] => {
    const h = stableHash(x);
    return [fmix32(h), fmix32(h ^ 0x9e3779b9)];
  };
  const addTo = (registers: Uint8Array, h1: number, h2: number) => {
    const index = h1 >>> (32 - p);
    const rank = h2 === 0 ? 33 : Math.clz32(h2) + 1;
    if (rank > registers[index]!) registers[index] = rank;
  };
  const sketches = await rdd.runJob((run) => {
    let sparse: Set<number> | undefined = new Set<number>();
    const registers = new Uint8Array(m);
    run((x) => {
      const [h1, h2] = hashOf(x);
      addTo(registers, h1, h2);
      if (sparse) {
        sparse.add(h1 * 2 ** 20 + (h2 >>> 12));
        if (sparse.size > SPARSE_LIMIT) sparse = undefined;
      }
    });
    return { sparse: sparse ? [...sparse] : undefined, registers };
  });
  if (sketches.every((s) => s.sparse)) {
    const all = new Set<number>();
    for (const s of sketches) for (const h of s.sparse!) all.add(h);
    if (all.size <= SPARSE_LIMIT) return all.size;
  }
  const merged = new Uint8Array(m);
  for (const { registers: r } of sketches) for (let i = 0; i < m; i++) if (r[i]! > merged[i]!) merged[i] = r[i]!;
  let sum = 0;
  let zeros = 0;
  for (let i = 0; i < m; i++) {
    sum += 2 ** -merged[i]!;
    if (merged[i] === 0) zeros++;
  }
  const alpha = m === 16 ? 0.673 : m === 32 ? 0.697 : m === 64 ? 0.709 : 0.7213 / (1 + 1.079 / m);
  const estimate = (alpha * m * m) / sum;
  return Math.round(estimate <= 2.5 * m && zeros > 0 ? m * Math.log(m / zeros) : estimate);
}
