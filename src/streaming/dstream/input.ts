import { RDD } from "../../core/rdd.js";
import { ParallelCollectionNode, sliceEvenly } from "../../core/rdds/parallel-collection.js";
import { MIN_SHIPPED_RECORDS } from "../../scheduler/task-plan.js";
import type { Receiver } from "../../receiver/receiver.js";
import type { WalRef } from "../../checkpoint/wal.js";
import { CheckpointError } from "../../checkpoint/errors.js";
import { log } from "../../util/log.js";
import type { StreamingContext } from "../context.js";
import type { DStreamCore } from "../dstream-core.js";
import type { DStreamKind, DStreamNode } from "./node.js";

/** What a receiver batch's offsets record: its blocks in the WAL, or only a count when they were not logged. */
type ReceiverPlan = { records: number; logged: true; blocks: WalRef[] } | { records: number; logged: false };

/** Input streams have no parents and produce an RDD every batch interval. */
abstract class InputNode<T> implements DStreamNode<T> {
  abstract readonly kind: DStreamKind;
  readonly dependencies: readonly DStreamCore<unknown>[] = [];

  constructor(protected readonly ssc: StreamingContext) {}

  slideMs(): number {
    return this.ssc.batchMs;
  }

  abstract compute(time: number): RDD<T> | undefined;
}

/**
 * `queueStream`: each batch takes the next queued RDD (or, with `oneAtATime` false, the
 * union of all still queued); once empty, `defaultRDD` or an empty one-partition RDD.
 */
export class QueueInputDStream<T> extends InputNode<T> {
  readonly kind = "QueueInputDStream";

  constructor(
    ssc: StreamingContext,
    private readonly queue: RDD<T>[],
    private readonly oneAtATime: boolean,
    private readonly defaultRDD?: RDD<T>,
  ) {
    super(ssc);
  }

  restorePlans(): void {
    throw new CheckpointError(
      "SLUICE_E_NOT_RECOVERABLE",
      "queueStream doesn't support checkpointing. Please don't use queueStream when checkpointing is enabled.",
    );
  }

  /** Batch time → records of its queued collections (an RDD built otherwise is not counted: that would run it). */
  private readonly counted = new Map<number, number>();

  recordsIn(time: number): number | undefined {
    return this.counted.get(time);
  }

  compute(time: number): RDD<T> {
    const sc = this.ssc.sparkContext;
    const taken = this.queue.length === 0 ? [] : this.oneAtATime ? [this.queue.shift()!] : this.queue.splice(0);
    const rdds = taken.length > 0 ? taken : [this.defaultRDD ?? sc.parallelize<T>([], 1)];
    let n = 0;
    for (const r of rdds) n += r.node instanceof ParallelCollectionNode ? r.node.size() : 0;
    this.counted.set(time, n);
    if (this.counted.size > 1000) this.counted.delete(this.counted.keys().next().value!);
    return rdds.length === 1 ? rdds[0]! : sc.union(rdds);
  }
}

/**
 * A receiver's stream: the RDD for batch `t` has one partition per block the receiver cut
 * since the previous batch (zero partitions when nothing arrived).
 */
export class ReceiverInputDStream<T> extends InputNode<T> {
  readonly kind = "ReceiverInputDStream";
  private stream: DStreamCore<T> | undefined;

  constructor(
    ssc: StreamingContext,
    readonly receiver: Receiver<T>,
  ) {
    super(ssc);
  }

  bind(stream: DStreamCore<T>): void {
    this.stream = stream;
  }

  /** The stream's id, which is also its receiver's. */
  get streamId(): number {
    return this.stream?.id ?? -1;
  }

  /** Batch time → logged blocks to read back (recovery). */
  private readonly logged = new Map<number, WalRef[]>();

  plan(time: number): ReceiverPlan {
    const blocks = this.ssc.receiverTracker.blocksOf(time, this.streamId);
    const records = blocks.reduce((n, b) => n + b.records.length, 0);
    const refs = blocks.map((b) => b.wal).filter((r): r is WalRef => r !== undefined);
    return refs.length === blocks.length && blocks.length > 0
      ? { records, logged: true, blocks: refs }
      : { records, logged: false };
  }

  restorePlans(plans: ReadonlyMap<number, unknown>): void {
    let maxSeq = 0;
    let lost = 0;
    for (const [t, p] of plans as ReadonlyMap<number, ReceiverPlan>) {
      if (p.logged) {
        this.logged.set(t, p.blocks);
        for (const b of p.blocks) maxSeq = Math.max(maxSeq, b.seq);
      } else {
        lost += p.records;
      }
    }
    if (lost > 0) {
      log.warn(
        `${this.receiver.describe()}: ${lost} records of logged batches were held only in memory and are lost; ` +
          `those batches are replayed without them. Enable spark.streaming.receiver.writeAheadLog.enable to keep them`,
      );
    }
    const requeued = this.ssc.receiverTracker.requeueLoggedAfter(this.streamId, maxSeq);
    if (requeued > 0)
      log.info(
        `${this.receiver.describe()}: ${requeued} logged block(s) received before the crash go to the next batch`,
      );
  }

  describe(): string {
    return `receiver=${this.receiver.describe()}`;
  }

  compute(time: number): RDD<T> {
    const tracker = this.ssc.receiverTracker;
    const refs = this.logged.get(time);
    const data = refs
      ? refs.map((r) => tracker.readLogged(this.streamId, r) as T[])
      : tracker.blocksOf(time, this.streamId).map((b) => b.records as T[]);
    return new RDD(
      this.ssc.sparkContext,
      new ParallelCollectionNode(
        spreadBlocks(data, this.ssc.sparkContext.defaultParallelism),
        `receiver stream ${this.streamId}`,
      ),
    );
  }
}

/**
 * A batch's blocks as partitions: one per block, or, when a batch holds fewer blocks than
 * there are threads (short batches: a block is cut every 200 ms and at each batch) and enough
 * records to be worth shipping, the records cut evenly into one partition per thread, so the
 * worker threads share the batch.
 */
export function spreadBlocks<T>(blocks: T[][], threads: number): T[][] {
  if (threads < 2 || blocks.length >= threads) return blocks;
  let total = 0;
  for (const b of blocks) total += b.length;
  if (total < threads * MIN_SHIPPED_RECORDS) return blocks;
  return sliceEvenly(blocks.length === 1 ? blocks[0]! : blocks.flat(), threads);
}
