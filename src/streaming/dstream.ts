import { IllegalArgumentError, IllegalStateError } from "../core/errors.js";
import type { RDD } from "../core/rdd.js";
import { StorageLevel } from "../core/storage-level.js";
import { toMillis, toMultipleOf } from "../util/duration.js";
import { HashPartitioner } from "../shuffle/partitioner.js";
import type { StreamingContext } from "./context.js";
import { MappedDStream } from "./dstream/mapped.js";
import { MapWithStateDStream } from "./dstream/map-with-state.js";
import { ReducedWindowedDStream } from "./dstream/reduced-windowed.js";
import { StateDStream } from "./dstream/state-dstream.js";
import { WindowedDStream } from "./dstream/windowed.js";
import type { StateSpec } from "./state.js";
import { EventTimeStream } from "./event-time.js";
import type { DStreamNode } from "./dstream/node.js";
import { ForEachDStream } from "./dstream/output.js";
import { TransformedDStream } from "./dstream/transformed.js";
import { UnionDStream } from "./dstream/union.js";
import { formatPprint } from "./pprint.js";
import type { AvroSchema } from "../util/formats/avro.js";
import { saveAtomically } from "./save-atomically.js";
import { writeBatchToPostgres, type PostgresSinkOptions } from "../sinks/postgres.js";
import { writeBatchToRedis, type RedisSinkOptions } from "../sinks/redis.js";
import { publishBatchToNats, type NatsSinkOptions } from "../sinks/nats.js";
import { publishBatchToMqtt, publishBatchToRabbitMQ, type MqttSinkOptions, type RabbitMQSinkOptions } from "../sinks/brokers.js";

/** The stream `mapWithState` returns: the mapped values, and the states on demand. */
export interface MapWithStateStream<K, S, M> extends DStream<M> {
  /** Every live `[key, state]`, each batch. */
  stateSnapshots(): DStream<[K, S]>;
}

/** `(rdd)` or `(time, rdd)`: the function's arity says which, as in PySpark. */
export type BatchFunc<T, R> = ((rdd: RDD<T>) => R) | ((time: Date, rdd: RDD<T>) => R);

/**
 * A discretized stream: one RDD per batch interval. Transformations describe a new stream
 * lazily; output operations (`pprint`, `saveAsTextFiles`, `foreachRDD`) register jobs that
 * run every batch once the context starts. Pair methods exist only on `DStream<[K, V]>`.
 * @example lines.flatMap((l) => l.split(" ")).map((w): [string, number] => [w, 1]).reduceByKey((a, b) => a + b).pprint()
 */
export class DStream<T> {
  readonly id: number;
  private readonly generated = new Map<number, RDD<T>>();
  private zeroTime: number | undefined;
  private rememberMs = 0;
  private storage = StorageLevel.NONE;
  private checkpointMs: number | undefined;

  constructor(readonly ssc: StreamingContext, readonly node: DStreamNode<T>) {
    this.id = ssc.graph.add(this as DStream<unknown>);
    node.bind?.(this);
  }

  /** How long (ms) this stream keeps its RDDs; fixed at start. */
  get rememberDuration(): number {
    return this.rememberMs;
  }

  /** The time the stream's batches count from (one slide before the first). */
  get zero(): number {
    if (this.zeroTime === undefined) throw new IllegalStateError(`${this.node.kind} [${this.id}] has not been initialized: start the StreamingContext first`);
    return this.zeroTime;
  }

  /** Sets the RDD of `time` (recovery puts saved state back this way). */
  restore(time: number, rdd: RDD<T>): void {
    this.generated.set(time, rdd);
  }

  /** The RDD already generated for `time`, if any (never computes). */
  generatedAt(time: number): RDD<T> | undefined {
    return this.generated.get(time);
  }

  /** Interval between this stream's RDDs, in seconds. */
  get slideDuration(): number {
    return this.slideMs() / 1000;
  }

  slideMs(): number {
    return this.node.slideMs();
  }

  context(): StreamingContext {
    return this.ssc;
  }

  // ---- engine side ----

  /** Fixes the zero time; batch times are `zero + k * slide`, k >= 1. */
  initialize(zeroTime: number): void {
    this.zeroTime = zeroTime;
  }

  /** Keeps RDDs at least `ms` (and at least one slide); parents keep what this one needs. */
  setRememberMs(ms: number): void {
    this.rememberMs = Math.max(this.rememberMs, ms, this.slideMs());
    const parentMs = this.node.parentRememberMs?.(this.rememberMs) ?? this.rememberMs;
    for (const dep of this.node.dependencies) dep.setRememberMs(parentMs);
  }

  /** Checks settings that depend on the finished graph (Spark checks them at `start()`). */
  validateAtStart(): void {
    const ms = this.checkpointMs;
    if (ms === undefined) return;
    const slide = this.slideMs();
    if (ms < slide) throw new IllegalArgumentError(`The checkpoint interval for ${this.node.kind} has been set to ${ms} ms which is lower than its slide time (${slide} ms). Please set it to at least ${slide} ms.`);
    if (ms % slide !== 0) throw new IllegalArgumentError(`The checkpoint interval for ${this.node.kind} has been set to ${ms} ms which not a multiple of its slide time (${slide} ms). Please set it to a multiple of ${slide} ms.`);
  }

  /** Whether this stream produces an RDD at `time`. */
  isTimeValid(time: number): boolean {
    if (this.zeroTime === undefined) throw new IllegalStateError(`${this.node.kind} [${this.id}] has not been initialized: start the StreamingContext first`);
    return time > this.zeroTime && (time - this.zeroTime) % this.slideMs() === 0;
  }

  /** The RDD for `time`, computed once and remembered; none when the time is not on this stream's grid. */
  getOrCompute(time: number): RDD<T> | undefined {
    const known = this.generated.get(time);
    if (known) return known;
    if (!this.isTimeValid(time)) return undefined;
    const rdd = this.node.compute(time);
    if (!rdd) return undefined;
    if (this.storage !== StorageLevel.NONE) rdd.persist(this.storage);
    else if (this.node.stateful && !rdd.isPersisted) rdd.persist(StorageLevel.MEMORY_ONLY);
    this.generated.set(time, rdd);
    return rdd;
  }

  /** Forgets (and unpersists) RDDs older than the remember duration as of `time`. */
  clearMetadata(time: number): void {
    for (const [t, rdd] of this.generated) {
      if (t <= time - this.rememberMs) {
        this.generated.delete(t);
        // a stateful stream may hand the same RDD on to a later batch: keep it cached then
        if (rdd.isPersisted && !Array.from(this.generated.values()).includes(rdd)) rdd.unpersist();
      }
    }
  }

  private derive<U>(node: DStreamNode<U>): DStream<U> {
    return new DStream(this.ssc, node);
  }

  /** A stream applying `fn` to every batch RDD; `kind` names it in messages. */
  mapBatches<U>(fn: (rdd: RDD<T>) => RDD<U>, kind = "MappedDStream"): DStream<U> {
    return this.derive(new MappedDStream(this, fn, kind));
  }

  private defaultPartitions(n?: number): number {
    return n ?? this.ssc.sparkContext.defaultParallelism;
  }

  // ---- per-batch transformations ----

  map<U>(f: (x: T) => U): DStream<U> { return this.mapBatches((r) => r.map(f)); }
  flatMap<U>(f: (x: T) => Iterable<U>): DStream<U> { return this.mapBatches((r) => r.flatMap(f), "FlatMappedDStream"); }
  filter(f: (x: T) => boolean): DStream<T> { return this.mapBatches((r) => r.filter(f), "FilteredDStream"); }
  mapPartitions<U>(f: (it: T[]) => Iterable<U>): DStream<U> { return this.mapBatches((r) => r.mapPartitions(f), "MapPartitionedDStream"); }
  mapPartitionsWithIndex<U>(f: (i: number, it: T[]) => Iterable<U>): DStream<U> { return this.mapBatches((r) => r.mapPartitionsWithIndex(f), "MapPartitionedDStream"); }
  glom(): DStream<T[]> { return this.mapBatches((r) => r.glom(), "GlommedDStream"); }
  repartition(numPartitions: number): DStream<T> { return this.mapBatches((r) => r.repartition(numPartitions), "ShuffledDStream"); }

  /** One element per batch: the number of records (0 for an empty batch). */
  count(): DStream<number> {
    return this.mapBatches((r) => {
      const zero = r.context.parallelize<[null, number]>([[null, 0]], 1);
      return r.map((): [null, number] => [null, 1]).union(zero).reduceByKey((a, b) => a + b, 1).values();
    }, "ShuffledDStream");
  }

  countByValue(numPartitions?: number): DStream<[T, number]> {
    const n = this.defaultPartitions(numPartitions);
    return this.mapBatches((r) => r.map((x): [T, number] => [x, 1]).reduceByKey((a, b) => a + b, n), "ShuffledDStream");
  }

  /** One element per batch, the reduction of its records; an empty batch gives an empty RDD. */
  reduce(f: (a: T, b: T) => T): DStream<T> {
    return this.mapBatches((r) => r.map((x): [null, T] => [null, x]).reduceByKey(f, 1).values(), "ShuffledDStream");
  }

  union(other: DStream<T>): DStream<T> {
    if (other.slideMs() !== this.slideMs()) throw new IllegalArgumentError(`the two DStream should have same slide duration (${this.slideMs()} ms vs ${other.slideMs()} ms)`);
    return this.derive(new UnionDStream([this, other]));
  }

  /** `f(rdd)` or `f(time, rdd)` on every batch, on the driver; it may use any RDD. */
  transform<U>(f: (rdd: RDD<T>) => RDD<U>): DStream<U>;
  transform<U>(f: (time: Date, rdd: RDD<T>) => RDD<U>): DStream<U>;
  transform<U>(f: BatchFunc<T, RDD<U>>): DStream<U> {
    const call = byArity(f, "transform");
    return this.derive(new TransformedDStream<U>([this as DStream<unknown>], (rdds, time) => call(time, rdds[0] as RDD<T>)));
  }

  /** `f(a, b)` or `f(time, a, b)` with this stream's and `other`'s RDDs of the same batch. */
  transformWith<U, V>(f: (a: RDD<T>, b: RDD<U>) => RDD<V>, other: DStream<U>): DStream<V>;
  transformWith<U, V>(f: (time: Date, a: RDD<T>, b: RDD<U>) => RDD<V>, other: DStream<U>): DStream<V>;
  transformWith<U, V>(f: ((a: RDD<T>, b: RDD<U>) => RDD<V>) | ((time: Date, a: RDD<T>, b: RDD<U>) => RDD<V>), other: DStream<U>): DStream<V> {
    if (f.length !== 2 && f.length !== 3) throw new IllegalArgumentError(`func should take two or three arguments, got ${f.length}`);
    const fn = f.length === 3 ? (f as (t: Date, a: RDD<T>, b: RDD<U>) => RDD<V>) : (t: Date, a: RDD<T>, b: RDD<U>) => (f as (a: RDD<T>, b: RDD<U>) => RDD<V>)(a, b);
    return this.derive(new TransformedDStream<V>([this as DStream<unknown>, other as DStream<unknown>], (rdds, time) => fn(time, rdds[0] as RDD<T>, rdds[1] as RDD<U>)));
  }

  cache(): this {
    return this.persist(StorageLevel.MEMORY_ONLY);
  }

  persist(level: StorageLevel = StorageLevel.MEMORY_ONLY): this {
    if (this.ssc.getState() !== "INITIALIZED") throw new IllegalStateError("Cannot change storage level of a DStream after streaming context has started");
    this.storage = level;
    return this;
  }

  /** Marks RDDs at multiples of `interval` seconds for checkpointing (data is kept by issue 6's checkpoint layer). */
  checkpoint(interval: number): this {
    if (this.ssc.getState() !== "INITIALIZED") throw new IllegalStateError("Cannot change checkpoint interval of a DStream after streaming context has started");
    this.checkpointMs = toMillis(interval, "checkpoint interval");
    this.persist(this.storage === StorageLevel.NONE ? StorageLevel.MEMORY_ONLY : this.storage);
    return this;
  }

  get checkpointInterval(): number | undefined {
    return this.checkpointMs === undefined ? undefined : this.checkpointMs / 1000;
  }

  /**
   * The remembered RDDs at times in `[begin, end]` (Dates or epoch seconds), both ends
   * floored onto this stream's slide grid.
   */
  slice(begin: Date | number, end: Date | number): RDD<T>[] {
    if (this.zeroTime === undefined) throw new IllegalStateError("slice() needs a started StreamingContext");
    const toMs = (x: Date | number) => (x instanceof Date ? x.getTime() : Math.round(x * 1000));
    const slide = this.slideMs();
    const floor = (ms: number) => this.zeroTime! + Math.floor((ms - this.zeroTime!) / slide) * slide;
    const from = floor(toMs(begin));
    const to = floor(toMs(end));
    const out: RDD<T>[] = [];
    for (let t = Math.max(from, this.zeroTime + slide); t <= to; t += slide) {
      const rdd = this.generated.get(t);
      if (rdd) out.push(rdd);
    }
    return out;
  }

  // ---- event time ----

  /** Places records by their own timestamp (epoch ms or Date) for `windowByEventTime`. */
  withEventTime(extractTimestamp: (record: T) => number | Date): EventTimeStream<T> {
    return new EventTimeStream(this, extractTimestamp);
  }

  // ---- windows ----

  /** The window's duration and slide in ms, checked against this stream's slide. */
  private windowArgs(windowDuration: number, slideDuration?: number): [number, number] {
    const parent = this.slideMs();
    const w = toMultipleOf(windowDuration, parent, "window duration");
    const s = slideDuration === undefined ? parent : toMultipleOf(slideDuration, parent, "slide duration");
    return [w, s];
  }

  /** Every `slideDuration` seconds, the union of the batches of the last `windowDuration` seconds. */
  window(windowDuration: number, slideDuration?: number): DStream<T> {
    const [w, s] = this.windowArgs(windowDuration, slideDuration);
    return this.derive(new WindowedDStream(this, w, s));
  }

  /** Records in each window (incremental; needs `ssc.checkpoint`). */
  countByWindow(windowDuration: number, slideDuration: number): DStream<number> {
    return this.map((): number => 1).reduceByWindow((a, b) => a + b, (a, b) => a - b, windowDuration, slideDuration);
  }

  /** One element per window: the reduction of its records; with `invFunc`, incremental. */
  reduceByWindow(reduceFunc: (a: T, b: T) => T, invReduceFunc: ((a: T, b: T) => T) | null | undefined, windowDuration: number, slideDuration: number): DStream<T> {
    if (!invReduceFunc) return this.reduce(reduceFunc).window(windowDuration, slideDuration).reduce(reduceFunc);
    return this.map((x): [number, T] => [1, x]).reduceByKeyAndWindow(reduceFunc, invReduceFunc, windowDuration, slideDuration, 1).values();
  }

  /** `[value, count]` over each window; counts that fall to 0 are dropped (needs `ssc.checkpoint`). */
  countByValueAndWindow(windowDuration: number, slideDuration: number, numPartitions?: number): DStream<[T, number]> {
    return this.map((x): [T, number] => [x, 1]).reduceByKeyAndWindow((a, b) => a + b, (a, b) => a - b, windowDuration, slideDuration, numPartitions, ([, n]) => n > 0);
  }

  // ---- pair transformations ----

  /** Each window's values per key; incremental (needs `ssc.checkpoint`). */
  groupByKeyAndWindow<K, V>(this: DStream<[K, V]>, windowDuration: number, slideDuration: number, numPartitions?: number): DStream<[K, V[]]> {
    return this.groupByKey(numPartitions).reduceByKeyAndWindow(
      (a: V[], b: V[]) => a.concat(b),
      (a: V[], b: V[]) => a.slice(b.length),
      windowDuration, slideDuration, numPartitions, ([, vs]) => vs.length > 0,
    );
  }

  /**
   * Per key, `func` over each window's values. Without `invFunc`: the window is reduced
   * again every slide. With it: incrementally (values leaving are taken out with `invFunc`),
   * which needs `ssc.checkpoint`; keys stay with their "zero" value unless `filterFunc` drops them.
   */
  reduceByKeyAndWindow<K, V>(this: DStream<[K, V]>, func: (a: V, b: V) => V, invFunc: ((a: V, b: V) => V) | null | undefined, windowDuration: number, slideDuration?: number, numPartitions?: number, filterFunc?: (kv: [K, V]) => boolean): DStream<[K, V]> {
    const [w, s] = this.windowArgs(windowDuration, slideDuration);
    const n = this.defaultPartitions(numPartitions);
    const reduced = this.reduceByKey(func, n);
    if (!invFunc) {
      const windowed = reduced.derive(new WindowedDStream(reduced, w, s)).reduceByKey(func, n);
      return filterFunc ? windowed.filter(filterFunc) : windowed;
    }
    return reduced.derive(new ReducedWindowedDStream(reduced, func, invFunc, w, s, new HashPartitioner(n), filterFunc));
  }

  /**
   * Keeps a state per key across batches: `update(newValues, oldState)` runs every batch for
   * every key with state or new values; return `undefined` to drop the key. Needs `ssc.checkpoint`.
   */
  updateStateByKey<K, V, S>(this: DStream<[K, V]>, updateFunc: (values: V[], state: S | undefined) => S | undefined, numPartitions?: number, initialRDD?: RDD<[K, S]> | [K, S][]): DStream<[K, S]> {
    const n = this.defaultPartitions(numPartitions);
    const initial = Array.isArray(initialRDD) ? this.ssc.sparkContext.parallelize(initialRDD) : initialRDD;
    return this.derive(new StateDStream(this, updateFunc, new HashPartitioner(n), initial));
  }

  /** Scala's `mapWithState`: a function per record with the key's `State`; see `StateSpec`. Needs `ssc.checkpoint`. */
  mapWithState<K, V, S, M>(this: DStream<[K, V]>, spec: StateSpec<K, V, S, M>): MapWithStateStream<K, S, M> {
    const partitioner = new HashPartitioner(this.defaultPartitions(spec.partitions));
    const internal = this.derive(new MapWithStateDStream(this, spec, partitioner));
    const mapped = internal.mapBatches((rdd) => rdd.flatMap((r) => (r[0] === 1 ? [r[1]] : [])), "MappedWithStateDStream");
    const stateSnapshots = () => internal.mapBatches((rdd) => MapWithStateDStream.states(rdd).mapValues(([s]) => s), "StateSnapshotsDStream");
    return Object.assign(mapped, { stateSnapshots });
  }

  keys<K, V>(this: DStream<[K, V]>): DStream<K> { return this.mapBatches((r) => r.keys()); }
  values<K, V>(this: DStream<[K, V]>): DStream<V> { return this.mapBatches((r) => r.values()); }
  mapValues<K, V, U>(this: DStream<[K, V]>, f: (v: V) => U): DStream<[K, U]> { return this.mapBatches((r) => r.mapValues(f)); }
  flatMapValues<K, V, U>(this: DStream<[K, V]>, f: (v: V) => Iterable<U>): DStream<[K, U]> { return this.mapBatches((r) => r.flatMapValues(f), "FlatMapValuedDStream"); }

  reduceByKey<K, V>(this: DStream<[K, V]>, f: (a: V, b: V) => V, numPartitions?: number): DStream<[K, V]> {
    const n = this.defaultPartitions(numPartitions);
    return this.mapBatches((r) => r.reduceByKey(f, n), "ShuffledDStream");
  }

  groupByKey<K, V>(this: DStream<[K, V]>, numPartitions?: number): DStream<[K, V[]]> {
    const n = this.defaultPartitions(numPartitions);
    return this.mapBatches((r) => r.groupByKey(n), "ShuffledDStream");
  }

  combineByKey<K, V, C>(this: DStream<[K, V]>, createCombiner: (v: V) => C, mergeValue: (c: C, v: V) => C, mergeCombiners: (a: C, b: C) => C, numPartitions?: number): DStream<[K, C]> {
    const n = this.defaultPartitions(numPartitions);
    return this.mapBatches((r) => r.combineByKey(createCombiner, mergeValue, mergeCombiners, n), "ShuffledDStream");
  }

  partitionBy<K, V>(this: DStream<[K, V]>, numPartitions: number, partitionFunc?: (key: K) => number): DStream<[K, V]> {
    return this.mapBatches((r) => r.partitionBy(numPartitions, partitionFunc), "ShuffledDStream");
  }

  private pairWith<K, V, W, R>(this: DStream<[K, V]>, other: DStream<[K, W]>, f: (a: RDD<[K, V]>, b: RDD<[K, W]>, n: number) => RDD<R>, numPartitions?: number): DStream<R> {
    const n = this.defaultPartitions(numPartitions);
    return this.transformWith((a: RDD<[K, V]>, b: RDD<[K, W]>) => f(a, b, n), other);
  }

  join<K, V, W>(this: DStream<[K, V]>, other: DStream<[K, W]>, numPartitions?: number): DStream<[K, [V, W]]> {
    return this.pairWith(other, (a, b, n) => a.join(b, n), numPartitions);
  }

  leftOuterJoin<K, V, W>(this: DStream<[K, V]>, other: DStream<[K, W]>, numPartitions?: number): DStream<[K, [V, W | null]]> {
    return this.pairWith(other, (a, b, n) => a.leftOuterJoin(b, n), numPartitions);
  }

  rightOuterJoin<K, V, W>(this: DStream<[K, V]>, other: DStream<[K, W]>, numPartitions?: number): DStream<[K, [V | null, W]]> {
    return this.pairWith(other, (a, b, n) => a.rightOuterJoin(b, n), numPartitions);
  }

  fullOuterJoin<K, V, W>(this: DStream<[K, V]>, other: DStream<[K, W]>, numPartitions?: number): DStream<[K, [V | null, W | null]]> {
    return this.pairWith(other, (a, b, n) => a.fullOuterJoin(b, n), numPartitions);
  }

  cogroup<K, V, W>(this: DStream<[K, V]>, other: DStream<[K, W]>, numPartitions?: number): DStream<[K, [V[], W[]]]> {
    return this.pairWith(other, (a, b, n) => a.cogroup(b, n), numPartitions);
  }

  // ---- output operations ----

  /** Registers an output: `fn(rdd, batchTimeMs)` runs as the batch's job. */
  private addOutput(name: string, fn: (rdd: RDD<T>, time: number) => void | Promise<void>): void {
    const out = new DStream<never>(this.ssc, new ForEachDStream(this, name, fn, this.ssc.graph.outputs.length));
    this.ssc.graph.addOutput(out as DStream<unknown>);
  }

  /** Prints the first `num` records of every batch in PySpark's format. */
  pprint(num = 10): void {
    if (!Number.isInteger(num) || num < 0) throw new IllegalArgumentError(`pprint(num) needs a whole number >= 0, got ${num}`);
    const out = this.ssc.out;
    this.addOutput("pprint", async (rdd, time) => out(formatPprint(time, await rdd.take(num + 1), num)));
  }

  /**
   * Saves each batch as a directory `prefix-<timeMs>[.suffix]` of part files, atomically: the
   * parts go to a temporary directory that is renamed into place, so a batch re-run after a
   * crash finds the finished directory and keeps it (never a duplicate or a partial one).
   */
  saveAsTextFiles(prefix: string, suffix?: string): void {
    this.saveBatches("saveAsTextFiles", prefix, suffix, (rdd, dir) => rdd.saveAsTextFile(dir));
  }

  /** Each batch as a directory of Parquet files `prefix-<time ms>[.suffix]` (records are plain objects). */
  saveAsParquetFiles(prefix: string, suffix?: string): void {
    this.saveBatches("saveAsParquetFiles", prefix, suffix, (rdd, dir) => rdd.saveAsParquetFile(dir));
  }

  /** Each batch as a directory of Avro files `prefix-<time ms>[.suffix]`, with `schema` or one inferred per file. */
  saveAsAvroFiles(prefix: string, suffix?: string, schema?: AvroSchema): void {
    this.saveBatches("saveAsAvroFiles", prefix, suffix, (rdd, dir) => rdd.saveAsAvroFile(dir, schema));
  }

  /** Each batch as a directory of JSON-lines files `prefix-<time ms>[.suffix]`. */
  saveAsJsonFiles(prefix: string, suffix?: string): void {
    this.saveBatches("saveAsJsonFiles", prefix, suffix, (rdd, dir) => rdd.saveAsJsonFile(dir));
  }

  /** Each batch written whole or not at all, at `prefix-<time ms>[.suffix]` (a re-run batch keeps its finished directory). */
  private saveBatches(name: string, prefix: string, suffix: string | undefined, write: (rdd: RDD<unknown>, dir: string) => Promise<void>): void {
    this.addOutput(name, async (rdd, time) => {
      await saveAtomically(rdd, suffix ? `${prefix}-${time}.${suffix}` : `${prefix}-${time}`, write);
    });
  }

  /**
   * Writes each batch's rows (objects) to a PostgreSQL table, idempotently by batch time:
   * `{ url, mode: "upsert", key: ["user"] }` or `{ url, mode: "append" }`. A batch re-run after a
   * crash changes nothing it already wrote.
   */
  saveToPostgres(this: DStream<Record<string, unknown>>, table: string, opts: PostgresSinkOptions): void {
    if (opts.mode === "upsert" && !opts.key?.length) throw new IllegalArgumentError(`saveToPostgres("${table}") in upsert mode needs key columns`);
    const outputId = this.ssc.graph.outputs.length;
    this.addOutput("saveToPostgres", async (rdd, time) => writeBatchToPostgres(table, await rdd.collect(), time, outputId, opts));
  }

  /** Writes each batch's `[key, value]` pairs into a Redis hash, at most once per batch time (re-runs write nothing). */
  saveToRedis<K, V>(this: DStream<[K, V]>, opts: RedisSinkOptions): void {
    const outputId = this.ssc.graph.outputs.length;
    this.addOutput("saveToRedis", async (rdd, time) => {
      await writeBatchToRedis(await rdd.collect(), time, outputId, opts);
    });
  }

  /** Publishes each batch's records to a NATS JetStream subject, with per-record ids JetStream deduplicates. */
  publishToNats(opts: NatsSinkOptions): void {
    const outputId = this.ssc.graph.outputs.length;
    this.addOutput("publishToNats", async (rdd, time) => {
      await publishBatchToNats(await rdd.collect(), time, outputId, opts);
    });
  }

  /** Publishes each batch's records to a RabbitMQ queue (confirmed; message ids from the batch time). */
  publishToRabbitMQ(opts: RabbitMQSinkOptions): void {
    const outputId = this.ssc.graph.outputs.length;
    this.addOutput("publishToRabbitMQ", async (rdd, time) => publishBatchToRabbitMQ(await rdd.collect(), time, outputId, opts));
  }

  /** Publishes each batch's records to an MQTT topic (QoS 1; message ids from the batch time). */
  publishToMqtt(opts: MqttSinkOptions): void {
    const outputId = this.ssc.graph.outputs.length;
    this.addOutput("publishToMqtt", async (rdd, time) => publishBatchToMqtt(await rdd.collect(), time, outputId, opts));
  }

  /** `f(rdd)` or `f(time, rdd)` every batch; an async `f` is awaited before the next job. */
  foreachRDD(f: (rdd: RDD<T>) => unknown): void;
  foreachRDD(f: (time: Date, rdd: RDD<T>) => unknown): void;
  foreachRDD(f: BatchFunc<T, unknown>): void {
    const call = byArity(f, "foreachRDD");
    this.addOutput("foreachRDD", async (rdd, time) => {
      await call(new Date(time), rdd);
    });
  }
}

function byArity<T, R>(f: BatchFunc<T, R>, what: string): (time: Date, rdd: RDD<T>) => R {
  if (typeof f !== "function") throw new IllegalArgumentError(`${what} needs a function, got ${typeof f}`);
  if (f.length === 2) return f as (time: Date, rdd: RDD<T>) => R;
  if (f.length === 1) return (_time, rdd) => (f as (rdd: RDD<T>) => R)(rdd);
  throw new IllegalArgumentError(`func should take one or two arguments, got ${f.length}`);
}
