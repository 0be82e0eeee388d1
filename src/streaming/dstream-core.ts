import type { RDD } from "../core/rdd.js";
import { StorageLevel } from "../core/storage-level.js";
import { toMillis } from "../util/duration.js";
import { IllegalArgumentError, IllegalStateError } from "../util/errors.js";
import type { StreamingContext } from "./context.js";
import type { DStreamNode } from "./dstream/node.js";

/**
 * The engine side of a DStream: its id in the graph, its zero time, the RDDs it generated and
 * remembers, and its storage and checkpoint settings. `DStream` adds the public operators.
 */
export abstract class DStreamCore<T> {
  readonly id: number;
  protected readonly generated = new Map<number, RDD<T>>();
  protected zeroTime: number | undefined;
  private rememberMs = 0;
  protected storage = StorageLevel.NONE;
  protected checkpointMs: number | undefined;

  constructor(
    readonly ssc: StreamingContext,
    readonly node: DStreamNode<T>,
  ) {
    this.id = ssc.graph.add(this as DStreamCore<unknown>);
    node.bind?.(this);
  }

  /** How long (ms) this stream keeps its RDDs; fixed at start. */
  get rememberDuration(): number {
    return this.rememberMs;
  }

  /** The time the stream's batches count from (one slide before the first). */
  get zero(): number {
    if (this.zeroTime === undefined)
      throw new IllegalStateError(
        `${this.node.kind} [${this.id}] has not been initialized: start the StreamingContext first`,
      );
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
    if (ms < slide)
      throw new IllegalArgumentError(
        `The checkpoint interval for ${this.node.kind} has been set to ${ms} ms which is lower than its slide ` +
          `time (${slide} ms). Please set it to at least ${slide} ms.`,
      );
    if (ms % slide !== 0)
      throw new IllegalArgumentError(
        `The checkpoint interval for ${this.node.kind} has been set to ${ms} ms which not a multiple of its ` +
          `slide time (${slide} ms). Please set it to a multiple of ${slide} ms.`,
      );
  }

  /** Whether this stream produces an RDD at `time`. */
  isTimeValid(time: number): boolean {
    if (this.zeroTime === undefined)
      throw new IllegalStateError(
        `${this.node.kind} [${this.id}] has not been initialized: start the StreamingContext first`,
      );
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

  /**
   * The remembered RDDs at times in `[begin, end]` (Dates or epoch seconds), both ends
   * floored onto this stream's slide grid.
   */
  slice(begin: Date | number, end: Date | number): RDD<T>[] {
    const zero = this.zeroTime;
    if (zero === undefined) throw new IllegalStateError("slice() needs a started StreamingContext");
    const toMs = (x: Date | number) => (x instanceof Date ? x.getTime() : Math.round(x * 1000));
    const slide = this.slideMs();
    const floor = (ms: number) => zero + Math.floor((ms - zero) / slide) * slide;
    const out: RDD<T>[] = [];
    for (let t = Math.max(floor(toMs(begin)), zero + slide); t <= floor(toMs(end)); t += slide) {
      const rdd = this.generated.get(t);
      if (rdd) out.push(rdd);
    }
    return out;
  }

  cache(): this {
    return this.persist(StorageLevel.MEMORY_ONLY);
  }

  persist(level: StorageLevel = StorageLevel.MEMORY_ONLY): this {
    if (this.ssc.getState() !== "INITIALIZED") {
      throw new IllegalStateError("Cannot change storage level of a DStream after streaming context has started");
    }
    this.storage = level;
    return this;
  }

  /** Marks RDDs at multiples of `interval` seconds for checkpointing. */
  checkpoint(interval: number): this {
    if (this.ssc.getState() !== "INITIALIZED") {
      throw new IllegalStateError("Cannot change checkpoint interval of a DStream after streaming context has started");
    }
    this.checkpointMs = toMillis(interval, "checkpoint interval");
    this.persist(this.storage === StorageLevel.NONE ? StorageLevel.MEMORY_ONLY : this.storage);
    return this;
  }

  get checkpointInterval(): number | undefined {
    return this.checkpointMs === undefined ? undefined : this.checkpointMs / 1000;
  }
}
