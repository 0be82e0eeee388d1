import type { RDD } from "../../core/rdd.js";
import type { DStreamCore } from "../dstream-core.js";

/** Every DStream kind, by Spark's class name where Spark has one; shown in messages and fingerprints. */
export type DStreamKind =
  | "QueueInputDStream"
  | "ReceiverInputDStream"
  | "DirectInputDStream"
  | "FileInputDStream"
  | "MappedDStream"
  | "FlatMappedDStream"
  | "FilteredDStream"
  | "MapPartitionedDStream"
  | "GlommedDStream"
  | "ShuffledDStream"
  | "FlatMapValuedDStream"
  | "TransformedDStream"
  | "UnionDStream"
  | "WindowedDStream"
  | "ReducedWindowedDStream"
  | "StateDStream"
  | "MapWithStateDStream"
  | "MappedWithStateDStream"
  | "StateSnapshotsDStream"
  | "EventTimeWindowDStream"
  | "EventTimeResultsDStream"
  | "EventTimeCountDStream"
  | "ForEachDStream";

/**
 * What one DStream kind is: its parents, the interval at which it produces RDDs, and how
 * it builds the RDD for a batch time from its parents' RDDs. `DStream` wraps a node with
 * the public API; the graph and the job generator read nodes.
 */
export interface DStreamNode<T> {
  /** Spark's class name (`MappedDStream`, `ShuffledDStream`…), for messages. */
  readonly kind: DStreamKind;
  readonly dependencies: readonly DStreamCore<unknown>[];
  /** Interval between this stream's RDDs, in ms. */
  slideMs(): number;
  /** The RDD for batch `time` (a valid time for this stream), or none. */
  compute(time: number): RDD<T> | undefined;
  /** How long the parents must keep their RDDs, given how long this one keeps its own. */
  parentRememberMs?(rememberMs: number): number;
  /**
   * True for stateful kinds (each RDD derives from the previous one): they need
   * `ssc.checkpoint(dir)`, and every RDD they produce is materialized and cut from its
   * lineage after its batch, so the lineage never grows.
   */
  readonly stateful?: boolean;
  /** Called once by the DStream that wraps this node (stateful nodes read their own past RDDs). */
  bind?(stream: DStreamCore<T>): void;
  /** Input streams: fixes the input of batch `time` and describes it as JSON (logged before the batch runs). */
  plan?(time: number): unknown;
  /**
   * Input streams whose input is fixed by asking a broker: called just before batch `time`
   * runs (batches run in order), its result logged with the batch's offsets.
   */
  planAsync?(time: number): Promise<unknown>;
  /** Input streams: batch `time` finished (and was committed): acknowledge its input to the source. */
  committed?(time: number): Promise<void>;
  /** Input streams, at recovery: the logged input of earlier batches, and what `resumeState` gave. */
  restorePlans?(plans: ReadonlyMap<number, unknown>, resumeState: unknown): void;
  /** Input streams: what recovery needs beyond the per-batch plans (kept in the checkpoint metadata). */
  resumeState?(): unknown;
  /** Input streams: how long (ms) logged plans must be kept for recovery to know what was already read. */
  planMemoryMs?(): number;
  /** Parameters that make this node what it is, for the graph fingerprint (`window=30000`…). */
  describe?(): string;
  /** Input streams: the records batch `time` took, once known (receivers' are counted by their tracker). */
  recordsIn?(time: number): number | undefined;
  /** Input streams: called at start and stop. */
  start?(zeroTime: number): void;
  stop?(): void;
}

/** The one parent of a single-parent node, with its slide. */
export abstract class SingleParentNode<T, U> implements DStreamNode<U> {
  abstract readonly kind: DStreamKind;
  readonly dependencies: readonly DStreamCore<unknown>[];

  constructor(protected readonly parent: DStreamCore<T>) {
    this.dependencies = [parent as DStreamCore<unknown>];
  }

  slideMs(): number {
    return this.parent.slideMs();
  }

  abstract compute(time: number): RDD<U> | undefined;
}

/**
 * A node whose RDD at `t` derives from its own RDD one slide earlier (windows with an
 * inverse, state). It needs `ssc.checkpoint(dir)`; the engine cuts each of its RDDs from
 * the lineage after its batch.
 */
export abstract class StatefulNode<T, U> extends SingleParentNode<T, U> {
  readonly stateful = true;
  private self: DStreamCore<U> | undefined;

  bind(stream: DStreamCore<U>): void {
    this.self = stream;
  }

  /** Whether `time` is this stream's first batch time (the state starts from its initial value). */
  protected isFirstTime(time: number): boolean {
    return time - this.self!.slideMs() <= this.self!.zero;
  }

  /** This stream's own RDD one slide before `time`; none at its first time. */
  protected previousRDD(time: number): RDD<U> | undefined {
    return this.isFirstTime(time) ? undefined : this.self!.getOrCompute(time - this.self!.slideMs());
  }
}
