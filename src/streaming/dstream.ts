import type { RDD } from "../core/rdd.js";
import { IllegalArgumentError } from "../util/errors.js";
import type { AvroSchema } from "../util/formats/avro.js";
import { DStreamCore } from "./dstream-core.js";
import { MappedDStream } from "./dstream/mapped.js";
import type { DStreamKind, DStreamNode } from "./dstream/node.js";
import { TransformedDStream } from "./dstream/transformed.js";
import { UnionDStream } from "./dstream/union.js";
import { EventTimeStream } from "./event-time.js";
import * as outputs from "./outputs.js";
import { byArity, type BatchFunc } from "./outputs.js";
import type { BatchSink } from "./sink.js";
import type { StateSpec } from "./state.js";
import * as state from "./state-operators.js";
import * as windows from "./window-operators.js";
/** The stream `mapWithState` returns: the mapped values, and the states on demand. */
export interface MapWithStateStream<K, S, M> extends DStream<M> {
  /** Every live `[key, state]`, each batch. */
  stateSnapshots(): DStream<[K, S]>;
}

export type { BatchFunc } from "./outputs.js";

/**
 * A discretized stream: one RDD per batch interval. Transformations describe a new stream
 * lazily; output operations (`pprint`, `saveAsTextFiles`, `foreachRDD`) register jobs that
 * run every batch once the context starts. Pair methods exist only on `DStream<[K, V]>`.
 * @example lines.flatMap((l) => l.split(" ")).map((w): [string, number] => [w, 1]).reduceByKey((a, b) => a +
 * b).pprint()
 */
export class DStream<T> extends DStreamCore<T> {
  /** @internal A stream of this context over `node` (operators build their streams so). */
  derive<U>(node: DStreamNode<U>): DStream<U> {
    return new DStream(this.ssc, node);
  }

  /** A stream applying `fn` to every batch RDD; `kind` names it in messages. */
  mapBatches<U>(fn: (rdd: RDD<T>) => RDD<U>, kind: DStreamKind = "MappedDStream"): DStream<U> {
    return this.derive(new MappedDStream(this, fn, kind));
  }

  /** @internal `n`, or the SparkContext's default parallelism. */
  defaultPartitions(n?: number): number {
    return n ?? this.ssc.sparkContext.defaultParallelism;
  }

  // ---- per-batch transformations ----

  /** A function returning `[k, v]` gives a stream of pairs (a tuple, not an array), ready for the `...ByKey` methods. */
  map<K, V>(f: (x: T) => [K, V]): DStream<[K, V]>;
  map<U>(f: (x: T) => U): DStream<U>;
  map<U>(f: (x: T) => U): DStream<U> {
    return this.mapBatches((r) => r.map(f));
  }

  flatMap<U>(f: (x: T) => Iterable<U>): DStream<U> {
    return this.mapBatches((r) => r.flatMap(f), "FlatMappedDStream");
  }

  /** The records for which `f` is true; a type guard narrows the type, as Array's filter does. */
  filter<S extends T>(f: (x: T) => x is S): DStream<S>;
  filter(f: (x: T) => boolean): DStream<T>;
  filter(f: (x: T) => boolean): DStream<T> {
    return this.mapBatches((r) => r.filter(f), "FilteredDStream");
  }

  mapPartitions<U>(f: (it: T[]) => Iterable<U>): DStream<U> {
    return this.mapBatches((r) => r.mapPartitions(f), "MapPartitionedDStream");
  }

  mapPartitionsWithIndex<U>(f: (i: number, it: T[]) => Iterable<U>): DStream<U> {
    return this.mapBatches((r) => r.mapPartitionsWithIndex(f), "MapPartitionedDStream");
  }

  glom(): DStream<T[]> {
    return this.mapBatches((r) => r.glom(), "GlommedDStream");
  }

  repartition(numPartitions: number): DStream<T> {
    return this.mapBatches((r) => r.repartition(numPartitions), "ShuffledDStream");
  }

  /** One element per batch: the number of records (0 for an empty batch). */
  count(): DStream<number> {
    return windows.count(this);
  }

  countByValue(numPartitions?: number): DStream<[T, number]> {
    return this.map((x): [T, number] => [x, 1]).reduceByKey((a, b) => a + b, this.defaultPartitions(numPartitions));
  }

  /** One element per batch, the reduction of its records; an empty batch gives an empty RDD. */
  reduce(f: (a: T, b: T) => T): DStream<T> {
    return this.mapBatches(
      (r) =>
        r
          .map((x): [null, T] => [null, x])
          .reduceByKey(f, 1)
          .values(),
      "ShuffledDStream",
    );
  }

  union(other: DStream<T>): DStream<T> {
    if (other.slideMs() !== this.slideMs()) {
      const slides = `${this.slideMs()} ms vs ${other.slideMs()} ms`;
      throw new IllegalArgumentError(`the two DStream should have same slide duration (${slides})`);
    }
    return this.derive(new UnionDStream([this, other]));
  }

  /** `f(rdd)` or `f(time, rdd)` on every batch, on the driver; it may use any RDD. */
  transform<U>(f: (rdd: RDD<T>) => RDD<U>): DStream<U>;
  transform<U>(f: (time: Date, rdd: RDD<T>) => RDD<U>): DStream<U>;
  transform<U>(f: BatchFunc<T, RDD<U>>): DStream<U> {
    const call = byArity(f, "transform");
    return this.derive(
      new TransformedDStream<U>([this as DStream<unknown>], (rdds, time) => call(time, rdds[0] as RDD<T>)),
    );
  }

  /** `f(a, b)` or `f(time, a, b)` with this stream's and `other`'s RDDs of the same batch. */
  transformWith<U, V>(f: (a: RDD<T>, b: RDD<U>) => RDD<V>, other: DStream<U>): DStream<V>;
  transformWith<U, V>(f: (time: Date, a: RDD<T>, b: RDD<U>) => RDD<V>, other: DStream<U>): DStream<V>;
  transformWith<U, V>(
    f: ((a: RDD<T>, b: RDD<U>) => RDD<V>) | ((time: Date, a: RDD<T>, b: RDD<U>) => RDD<V>),
    other: DStream<U>,
  ): DStream<V> {
    if (f.length !== 2 && f.length !== 3)
      throw new IllegalArgumentError(`func should take two or three arguments, got ${f.length}`);
    type Three = (t: Date, a: RDD<T>, b: RDD<U>) => RDD<V>;
    const fn: Three = f.length === 3 ? (f as Three) : (_t, a, b) => (f as (a: RDD<T>, b: RDD<U>) => RDD<V>)(a, b);
    const parents = [this as DStream<unknown>, other as DStream<unknown>];
    return this.derive(
      new TransformedDStream<V>(parents, (rdds, time) => fn(time, rdds[0] as RDD<T>, rdds[1] as RDD<U>)),
    );
  }

  /** Places records by their own timestamp (epoch ms or Date) for `windowByEventTime`. */
  withEventTime(extractTimestamp: (record: T) => number | Date): EventTimeStream<T> {
    return new EventTimeStream(this, extractTimestamp);
  }

  // ---- windows ----

  /** Every `slideDuration` seconds, the union of the batches of the last `windowDuration` seconds. */
  window(windowDuration: number, slideDuration?: number): DStream<T> {
    return windows.window(this, windowDuration, slideDuration);
  }

  /** Records in each window (incremental; needs `ssc.checkpoint`). */
  countByWindow(windowDuration: number, slideDuration: number): DStream<number> {
    const ones = this.map((): number => 1);
    return ones.reduceByWindow(
      (a, b) => a + b,
      (a, b) => a - b,
      windowDuration,
      slideDuration,
    );
  }

  /** One element per window: the reduction of its records; with `invReduceFunc`, incremental. */
  reduceByWindow(
    reduceFunc: (a: T, b: T) => T,
    invReduceFunc: ((a: T, b: T) => T) | null | undefined,
    windowDuration: number,
    slideDuration: number,
  ): DStream<T> {
    return windows.reduceByWindow(this, reduceFunc, invReduceFunc, windowDuration, slideDuration);
  }

  /** `[value, count]` over each window; counts that fall to 0 are dropped (needs `ssc.checkpoint`). */
  countByValueAndWindow(windowDuration: number, slideDuration: number, numPartitions?: number): DStream<[T, number]> {
    const ones = this.map((x): [T, number] => [x, 1]);
    const add = (a: number, b: number) => a + b;
    const sub = (a: number, b: number) => a - b;
    return ones.reduceByKeyAndWindow(add, sub, windowDuration, slideDuration, numPartitions, ([, n]) => n > 0);
  }

  // ---- pair transformations ----

  /** Each window's values per key; incremental (needs `ssc.checkpoint`). */
  groupByKeyAndWindow<K, V>(
    this: DStream<[K, V]>,
    windowDuration: number,
    slideDuration: number,
    numPartitions?: number,
  ): DStream<[K, V[]]> {
    return windows.groupByKeyAndWindow(this, windowDuration, slideDuration, numPartitions);
  }

  /**
   * Per key, `func` over each window's values. Without `invFunc`: the window is reduced
   * again every slide. With it: incrementally (values leaving are taken out with `invFunc`),
   * which needs `ssc.checkpoint`; keys stay with their "zero" value unless `filterFunc` drops them.
   */
  reduceByKeyAndWindow<K, V>(this: DStream<[K, V]>, ...args: windows.ReduceByKeyAndWindowArgs<K, V>): DStream<[K, V]> {
    return windows.reduceByKeyAndWindow(this, ...args);
  }

  /**
   * Keeps a state per key across batches: `update(newValues, oldState)` runs every batch for
   * every key with state or new values; return `undefined` to drop the key. Needs `ssc.checkpoint`.
   */
  updateStateByKey<K, V, S = V>(
    this: DStream<[K, V]>,
    updateFunc: (values: V[], state: S | undefined) => S | undefined,
    numPartitions?: number,
    initialRDD?: RDD<[K, S]> | [K, S][],
  ): DStream<[K, S]> {
    return state.updateStateByKey(this, updateFunc, numPartitions, initialRDD);
  }

  /** Scala's `mapWithState`: a function per record with the key's `State`; see `StateSpec`. Needs `ssc.checkpoint`. */
  mapWithState<K, V, S, M>(this: DStream<[K, V]>, spec: StateSpec<K, V, S, M>): MapWithStateStream<K, S, M> {
    return state.mapWithState(this, spec);
  }

  keys<K, V>(this: DStream<[K, V]>): DStream<K> {
    return this.mapBatches((r) => r.keys());
  }

  values<K, V>(this: DStream<[K, V]>): DStream<V> {
    return this.mapBatches((r) => r.values());
  }

  mapValues<K, V, U>(this: DStream<[K, V]>, f: (v: V) => U): DStream<[K, U]> {
    return this.mapBatches((r) => r.mapValues(f));
  }

  flatMapValues<K, V, U>(this: DStream<[K, V]>, f: (v: V) => Iterable<U>): DStream<[K, U]> {
    return this.mapBatches((r) => r.flatMapValues(f), "FlatMapValuedDStream");
  }

  reduceByKey<K, V>(this: DStream<[K, V]>, f: (a: V, b: V) => V, numPartitions?: number): DStream<[K, V]> {
    const n = this.defaultPartitions(numPartitions);
    return this.mapBatches((r) => r.reduceByKey(f, n), "ShuffledDStream");
  }

  groupByKey<K, V>(this: DStream<[K, V]>, numPartitions?: number): DStream<[K, V[]]> {
    const n = this.defaultPartitions(numPartitions);
    return this.mapBatches((r) => r.groupByKey(n), "ShuffledDStream");
  }

  combineByKey<K, V, C>(
    this: DStream<[K, V]>,
    createCombiner: (v: V) => C,
    mergeValue: (c: C, v: V) => C,
    mergeCombiners: (a: C, b: C) => C,
    numPartitions?: number,
  ): DStream<[K, C]> {
    const n = this.defaultPartitions(numPartitions);
    return this.mapBatches((r) => r.combineByKey(createCombiner, mergeValue, mergeCombiners, n), "ShuffledDStream");
  }

  partitionBy<K, V>(this: DStream<[K, V]>, numPartitions: number, partitionFunc?: (key: K) => number): DStream<[K, V]> {
    return this.mapBatches((r) => r.partitionBy(numPartitions, partitionFunc), "ShuffledDStream");
  }

  join<K, V, W>(this: DStream<[K, V]>, other: DStream<[K, W]>, numPartitions?: number): DStream<[K, [V, W]]> {
    const n = this.defaultPartitions(numPartitions);
    return this.transformWith((a: RDD<[K, V]>, b: RDD<[K, W]>) => a.join(b, n), other);
  }

  leftOuterJoin<K, V, W>(
    this: DStream<[K, V]>,
    other: DStream<[K, W]>,
    numPartitions?: number,
  ): DStream<[K, [V, W | null]]> {
    const n = this.defaultPartitions(numPartitions);
    return this.transformWith((a: RDD<[K, V]>, b: RDD<[K, W]>) => a.leftOuterJoin(b, n), other);
  }

  rightOuterJoin<K, V, W>(
    this: DStream<[K, V]>,
    other: DStream<[K, W]>,
    numPartitions?: number,
  ): DStream<[K, [V | null, W]]> {
    const n = this.defaultPartitions(numPartitions);
    return this.transformWith((a: RDD<[K, V]>, b: RDD<[K, W]>) => a.rightOuterJoin(b, n), other);
  }

  fullOuterJoin<K, V, W>(
    this: DStream<[K, V]>,
    other: DStream<[K, W]>,
    numPartitions?: number,
  ): DStream<[K, [V | null, W | null]]> {
    const n = this.defaultPartitions(numPartitions);
    return this.transformWith((a: RDD<[K, V]>, b: RDD<[K, W]>) => a.fullOuterJoin(b, n), other);
  }

  cogroup<K, V, W>(this: DStream<[K, V]>, other: DStream<[K, W]>, numPartitions?: number): DStream<[K, [V[], W[]]]> {
    const n = this.defaultPartitions(numPartitions);
    return this.transformWith((a: RDD<[K, V]>, b: RDD<[K, W]>) => a.cogroup(b, n), other);
  }

  // ---- output operations ----

  /** Prints the first `num` records of every batch in PySpark's format. */
  pprint(num = 10): void {
    outputs.pprint(this, num);
  }

  /**
   * Saves each batch as a directory `prefix-<timeMs>[.suffix]` of part files, atomically: the
   * parts go to a temporary directory that is renamed into place, so a batch re-run after a
   * crash finds the finished directory and keeps it (never a duplicate or a partial one).
   */
  saveAsTextFiles(prefix: string, suffix?: string): void {
    outputs.saveBatches(this, "saveAsTextFiles", prefix, suffix, (rdd, dir) => rdd.saveAsTextFile(dir));
  }

  /** Each batch as a directory of Parquet files `prefix-<time ms>[.suffix]` (records are plain objects). */
  saveAsParquetFiles(prefix: string, suffix?: string): void {
    outputs.saveBatches(this, "saveAsParquetFiles", prefix, suffix, (rdd, dir) => rdd.saveAsParquetFile(dir));
  }

  /** Each batch as a directory of Avro files `prefix-<time ms>[.suffix]`, with `schema` or one inferred per file. */
  saveAsAvroFiles(prefix: string, suffix?: string, schema?: AvroSchema): void {
    outputs.saveBatches(this, "saveAsAvroFiles", prefix, suffix, (rdd, dir) => rdd.saveAsAvroFile(dir, schema));
  }

  /** Each batch as a directory of JSON-lines files `prefix-<time ms>[.suffix]`. */
  saveAsJsonFiles(prefix: string, suffix?: string): void {
    outputs.saveBatches(this, "saveAsJsonFiles", prefix, suffix, (rdd, dir) => rdd.saveAsJsonFile(dir));
  }

  /**
   * Hands every batch's records to `sink`: how connectors (PostgreSQL, Redis, NATS, RabbitMQ,
   * MQTT) and your own outputs reach streams. Connections the sink opens through the batch's
   * `connections` close when the context stops.
   * @example stream.saveTo({ name: "log", write: async ({ time, records }) => console.log(time, records.length) })
   */
  saveTo(sink: BatchSink<T>): void {
    outputs.saveTo(this, sink);
  }

  /**
   * `f(rdd)` or `f(time, rdd)` every batch (by the number of parameters `f` declares); an async `f` is awaited before
   * the next job.
   */
  foreachRDD(f: BatchFunc<T, unknown>): void {
    outputs.foreachRDD(this, f);
  }
}
