import { asList } from "../util/py-format.js";
import { FunctionPartitioner, HashPartitioner, RangePartitioner, type Partitioner } from "../shuffle/partitioner.js";
import { comparatorBy } from "../util/compare.js";
import { CombineMap } from "../util/keyed-map.js";
import { partitionSeed, SeededRandom } from "../util/random.js";
import type { Aggregator, ShuffleDependency } from "./node.js";
import type { RDD } from "./rdd.js";
import { MapPartitionsNode } from "./rdds/pipelined.js";
import { ShuffledNode } from "./rdds/shuffled.js";
import { CoGroupedNode } from "./rdds/cogrouped.js";

/**
 * The partitioner of a keyed shuffle: `numPartitions` when given; else a parent's own
 * partitioner if it has one; else `spark.default.parallelism`, else the most partitions
 * among the parents (Spark's `defaultPartitioner`).
 */
export function defaultPartitioner(rdd: RDD<unknown>, numPartitions?: number, ...others: RDD<unknown>[]): Partitioner {
  if (numPartitions !== undefined) return new HashPartitioner(numPartitions);
  const all = [rdd, ...others];
  const maxParts = Math.max(...all.map((r) => r.getNumPartitions()));
  const existing = all.find((r) => r.partitioner && r.partitioner.numPartitions >= maxParts)?.partitioner;
  if (existing) return existing;
  const conf = rdd.context.conf.get("spark.default.parallelism");
  return new HashPartitioner(conf !== undefined ? Number(conf) : Math.max(1, maxParts));
}

/** A hash partitioner, or one that follows the user's `partitionFunc`. */
export function partitionerFor<K>(numPartitions: number, partitionFunc?: (key: K) => number): Partitioner {
  return partitionFunc
    ? new FunctionPartitioner(numPartitions, partitionFunc as (k: unknown) => number)
    : new HashPartitioner(numPartitions);
}

/** Shuffles `rdd` onto `partitioner`, combining values per key with `agg`. */
export function combineByKey<K, V, C>(
  rdd: RDD<[K, V]>,
  agg: Aggregator<V, C>,
  partitioner: Partitioner,
  mapSideCombine: boolean,
  callSite: string,
): RDD<[K, C]> {
  if (partitioner.equals(rdd.partitioner)) {
    // keys are already where they belong: combine inside each partition, no shuffle
    return rdd.derive(
      new MapPartitionsNode<[K, V], [K, C]>(rdd, (_, items) => combineLocally(items, agg), callSite, true),
    );
  }
  return shuffle(rdd, partitioner, agg as Aggregator<unknown, unknown>, mapSideCombine, callSite) as RDD<[K, C]>;
}

function shuffle<K, V>(
  rdd: RDD<[K, V]>,
  partitioner: Partitioner,
  aggregator: Aggregator<unknown, unknown> | undefined,
  mapSideCombine: boolean,
  callSite: string,
): RDD<[K, unknown]> {
  const dep: ShuffleDependency = {
    kind: "shuffle",
    shuffleId: rdd.context.newShuffleId(),
    rdd: rdd as RDD<[unknown, unknown]>,
    partitioner,
    aggregator,
    mapSideCombine,
  };
  const out = rdd.derive(new ShuffledNode<K, unknown>(dep, callSite));
  rdd.context.shuffleManager.register(dep.shuffleId, out);
  return out;
}

function combineLocally<K, V, C>(items: [K, V][], agg: Aggregator<V, C>): [K, C][] {
  const map = new CombineMap<K, C>();
  for (const [k, v] of items) map.add(k, v, agg.createCombiner, agg.mergeValue);
  const out: [K, C][] = [];
  map.forEach((c, k) => out.push([k, c]));
  return out;
}

/** Moves pairs onto `partitioner` unchanged; a no-op when they are already placed so. */
export function partitionBy<K, V>(rdd: RDD<[K, V]>, partitioner: Partitioner, callSite = "partitionBy"): RDD<[K, V]> {
  if (partitioner.equals(rdd.partitioner)) return rdd;
  return shuffle(rdd, partitioner, undefined, false, callSite) as RDD<[K, V]>;
}

export function groupByKey<K, V>(rdd: RDD<[K, V]>, partitioner: Partitioner): RDD<[K, V[]]> {
  const agg: Aggregator<V, V[]> = {
    createCombiner: (v) => asList([v]),
    mergeValue: (c, v) => (c.push(v), c),
    mergeCombiners: (a, b) => {
      for (let i = 0; i < b.length; i++) a.push(b[i]!);
      return a;
    },
    readBack: (c) => asList(c),
  };
  return combineByKey(rdd, agg, partitioner, false, "groupByKey");
}

/** Range-partitions by sampled key bounds, then sorts each partition: a total order. */
export function sortByKey<K, V>(
  rdd: RDD<[K, V]>,
  ascending: boolean,
  numPartitions: number,
  keyfunc: (k: K) => unknown,
): RDD<[K, V]> {
  const parts = Math.max(1, numPartitions);
  const sampleKeys = async (): Promise<unknown[]> => {
    const perPartition = Math.ceil((3 * Math.min(20 * parts, 1e6)) / Math.max(1, rdd.getNumPartitions()));
    const samples = await rdd.runJob((run, split) => reservoirSample(run, perPartition, split));
    return samples.flat();
  };
  const partitioner = new RangePartitioner(parts, sampleKeys, ascending, keyfunc as (k: unknown) => unknown);
  const placed = partitionBy(rdd, partitioner, "sortByKey");
  const order = comparatorBy<[K, V]>((kv) => keyfunc(kv[0]), ascending);
  return placed.derive(
    new MapPartitionsNode<[K, V], [K, V]>(placed, (_, items) => items.sort(order), "sortByKey", true),
  );
}

function reservoirSample<K>(run: (emit: (kv: [K, unknown]) => void) => void, size: number, split: number): K[] {
  const rng = new SeededRandom(partitionSeed(17, split));
  const out: K[] = [];
  let seen = 0;
  run((kv) => {
    seen++;
    if (out.length < size) out.push(kv[0]);
    else {
      const j = Math.floor(rng.next() * seen);
      if (j < size) out[j] = kv[0];
    }
  });
  return out;
}

/** For every key of any of `rdds`, its values in each, placed by `partitioner`. */
export function cogroupMany<K, G extends unknown[][] = unknown[][]>(
  rdds: readonly RDD<[K, unknown]>[],
  partitioner: Partitioner,
  callSite = "cogroup",
): RDD<[K, G]> {
  const first = rdds[0]!;
  // a CoGroupedNode puts the values of rdds[i] at place i: G names those places' types
  const node = new CoGroupedNode<K, G>(rdds, partitioner, () => first.context.newShuffleId(), callSite);
  const out = first.derive(node);
  for (const dep of node.dependencies)
    if (dep.kind === "shuffle") first.context.shuffleManager.register(dep.shuffleId, out);
  return out;
}

/** For every key of either side, `[k, [values in a, values in b]]`. */
export function cogroup<K, V, W>(a: RDD<[K, V]>, b: RDD<[K, W]>, numPartitions?: number): RDD<[K, [V[], W[]]]> {
  return cogroupMany<K, [V[], W[]]>([a, b] as RDD<[K, unknown]>[], defaultPartitioner(a, numPartitions, b));
}

/** Inner and outer joins through `cogroup`; a missing side is `null`. */
export function joinLike<K, V, W>(
  a: RDD<[K, V]>,
  b: RDD<[K, W]>,
  numPartitions: number | undefined,
  how: "inner" | "left" | "right" | "full",
): RDD<[K, [V | null, W | null]]> {
  const keepLeft = how === "left" || how === "full";
  const keepRight = how === "right" || how === "full";
  return cogroup(a, b, numPartitions).flatMap(([k, [vs, ws]]) => {
    const out: [K, [V | null, W | null]][] = [];
    if (vs.length === 0) {
      if (keepRight) for (const w of ws) out.push([k, [null, w]]);
    } else if (ws.length === 0) {
      if (keepLeft) for (const v of vs) out.push([k, [v, null]]);
    } else {
      for (const v of vs) for (const w of ws) out.push([k, [v, w]]);
    }
    return out;
  }, true);
}

export function subtractByKey<K, V, W>(a: RDD<[K, V]>, b: RDD<[K, W]>, numPartitions?: number): RDD<[K, V]> {
  return cogroup(a, b, numPartitions).flatMap(
    ([k, [vs, ws]]) => (ws.length > 0 ? [] : vs.map((v): [K, V] => [k, v])),
    true,
  );
}

function asKeys<T>(rdd: RDD<T>): RDD<[T, null]> {
  return rdd.map((x): [T, null] => [x, null]);
}

export function distinct<T>(rdd: RDD<T>, numPartitions?: number): RDD<T> {
  return asKeys(rdd)
    .reduceByKey((x) => x, numPartitions)
    .keys();
}

export function intersection<T>(a: RDD<T>, b: RDD<T>): RDD<T> {
  return cogroup(asKeys(a), asKeys(b))
    .filter(([, [vs, ws]]) => vs.length > 0 && ws.length > 0)
    .keys();
}

export function subtract<T>(a: RDD<T>, b: RDD<T>, numPartitions?: number): RDD<T> {
  return subtractByKey(asKeys(a), asKeys(b), numPartitions).keys();
}

/** Round-robin redistribution over `n` partitions through a shuffle (`repartition`). */
export function repartition<T>(rdd: RDD<T>, n: number): RDD<T> {
  const keyed = rdd.mapPartitionsWithIndex(
    (split, items) => items.map((x, i): [number, T] => [(split + i) % n, x]),
    false,
    "repartition",
  );
  return partitionBy(keyed, new HashPartitioner(n), "repartition").values();
}
