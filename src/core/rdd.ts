import { tracked } from "./action-scope.js";
import type { PartitionFunc } from "../scheduler/dag-scheduler.js";
import { markOrigin } from "../scheduler/task-context.js";
import { checkPartitionCount } from "../shuffle/partitioner.js";
import { allPartitions, RDDBase } from "./rdd-base.js";
import type { RDDNode } from "./node.js";
import * as actions from "./actions.js";
import * as more from "./rdd-extras.js";
import * as narrowFns from "./narrow-functions.js";
import * as pairs from "./pair-functions.js";
import { MapPartitionsNode, PipelinedNode, type Pipe } from "./rdds/pipelined.js";
import { opPipe, type OpKind } from "../scheduler/ops.js";
import { CartesianNode, CoalescedNode, UnionNode } from "./rdds/union.js";
import type { StatCounter } from "./stat-counter.js";
import { encodeAvroFile, type AvroSchema } from "../util/formats/avro.js";
import { encodeJsonLines } from "../util/formats/json-lines.js";
import { encodeParquet } from "../util/formats/parquet.js";

/**
 * A Resilient Distributed Dataset: an immutable, partitioned collection described by its
 * lineage. Transformations build new RDDs lazily; actions run a job and return a Promise.
 * Pair-only methods (`reduceByKey`, `join`…) exist only on `RDD<[K, V]>`.
 * @example await sc.parallelize(["a b", "b"]).flatMap((l) => l.split(" ")).countByValue()
 */
export class RDD<T> extends RDDBase<T> {
  /** A new RDD over `node`, in this RDD's context. */
  derive<U>(node: RDDNode<U>): RDD<U> {
    return new RDD(this.context, node);
  }

  /** @internal A record-at-a-time step, fused into the stage's push loop. */
  pipeThrough<U>(pipe: Pipe<T, U>, callSite: string, preservesPartitioning = false): RDD<U> {
    return this.derive(new PipelinedNode(this, pipe, callSite, preservesPartitioning));
  }

  /**
   * Each partition's records, one per line (as `str()`), through a shell command; its output lines are the new
   * records (PySpark's `pipe`). With `checkCode`, a command that exits non-zero fails the task.
   */
  pipe(command: string, env?: Record<string, string>, checkCode = false): RDD<string> {
    return more.pipeCommand(this, command, env, checkCode);
  }

  // ---- narrow transformations ----

  /** A step of a shippable operator (see `core/ops.ts`). */
  private op<U>(kind: OpKind, fn: ((...args: never[]) => unknown) | undefined, preservesPartitioning: boolean): RDD<U> {
    const id = this.context.newRddId();
    const pipe = opPipe(kind, fn as ((...args: unknown[]) => unknown) | undefined, id) as Pipe<T, U>;
    return new RDD(this.context, new PipelinedNode(this, pipe, kind, preservesPartitioning, { kind, fn }), id);
  }

  /** A function returning `[k, v]` gives an RDD of pairs (a tuple, not an array), ready for the `...ByKey` methods. */
  map<K, V>(f: (x: T) => [K, V], preservesPartitioning?: boolean): RDD<[K, V]>;
  map<U>(f: (x: T) => U, preservesPartitioning?: boolean): RDD<U>;
  map<U>(f: (x: T) => U, preservesPartitioning = false): RDD<U> {
    return this.op("map", f, preservesPartitioning);
  }

  flatMap<U>(f: (x: T) => Iterable<U>, preservesPartitioning = false): RDD<U> {
    return this.op("flatMap", f, preservesPartitioning);
  }

  /** The records for which `f` is true; a type guard narrows the type, as Array's filter does. */
  filter<S extends T>(f: (x: T) => x is S): RDD<S>;
  filter(f: (x: T) => boolean): RDD<T>;
  filter(f: (x: T) => boolean): RDD<T> {
    return this.op("filter", f, true);
  }

  mapPartitions<U>(f: (it: T[]) => Iterable<U>, preservesPartitioning = false): RDD<U> {
    return this.mapPartitionsWithIndex((_, items) => f(items), preservesPartitioning, "mapPartitions");
  }

  /** `f(partitionIndex, items)` per partition. */
  mapPartitionsWithIndex<U>(
    f: (index: number, it: T[]) => Iterable<U>,
    preservesPartitioning = false,
    callSite = "mapPartitionsWithIndex",
  ): RDD<U> {
    const id = this.context.newRddId();
    const node = new MapPartitionsNode<T, U>(
      this,
      (split, items) => {
        try {
          return f(split, items);
        } catch (e) {
          throw markOrigin(e, id, callSite);
        }
      },
      callSite,
      preservesPartitioning,
    );
    return new RDD(this.context, node, id);
  }

  /** One array per partition. */
  glom(): RDD<T[]> {
    return this.derive(new MapPartitionsNode<T, T[]>(this, (_, items) => [items], "glom"));
  }

  keyBy<K>(f: (x: T) => K): RDD<[K, T]> {
    return this.op("keyBy", f, false);
  }

  union(other: RDD<T>): RDD<T> {
    return this.derive(new UnionNode([this, other]));
  }

  cartesian<U>(other: RDD<U>): RDD<[T, U]> {
    return this.derive(new CartesianNode(this, other));
  }

  /** Pairs elements by position; both RDDs need the same partition count and sizes. */
  zip<U>(other: RDD<U>): RDD<[T, U]> {
    return narrowFns.zip(this, other);
  }

  /** `[x, index]` by partition order, then position; runs a counting job first when > 1 partition. */
  zipWithIndex(): RDD<[T, number]> {
    return narrowFns.zipWithIndex(this);
  }

  /** `[x, id]` with ids `k, n+k, 2n+k…` in partition `k` of `n`; no job. */
  zipWithUniqueId(): RDD<[T, number]> {
    return narrowFns.zipWithUniqueId(this);
  }

  /** A random subset; `fraction` is the expected share (or mean copies, with replacement). */
  sample(withReplacement: boolean, fraction: number, seed: number = Math.floor(Math.random() * 2 ** 31)): RDD<T> {
    return narrowFns.sample(this, withReplacement, fraction, seed);
  }

  /** Fewer partitions by merging neighbours; with `shuffle` it may also grow (`repartition`). */
  coalesce(numPartitions: number, shuffle = false): RDD<T> {
    checkPartitionCount(numPartitions, "coalesce");
    return shuffle ? pairs.repartition(this, numPartitions) : this.derive(new CoalescedNode(this, numPartitions));
  }

  repartition(numPartitions: number): RDD<T> {
    return this.coalesce(numPartitions, true);
  }

  distinct(numPartitions?: number): RDD<T> {
    return pairs.distinct(this, numPartitions);
  }

  intersection(other: RDD<T>): RDD<T> {
    return pairs.intersection(this, other);
  }

  /** Elements of this RDD not in `other` (duplicates of this one kept). */
  subtract(other: RDD<T>, numPartitions?: number): RDD<T> {
    return pairs.subtract(this, other, numPartitions);
  }

  groupBy<K>(f: (x: T) => K, numPartitions?: number): RDD<[K, T[]]> {
    return this.keyBy(f).groupByKey(numPartitions);
  }

  sortBy<K>(keyfunc: (x: T) => K, ascending = true, numPartitions?: number): RDD<T> {
    return this.keyBy(keyfunc).sortByKey(ascending, numPartitions).values();
  }

  // ---- pair transformations (compile only on RDD<[K, V]>) ----

  keys<K, V>(this: RDD<[K, V]>): RDD<K> {
    return this.op("keys", undefined, false);
  }

  values<K, V>(this: RDD<[K, V]>): RDD<V> {
    return this.op("values", undefined, false);
  }

  mapValues<K, V, U>(this: RDD<[K, V]>, f: (v: V) => U): RDD<[K, U]> {
    return this.op("mapValues", f, true);
  }

  flatMapValues<K, V, U>(this: RDD<[K, V]>, f: (v: V) => Iterable<U>): RDD<[K, U]> {
    return this.op("flatMapValues", f, true);
  }

  combineByKey<K, V, C>(
    this: RDD<[K, V]>,
    createCombiner: (v: V) => C,
    mergeValue: (c: C, v: V) => C,
    mergeCombiners: (a: C, b: C) => C,
    numPartitions?: number,
  ): RDD<[K, C]> {
    return pairs.combineByKey(
      this,
      { createCombiner, mergeValue, mergeCombiners },
      pairs.defaultPartitioner(this, numPartitions),
      true,
      "combineByKey",
    );
  }

  reduceByKey<K, V>(this: RDD<[K, V]>, f: (a: V, b: V) => V, numPartitions?: number): RDD<[K, V]> {
    return pairs.combineByKey(
      this,
      { createCombiner: (v: V) => v, mergeValue: f, mergeCombiners: f },
      pairs.defaultPartitioner(this, numPartitions),
      true,
      "reduceByKey",
    );
  }

  /** Per key, folds values into a copy of `zero` with `seqFunc`, then merges with `combFunc`. */
  aggregateByKey<K, V, U>(
    this: RDD<[K, V]>,
    zeroValue: U,
    seqFunc: (acc: U, v: V) => U,
    combFunc: (a: U, b: U) => U,
    numPartitions?: number,
  ): RDD<[K, U]> {
    const zero = () => (typeof zeroValue === "object" && zeroValue !== null ? structuredClone(zeroValue) : zeroValue);
    return pairs.combineByKey(
      this,
      { createCombiner: (v: V) => seqFunc(zero(), v), mergeValue: seqFunc, mergeCombiners: combFunc },
      pairs.defaultPartitioner(this, numPartitions),
      true,
      "aggregateByKey",
    );
  }

  foldByKey<K, V>(this: RDD<[K, V]>, zeroValue: V, f: (a: V, b: V) => V, numPartitions?: number): RDD<[K, V]> {
    return this.aggregateByKey(zeroValue, f, f, numPartitions);
  }

  groupByKey<K, V>(this: RDD<[K, V]>, numPartitions?: number): RDD<[K, V[]]> {
    return pairs.groupByKey(this, pairs.defaultPartitioner(this, numPartitions));
  }

  /** Places pairs by `partitionFunc(key)` (a stable hash of the key by default). */
  partitionBy<K, V>(this: RDD<[K, V]>, numPartitions: number, partitionFunc?: (key: K) => number): RDD<[K, V]> {
    return pairs.partitionBy(this, pairs.partitionerFor(numPartitions, partitionFunc));
  }

  sortByKey<K, V>(
    this: RDD<[K, V]>,
    ascending = true,
    numPartitions?: number,
    keyfunc: (k: K) => unknown = (k) => k,
  ): RDD<[K, V]> {
    return pairs.sortByKey(this, ascending, numPartitions ?? this.getNumPartitions(), keyfunc);
  }

  cogroup<K, V, W>(this: RDD<[K, V]>, other: RDD<[K, W]>, numPartitions?: number): RDD<[K, [V[], W[]]]> {
    return pairs.cogroup(this, other, numPartitions);
  }

  join<K, V, W>(this: RDD<[K, V]>, other: RDD<[K, W]>, numPartitions?: number): RDD<[K, [V, W]]> {
    return pairs.joinLike(this, other, numPartitions, "inner") as RDD<[K, [V, W]]>;
  }

  leftOuterJoin<K, V, W>(this: RDD<[K, V]>, other: RDD<[K, W]>, numPartitions?: number): RDD<[K, [V, W | null]]> {
    return pairs.joinLike(this, other, numPartitions, "left") as RDD<[K, [V, W | null]]>;
  }

  rightOuterJoin<K, V, W>(this: RDD<[K, V]>, other: RDD<[K, W]>, numPartitions?: number): RDD<[K, [V | null, W]]> {
    return pairs.joinLike(this, other, numPartitions, "right") as RDD<[K, [V | null, W]]>;
  }

  fullOuterJoin<K, V, W>(
    this: RDD<[K, V]>,
    other: RDD<[K, W]>,
    numPartitions?: number,
  ): RDD<[K, [V | null, W | null]]> {
    return pairs.joinLike(this, other, numPartitions, "full");
  }

  /** Pairs whose key does not appear in `other`. */
  subtractByKey<K, V, W>(this: RDD<[K, V]>, other: RDD<[K, W]>, numPartitions?: number): RDD<[K, V]> {
    return pairs.subtractByKey(this, other, numPartitions);
  }

  // ---- actions ----

  /** Runs `fn` on the given partitions (all by default) and returns one result per partition. */
  protected override async materialize(partitions: readonly number[]): Promise<void> {
    await this.runJob((run) => run(() => {}), partitions);
  }

  async runJob<R>(fn: PartitionFunc<T, R>, partitions?: readonly number[]): Promise<R[]> {
    const results = await tracked(this.context.runJob(this, partitions ?? allPartitions(this), fn));
    if (this.context.getCheckpointDir() !== undefined) await this.checkpointMarked();
    return results;
  }

  collect(): Promise<T[]> {
    return actions.collect(this);
  }
  count(): Promise<number> {
    return actions.count(this);
  }
  first(): Promise<T> {
    return actions.first(this);
  }
  take(num: number): Promise<T[]> {
    return actions.take(this, num);
  }
  isEmpty(): Promise<boolean> {
    return actions.isEmpty(this);
  }
  /** The `num` smallest elements (by `key` when given), ascending. */
  takeOrdered(num: number, key?: (x: T) => unknown): Promise<T[]> {
    return actions.takeOrdered(this, num, key, true);
  }
  /** The `num` largest elements (by `key` when given), descending. */
  top(num: number, key?: (x: T) => unknown): Promise<T[]> {
    return actions.takeOrdered(this, num, key, false);
  }
  reduce(f: (a: T, b: T) => T): Promise<T> {
    return actions.reduce(this, f);
  }
  fold(zeroValue: T, op: (a: T, b: T) => T): Promise<T> {
    return actions.aggregate(this, zeroValue, op, op);
  }
  aggregate<U>(zeroValue: U, seqOp: (acc: U, x: T) => U, combOp: (a: U, b: U) => U): Promise<U> {
    return actions.aggregate(this, zeroValue, seqOp, combOp);
  }
  max(key?: (x: T) => unknown): Promise<T> {
    return actions.extreme(this, key, 1);
  }
  min(key?: (x: T) => unknown): Promise<T> {
    return actions.extreme(this, key, -1);
  }
  sum(this: RDD<number>): Promise<number> {
    return actions.aggregate(
      this,
      0,
      (a, b) => a + b,
      (a, b) => a + b,
    );
  }
  stats(this: RDD<number>): Promise<StatCounter> {
    return actions.stats(this);
  }
  async mean(this: RDD<number>): Promise<number> {
    return (await this.stats()).mean();
  }
  async variance(this: RDD<number>): Promise<number> {
    return (await this.stats()).variance();
  }
  async stdev(this: RDD<number>): Promise<number> {
    return (await this.stats()).stdev();
  }
  async sampleVariance(this: RDD<number>): Promise<number> {
    return (await this.stats()).sampleVariance();
  }
  async sampleStdev(this: RDD<number>): Promise<number> {
    return (await this.stats()).sampleStdev();
  }
  /** Value → number of occurrences; equal compound values count together. */
  countByValue(): Promise<Map<T, number>> {
    return actions.countByValue(this);
  }
  countByKey<K>(this: RDD<[K, unknown]>): Promise<Map<K, number>> {
    return actions.countByValue(this.keys());
  }
  /** Key → value; a later pair with the same key wins. */
  collectAsMap<K, V>(this: RDD<[K, V]>): Promise<Map<K, V>> {
    return actions.collectAsMap(this);
  }
  lookup<K, V>(this: RDD<[K, V]>, key: K): Promise<V[]> {
    return actions.lookup(this, key);
  }
  foreach(f: (x: T) => void): Promise<void> {
    return actions.foreach(this, f);
  }
  foreachPartition(f: (items: T[]) => void | Promise<void>): Promise<void> {
    return actions.foreachPartition(this, f);
  }
  /** Writes a directory of `part-NNNNN` files (one line per element, Python `str`) and `_SUCCESS`. */
  /** Part files of one line per record; `compressionCodecClass` "org.apache.hadoop.io.compress.GzipCodec" gzips them. */
  saveAsTextFile(path: string, compressionCodecClass?: string): Promise<void> {
    return actions.saveAsTextFile(this, path, compressionCodecClass);
  }
  /**
   * One Parquet file per non-empty partition, columns typed from the records (plain objects); read back with
   * `sc.parquetFile`.
   */
  saveAsParquetFile(path: string): Promise<void> {
    return actions.savePartitionFiles(this, path, ".parquet", encodeParquet, true);
  }
  /**
   * One Avro container file per non-empty partition, with `schema` or one inferred from the records; read back with
   * `sc.avroFile`.
   */
  saveAsAvroFile(path: string, schema?: AvroSchema): Promise<void> {
    return actions.savePartitionFiles(this, path, ".avro", (r, where) => encodeAvroFile(r, where, schema), true);
  }
  /** One JSON-lines file per partition; read back with `sc.jsonFile`. */
  saveAsJsonFile(path: string): Promise<void> {
    return actions.savePartitionFiles(this, path, ".json", encodeJsonLines);
  }
  toDebugString(): string {
    return actions.toDebugString(this);
  }

  // ---- PySpark's sampling, tree aggregation, histograms and local reductions ----

  /** Splits at random by `weights` (normalized); the same seed puts every record in exactly one part. */
  randomSplit(weights: number[], seed: number = Math.floor(Math.random() * 2 ** 31)): RDD<T>[] {
    return more.randomSplit(this, weights, seed);
  }
  /** A sample of each key's records at its fraction in `fractions` (a Map, or an object for string keys). */
  sampleByKey<K, V>(
    this: RDD<[K, V]>,
    withReplacement: boolean,
    fractions: Map<K, number> | Record<string, number>,
    seed: number = Math.floor(Math.random() * 2 ** 31),
  ): RDD<[K, V]> {
    return more.sampleByKey(this, withReplacement, fractions, seed);
  }
  /** `num` records at random, in random order. */
  takeSample(withReplacement: boolean, num: number, seed: number = Math.floor(Math.random() * 2 ** 31)): Promise<T[]> {
    return more.takeSample(this, withReplacement, num, seed);
  }
  treeReduce(f: (a: T, b: T) => T, depth = 2): Promise<T> {
    return more.treeReduce(this, f, depth);
  }
  treeAggregate<U>(zeroValue: U, seqOp: (acc: U, x: T) => U, combOp: (a: U, b: U) => U, depth = 2): Promise<U> {
    return more.treeAggregate(this, zeroValue, seqOp, combOp, depth);
  }
  /** `[buckets, counts]`: `buckets` a count of even buckets, or their sorted bounds (the last bucket is closed). */
  histogram(this: RDD<number>, buckets: number | readonly number[]): Promise<[number[], number[]]>;
  histogram(this: RDD<string>, buckets: readonly string[]): Promise<[string[], number[]]>;
  histogram(
    this: RDD<number> | RDD<string>,
    buckets: number | readonly (number | string)[],
  ): Promise<[(number | string)[], number[]]> {
    return more.histogram(this as RDD<number | string>, buckets);
  }
  /** Each key's values reduced into a Map on the driver, without a shuffle. */
  reduceByKeyLocally<K, V>(this: RDD<[K, V]>, f: (a: V, b: V) => V): Promise<Map<K, V>> {
    return more.reduceByKeyLocally(this, f);
  }
  /** `cogroup` with any number of others: `[k, [values here, values in each other]]`. */
  groupWith<K, V>(this: RDD<[K, V]>, ...others: RDD<[K, unknown]>[]): RDD<[K, unknown[][]]> {
    return more.groupWith(this as RDD<[K, unknown]>, others);
  }
  repartitionAndSortWithinPartitions<K, V>(
    this: RDD<[K, V]>,
    numPartitions?: number,
    partitionFunc?: (key: K) => number,
    ascending = true,
    keyfunc: (k: K) => unknown = (k) => k,
  ): RDD<[K, V]> {
    const n = numPartitions ?? this.getNumPartitions();
    return more.repartitionAndSortWithinPartitions(this, n, partitionFunc, ascending, keyfunc);
  }
  /** The records one partition at a time (`for await (const x of rdd.toLocalIterator())`). */
  toLocalIterator(): AsyncGenerator<T> {
    return more.toLocalIterator(this);
  }
  /** About how many distinct records (HyperLogLog; `relativeSD` the accuracy wanted, as Spark's). */
  countApproxDistinct(relativeSD = 0.05): Promise<number> {
    return more.countApproxDistinct(this, relativeSD);
  }
  /** PySpark's approximate count within `timeout` ms: Sluice counts exactly. */
  countApprox(_timeout?: number, _confidence = 0.95): Promise<number> {
    return this.count();
  }
  /** PySpark's approximate sum: exact here. */
  sumApprox(this: RDD<number>, _timeout?: number, _confidence = 0.95): Promise<number> {
    return this.sum();
  }
  /** PySpark's approximate mean: exact here. */
  async meanApprox(this: RDD<number>, _timeout?: number, _confidence = 0.95): Promise<number> {
    return (await this.stats()).mean();
  }

  override toString(): string {
    return `${this.node.kind}[${this.id}] at ${this.node.callSite}`;
  }
}

export { allPartitions } from "./rdd-base.js";
