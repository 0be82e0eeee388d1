import { RDD } from "../../core/rdd.js";
import { ParallelCollectionNode } from "../../core/rdds/parallel-collection.js";
import type { Receiver } from "../../receiver/receiver.js";
import { CheckpointError } from "../../checkpoint/errors.js";
import { log } from "../../util/log.js";
import type { StreamingContext } from "../context.js";
import type { DStream } from "../dstream.js";
import type { DStreamNode } from "./node.js";

/** Input streams have no parents and produce an RDD every batch interval. */
abstract class InputNode<T> implements DStreamNode<T> {
  abstract readonly kind: string;
  readonly dependencies: readonly DStream<unknown>[] = [];

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

  constructor(ssc: StreamingContext, private readonly queue: RDD<T>[], private readonly oneAtATime: boolean, private readonly defaultRDD?: RDD<T>) {
    super(ssc);
  }

  restorePlans(): void {
    throw new CheckpointError("SLUICE_E_NOT_RECOVERABLE", "queueStream doesn't support checkpointing. Please don't use queueStream when checkpointing is enabled.");
  }

  compute(): RDD<T> {
    const sc = this.ssc.sparkContext;
    if (this.queue.length > 0) {
      if (this.oneAtATime) return this.queue.shift()!;
      return sc.union(this.queue.splice(0));
    }
    return this.defaultRDD ?? sc.parallelize<T>([], 1);
  }
}

/**
 * A receiver's stream: the RDD for batch `t` has one partition per block the receiver cut
 * since the previous batch (zero partitions when nothing arrived).
 */
export class ReceiverInputDStream<T> extends InputNode<T> {
  readonly kind = "ReceiverInputDStream";
  streamId = -1;

  constructor(ssc: StreamingContext, readonly receiver: Receiver<T>) {
    super(ssc);
  }

  plan(time: number): { records: number; logged: false } {
    return { records: this.ssc.receiverTracker.blocksOf(time, this.streamId).reduce((n, b) => n + b.records.length, 0), logged: false };
  }

  restorePlans(plans: ReadonlyMap<number, unknown>): void {
    const lost = [...plans].filter(([, p]) => ((p as { records?: number }).records ?? 0) > 0);
    if (lost.length > 0) {
      log.warn(`${this.receiver.describe()}: the records of ${lost.length} logged batch(es) were held only in memory and are lost (${lost.reduce((n, [, p]) => n + ((p as { records: number }).records), 0)} records); those batches are replayed without them. Enable spark.streaming.receiver.writeAheadLog.enable to keep them`);
    }
  }

  describe(): string {
    return `receiver=${this.receiver.describe()}`;
  }

  compute(time: number): RDD<T> {
    const blocks = this.ssc.receiverTracker.blocksOf(time, this.streamId);
    return new RDD(this.ssc.sparkContext, new ParallelCollectionNode(blocks.map((b) => b.records as T[]), `receiver stream ${this.streamId}`));
  }
}
