import { cogroupMany } from "../../core/pair-functions.js";
import type { RDD } from "../../core/rdd.js";
import type { Partitioner } from "../../shuffle/partitioner.js";
import type { DStream } from "../dstream.js";
import { StatefulNode } from "./node.js";

/** An event-time window: records with `start <= eventTime < end`. */
export interface EventWindow {
  readonly start: Date;
  readonly end: Date;
}

/** A record placed in event time: `[eventTimeMs, key, value]`. */
export type Timed<K, V> = [number, K, V];

/** A batch of the node: kept aggregates (state) and emitted results. */
export type EventWindowRecord<K, V> = [0, [number, K], V] | [1, [EventWindow, K, V]];

/** How results are emitted: once per window when it closes, or every batch the window changes. */
export type OutputMode = "append" | "update";

/**
 * Aggregates records by the windows their own timestamps fall in. The watermark is the
 * latest event time seen in earlier batches minus the allowed delay; records whose every
 * window ended at or before it are dropped (and counted); a window's aggregate is emitted
 * and freed once the watermark passes its end ("append"), or emitted whenever it changes
 * ("update", freed the same way).
 */
export class EventTimeWindowDStream<K, V> extends StatefulNode<Timed<K, V>, EventWindowRecord<K, V>> {
  readonly kind = "EventTimeWindowDStream";
  private maxEventTime = -Infinity;
  private readonly frozen = new Map<number, number>();
  /** Records dropped because every window they belong to had closed. */
  droppedLateRecords = 0;

  constructor(
    parent: DStream<Timed<K, V>>,
    private readonly reduce: (a: V, b: V) => V,
    private readonly windowMs: number,
    private readonly slide: number,
    private readonly delayMs: number,
    private readonly partitioner: Partitioner,
    private readonly mode: OutputMode,
  ) {
    super(parent);
  }

  /** The watermark batch `time` works with: fixed by the first task of the batch, from earlier batches only. */
  watermarkFor(time: number): number {
    let wm = this.frozen.get(time);
    if (wm === undefined) {
      wm = this.maxEventTime - this.delayMs;
      this.frozen.set(time, wm);
      for (const t of this.frozen.keys()) if (t < time - 10 * this.slideMs()) this.frozen.delete(t);
    }
    return wm;
  }

  /** The current watermark (ms), after every batch processed so far. */
  get watermark(): number {
    return this.maxEventTime - this.delayMs;
  }

  /** Starts of the windows holding event time `e`: multiples of the slide in `(e - W, e]`. */
  private windowStarts(e: number): number[] {
    const starts: number[] = [];
    for (let s = Math.floor(e / this.slide) * this.slide; s > e - this.windowMs; s -= this.slide) starts.push(s);
    return starts;
  }

  compute(time: number): RDD<EventWindowRecord<K, V>> | undefined {
    const before = this.previousRDD(time);
    const previous = before?.mapPartitions((items) => {
      const kept: [[number, K], V][] = [];
      for (const r of items) if (r[0] === 0) kept.push([r[1], r[2]]);
      return kept;
    }, true);
    const batch = this.parent.getOrCompute(time);
    const w = this.windowMs;
    const placed = batch
      ?.flatMap(([e, k, v]) => {
        const wm = this.watermarkFor(time);
        if (e > this.maxEventTime) this.maxEventTime = e;
        const out: [[number, K], V][] = [];
        for (const s of this.windowStarts(e)) if (s + w > wm) out.push([[s, k], v]);
        if (out.length === 0) this.droppedLateRecords++;
        return out;
      })
      .reduceByKey(this.reduce);
    const parents = [previous, placed].filter((r): r is RDD<[[number, K], V]> => r !== undefined);
    if (parents.length === 0) return undefined;
    const hasPrevious = previous !== undefined;
    const { reduce, mode } = this;
    return cogroupMany(parents as RDD<[[number, K], unknown]>[], this.partitioner, "windowByEventTime").mapPartitions(
      (items) => {
        const wm = this.watermarkFor(time);
        const out: EventWindowRecord<K, V>[] = [];
        for (const [[start, key], groups] of items) {
          const old = (hasPrevious ? groups[0] : []) as V[];
          const fresh = (placed ? groups[groups.length - 1] : []) as V[];
          let value = (old.length > 0 ? old[0] : fresh[0]) as V;
          for (let i = old.length > 0 ? 0 : 1; i < fresh.length; i++) value = reduce(value, fresh[i]!);
          const window = { start: new Date(start), end: new Date(start + w) };
          if (start + w <= wm) {
            if (mode === "append" || fresh.length > 0) out.push([1, [window, key, value]]);
          } else {
            out.push([0, [start, key], value]);
            if (mode === "update" && fresh.length > 0) out.push([1, [window, key, value]]);
          }
        }
        return out;
      },
      true,
    );
  }
}
