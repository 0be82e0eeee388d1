import { IllegalArgumentError } from "../util/errors.js";
import { HashPartitioner } from "../shuffle/partitioner.js";
import { toMillis } from "../util/duration.js";
import { DStream } from "./dstream.js";
import { EventTimeWindowDStream, type EventWindow, type OutputMode, type Timed } from "./dstream/event-time-window.js";

/** Reads a record's event time. (Declared as a method so event-time streams stay covariant in T, like DStream.) */
type Extractor<T> = { extract(record: T): number | Date }["extract"];

/** A stream of event-time window results, with the count of records dropped as too late. */
export interface EventTimeResult<R> extends DStream<R> {
  /** Records dropped so far because every window they belong to had closed. */
  droppedLateRecords(): number;
  /** The current watermark, as a Date (epoch 0 before any record). */
  watermark(): Date;
}

/**
 * Records placed by their own timestamps rather than by arrival (Structured Streaming's
 * event time, on DStreams). `withWatermark(delay)` says how late a record may be.
 * @example lines.withEventTime((r) => r.ts).withWatermark(10).windowByEventTime(30, 10).count()
 */
export class EventTimeStream<T> {
  constructor(
    private readonly stream: DStream<T>,
    private readonly extract: Extractor<T>,
    private readonly delayMs = 0,
  ) {}

  /** Accepts records up to `delaySeconds` behind the latest event time seen. */
  withWatermark(delaySeconds: number): EventTimeStream<T> {
    if (typeof delaySeconds !== "number" || !(delaySeconds >= 0))
      throw new IllegalArgumentError(`watermark delay must be >= 0 seconds, got ${delaySeconds}`);
    return new EventTimeStream(this.stream, this.extract, Math.round(delaySeconds * 1000));
  }

  /** Windows of `windowSeconds` every `slideSeconds` (tumbling when equal), in event time. */
  windowByEventTime(
    windowSeconds: number,
    slideSeconds: number = windowSeconds,
    outputMode: OutputMode = "append",
  ): EventTimeWindows<T> {
    const w = toMillis(windowSeconds, "event-time window duration");
    const s = toMillis(slideSeconds, "event-time slide duration");
    if (w % s !== 0)
      throw new IllegalArgumentError(
        `event-time window duration ${w / 1000}s is not a multiple of its slide ${s / 1000}s`,
      );
    return new EventTimeWindows(this.stream, this.extract, this.delayMs, w, s, outputMode);
  }
}

/** Aggregations over event-time windows. */
export class EventTimeWindows<T> {
  constructor(
    private readonly stream: DStream<T>,
    private readonly extract: Extractor<T>,
    private readonly delayMs: number,
    private readonly windowMs: number,
    private readonly slideMs: number,
    private readonly mode: OutputMode,
  ) {}

  private run<K, V>(
    toTimed: (x: T) => Timed<K, V>,
    reduce: (a: V, b: V) => V,
    numPartitions?: number,
  ): EventTimeResult<[EventWindow, K, V]> {
    const n = numPartitions ?? this.stream.ssc.sparkContext.defaultParallelism;
    const timed = this.stream.map(toTimed);
    const node = new EventTimeWindowDStream(
      timed,
      reduce,
      this.windowMs,
      this.slideMs,
      this.delayMs,
      new HashPartitioner(n),
      this.mode,
    );
    const internal = new DStream(this.stream.ssc, node);
    const results = internal.mapBatches(
      (rdd) => rdd.flatMap((r) => (r[0] === 1 ? [r[1]] : [])),
      "EventTimeResultsDStream",
    );
    return Object.assign(results, {
      droppedLateRecords: () => node.droppedLateRecords,
      watermark: () => new Date(Math.max(0, node.watermark)),
    });
  }

  private timeOf(x: T): number {
    const t = this.extract(x);
    const ms = t instanceof Date ? t.getTime() : t;
    if (typeof ms !== "number" || !Number.isFinite(ms))
      throw new IllegalArgumentError(
        `the event time of ${JSON.stringify(x)} is ${String(t)}, not a Date or epoch milliseconds`,
      );
    return ms;
  }

  /** `[window, count]` per window. */
  count(): EventTimeResult<[EventWindow, number]> {
    const out = this.run(
      (x): Timed<null, number> => [this.timeOf(x), null, 1],
      (a, b) => a + b,
    );
    const counts = out.mapBatches(
      (rdd) => rdd.map(([w, , n]): [EventWindow, number] => [w, n]),
      "EventTimeCountDStream",
    );
    return Object.assign(counts, { droppedLateRecords: out.droppedLateRecords, watermark: out.watermark });
  }

  /** `[window, key, reduced value]` per window and key. */
  reduceByKey<K, V>(
    this: EventTimeWindows<[K, V]>,
    f: (a: V, b: V) => V,
    numPartitions?: number,
  ): EventTimeResult<[EventWindow, K, V]> {
    return this.run((kv): Timed<K, V> => [this.timeOf(kv), kv[0], kv[1]], f, numPartitions);
  }
}
