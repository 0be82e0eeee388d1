import type { CheckpointManager, RecoveryPlan } from "../checkpoint/checkpoint-manager.js";
import { CheckpointError } from "../checkpoint/errors.js";
import { RDD } from "../core/rdd.js";
import { ParallelCollectionNode } from "../core/rdds/parallel-collection.js";
import type { SparkContext } from "../core/context.js";
import { HashPartitioner } from "../shuffle/partitioner.js";
import type { DStreamCore } from "./dstream-core.js";
import type { DStreamGraph } from "./graph.js";

/**
 * The per-batch half of fault tolerance: logs a batch's input before it runs (`offsets/<t>`),
 * saves the state of stateful streams every `snapshotEveryMs`, commits the batch after all its
 * outputs (`commits/<t>`), and drops what no recovery can need. Also puts a recovered
 * state back into the graph.
 */
export class BatchCheckpointer {
  private lastSnapshot = -Infinity;
  /** Settles once the metadata of a new job is written; every offsets write waits for it. */
  ready: Promise<void> = Promise.resolve();

  constructor(
    readonly manager: CheckpointManager,
    private readonly graph: DStreamGraph,
    private readonly batchMs: number,
    private readonly snapshotEveryMs: number,
    /** Offsets and commits kept behind the oldest snapshot, in batches. */
    private readonly retainBatches: number,
    /** Drops other logs (the receivers' WAL) that only batches before the given time needed. */
    private readonly cleanupOthers: (keepFrom: number) => Promise<void> = async () => {},
  ) {}

  async logOffsets(time: number, inputs: Record<string, unknown>): Promise<void> {
    await this.ready;
    await this.manager.writeOffsets({ batchTime: time, inputs });
  }

  /** Saves state when due, commits batch `time`, then cleans up. */
  async commit(time: number): Promise<void> {
    const snapshots: Record<string, number> = {};
    if (time - this.lastSnapshot >= this.snapshotEveryMs) {
      for (const s of this.graph.statefulStreams()) {
        const t = latestTimeOf(s, time);
        const rdd = t === undefined ? undefined : s.generatedAt(t);
        if (!rdd) continue;
        await this.manager.writeSnapshot(s.id, { time: t!, partitions: await rdd.glom().collect() });
        snapshots[s.id] = t!;
      }
      this.lastSnapshot = time;
    }
    await this.manager.writeCommit({ batchTime: time, snapshots });
    const oldestSnapshot = this.manager.oldestKeptSnapshot() ?? this.graph.zeroTime ?? time;
    const longestWindow = Math.max(0, ...this.graph.streams.map((s) => s.rememberDuration));
    const planMemory = Math.max(0, ...this.graph.inputs.map((s) => s.node.planMemoryMs?.() ?? 0));
    const keepFrom = Math.min(
      oldestSnapshot - longestWindow,
      time - this.retainBatches * this.batchMs,
      time - planMemory,
    );
    await this.manager.cleanup(keepFrom);
    await this.cleanupOthers(keepFrom);
  }

  /**
   * Puts the saved state back: each stateful stream gets its snapshot RDD at the snapshot's
   * time. Returns, per stateful stream, the time its state is known at (replay starts after).
   */
  restoreState(sc: SparkContext, plan: RecoveryPlan): Map<DStreamCore<unknown>, number> {
    const known = new Map<DStreamCore<unknown>, number>();
    for (const s of this.graph.statefulStreams()) {
      const snap = plan.snapshots.get(s.id);
      if (!snap) continue;
      const partitioner = new HashPartitioner(Math.max(1, snap.partitions.length));
      s.restore(
        snap.time,
        new RDD(
          sc,
          new ParallelCollectionNode(
            snap.partitions,
            `state of stream ${s.id} restored from ${snap.time}`,
            "LocalCheckpointRDD",
            partitioner,
          ),
        ),
      );
      known.set(s, snap.time);
    }
    this.lastSnapshot = Math.max(-Infinity, ...known.values());
    const oldestOffsets = Math.min(...plan.offsets.keys());
    for (const s of this.graph.statefulStreams()) {
      // without a snapshot the state is rebuilt from the first batch: its input must still be logged
      if (!known.has(s) && plan.lastCommitted !== undefined && oldestOffsets > this.graph.zeroTime! + this.batchMs) {
        throw new CheckpointError(
          "SLUICE_E_CKPT_CORRUPT",
          `no usable snapshot of stream ${s.id} (${s.node.kind}) in ${this.manager.dir}/state/${s.id}, and the ` +
            `input logs no longer reach back to the first batch to rebuild it. Start from a new checkpoint directory`,
        );
      }
    }
    return known;
  }
}

/** The latest time at or before `time` at which `s` produces an RDD. */
function latestTimeOf(s: DStreamCore<unknown>, time: number): number | undefined {
  const slide = s.slideMs();
  const t = s.zero + Math.floor((time - s.zero) / slide) * slide;
  return t > s.zero ? t : undefined;
}
