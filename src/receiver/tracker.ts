import { join } from "node:path";
import type { FsPort } from "../checkpoint/fs-port.js";
import { WriteAheadLog, type WalRef } from "../checkpoint/wal.js";
import type { Clock } from "../util/clock.js";
import type { ListenerBus } from "../events/streaming.js";
import type { Block } from "./block-generator.js";
import type { SluiceError } from "../util/errors.js";
import type { Receiver } from "./receiver.js";
import { IntakeBudget } from "./intake-budget.js";
import { ReceiverSupervisor, type SupervisorSettings } from "./supervisor.js";

/**
 * Keeps every receiver's supervisor and the blocks they cut, and hands the blocks received
 * up to a batch time to that batch (`allocateBlocksToBatch`). With a write-ahead log
 * directory, every block is logged before it counts as received.
 */
export class ReceiverTracker {
  private readonly supervisors = new Map<number, ReceiverSupervisor<unknown>>();
  private readonly wals = new Map<number, WriteAheadLog>();
  private readonly unallocated = new Map<number, Block<unknown>[]>();
  private readonly allocated = new Map<number, Map<number, Block<unknown>[]>>();
  /** Batch time → lowest WAL sequence number it holds, per stream (for WAL cleanup). */
  private readonly walSeqs = new Map<number, Map<number, number>>();
  /** What all receivers hold that no batch has finished with yet (`spark.sluice.receiver.maxPendingRecordsTotal`). */
  private readonly budget: IntakeBudget;

  constructor(
    private readonly clock: Clock,
    private readonly settings: SupervisorSettings,
    private readonly bus: ListenerBus,
    private readonly onFatal?: (err: SluiceError) => void,
  ) {
    this.budget = new IntakeBudget(settings.maxPendingRecordsTotal, settings.heap);
  }

  /** Puts every receiver under a supervisor (and a WAL in `walDir/<streamId>` when given); starts nothing yet. */
  attach(
    receivers: ReadonlyMap<number, Receiver<unknown>>,
    walDir?: string,
    fs?: FsPort,
    /** Settles when the checkpoint's metadata is durable (a new job): the logs write nothing before. */
    walGate?: Promise<unknown>,
  ): void {
    for (const [streamId, receiver] of receivers) {
      const wal = walDir ? new WriteAheadLog(join(walDir, String(streamId)), fs, walGate) : undefined;
      if (wal) this.wals.set(streamId, wal);
      const sup = new ReceiverSupervisor(
        receiver,
        streamId,
        this.clock,
        this.settings,
        (b) => this.addBlock(b),
        this.bus,
        wal,
        this.onFatal,
        this.budget,
      );
      this.supervisors.set(streamId, sup);
      this.unallocated.set(streamId, []);
    }
  }

  /** Starts every attached receiver; each runs on its own. */
  startAll(): void {
    for (const sup of this.supervisors.values()) sup.start();
  }

  private addBlock(block: Block<unknown>): void {
    this.unallocated.get(block.streamId)?.push(block);
  }

  supervisor(streamId: number): ReceiverSupervisor<unknown> | undefined {
    return this.supervisors.get(streamId);
  }

  /** The records of a logged block (recovery). */
  readLogged(streamId: number, ref: WalRef): unknown[] {
    const wal = this.wals.get(streamId);
    if (!wal) throw new Error(`stream ${streamId} has no write-ahead log`);
    return wal.read(ref);
  }

  /** Recovery: blocks logged after `seq` were received but never given to a batch; the next batch takes them. */
  requeueLoggedAfter(streamId: number, seq: number): number {
    const wal = this.wals.get(streamId);
    const refs = wal?.blocksAfter(seq) ?? [];
    for (const ref of refs) this.unallocated.get(streamId)?.push({ streamId, records: wal!.read(ref), wal: ref });
    return refs.length;
  }

  /** Gives batch `time` every block received so far (the current partial blocks are cut first). */
  allocateBlocksToBatch(time: number): void {
    for (const sup of this.supervisors.values()) sup.flush();
    const batch = new Map<number, Block<unknown>[]>();
    for (const [streamId, blocks] of this.unallocated) {
      const taken = blocks.splice(0);
      batch.set(streamId, taken);
      const seqs = taken.filter((b) => b.wal).map((b) => b.wal!.seq);
      if (seqs.length > 0) {
        let m = this.walSeqs.get(time);
        if (!m) this.walSeqs.set(time, (m = new Map()));
        m.set(streamId, Math.min(...seqs));
      }
    }
    this.allocated.set(time, batch);
  }

  blocksOf(time: number, streamId: number): Block<unknown>[] {
    return this.allocated.get(time)?.get(streamId) ?? [];
  }

  /** Records received for batch `time`, over all receivers or for one stream. */
  recordsIn(time: number, streamId?: number): number {
    let n = 0;
    for (const [id, blocks] of this.allocated.get(time) ?? [])
      if (streamId === undefined || id === streamId) for (const b of blocks) n += b.records.length;
    return n;
  }

  streamIds(): number[] {
    return [...this.supervisors.keys()];
  }

  /**
   * Batch `time` is over (done or failed): its records no longer count against the receivers' bounds. They are
   * held until then, not only until allocation, so batches queued behind a slow one are bounded too.
   */
  batchDone(time: number): void {
    for (const streamId of this.allocated.get(time)?.keys() ?? []) {
      const n = this.recordsIn(time, streamId);
      if (n > 0) this.supervisors.get(streamId)?.taken(n);
    }
  }

  /** Forgets the blocks of batches at or before `time`. */
  cleanup(time: number): void {
    for (const t of this.allocated.keys()) if (t <= time) this.allocated.delete(t);
  }

  /** Deletes WAL segments that only batches before `keepFrom` needed. */
  async cleanupWal(keepFrom: number): Promise<void> {
    for (const [streamId, wal] of this.wals) {
      let needed = Infinity;
      for (const [t, m] of this.walSeqs) {
        if (t < keepFrom) this.walSeqs.get(t)?.delete(streamId);
        else needed = Math.min(needed, m.get(streamId) ?? Infinity);
      }
      for (const b of this.unallocated.get(streamId) ?? []) if (b.wal) needed = Math.min(needed, b.wal.seq);
      if (Number.isFinite(needed)) await wal.deleteBelow(needed);
    }
    for (const [t, m] of this.walSeqs) if (m.size === 0) this.walSeqs.delete(t);
  }

  /** Stops every receiver; their last records become blocks (logged first when the WAL is on). */
  async stop(): Promise<void> {
    await Promise.all(Array.from(this.supervisors.values(), (s) => s.stopSupervisor()));
    await Promise.all(Array.from(this.wals.values(), (w) => w.close()));
  }
}
