import type { Clock } from "../streaming/clock.js";
import type { ListenerBus } from "../streaming/listener.js";
import type { Block } from "./block-generator.js";
import type { Receiver } from "./receiver.js";
import { ReceiverSupervisor, type SupervisorSettings } from "./supervisor.js";

/**
 * Keeps every receiver's supervisor and the blocks they cut, and hands the blocks received
 * up to a batch time to that batch (`allocateBlocksToBatch`).
 */
export class ReceiverTracker {
  private readonly supervisors = new Map<number, ReceiverSupervisor<unknown>>();
  private readonly unallocated = new Map<number, Block<unknown>[]>();
  private readonly allocated = new Map<number, Map<number, Block<unknown>[]>>();

  constructor(private readonly clock: Clock, private readonly settings: SupervisorSettings, private readonly bus: ListenerBus) {}

  /** Starts a supervisor per receiver; each receiver runs on its own. */
  start(receivers: ReadonlyMap<number, Receiver<unknown>>): void {
    for (const [streamId, receiver] of receivers) {
      const sup = new ReceiverSupervisor(receiver, streamId, this.clock, this.settings, (b) => this.addBlock(b), this.bus);
      this.supervisors.set(streamId, sup);
      this.unallocated.set(streamId, []);
      sup.start();
    }
  }

  private addBlock(block: Block<unknown>): void {
    this.unallocated.get(block.streamId)?.push(block);
  }

  supervisor(streamId: number): ReceiverSupervisor<unknown> | undefined {
    return this.supervisors.get(streamId);
  }

  get receiverCount(): number {
    return this.supervisors.size;
  }

  /** Gives batch `time` every block received so far (the current partial blocks are cut first). */
  allocateBlocksToBatch(time: number): void {
    for (const sup of this.supervisors.values()) sup.flush();
    const batch = new Map<number, Block<unknown>[]>();
    for (const [streamId, blocks] of this.unallocated) {
      batch.set(streamId, blocks.splice(0));
    }
    this.allocated.set(time, batch);
  }

  blocksOf(time: number, streamId: number): Block<unknown>[] {
    return this.allocated.get(time)?.get(streamId) ?? [];
  }

  /** Records received for batch `time`, over all receivers. */
  recordsIn(time: number): number {
    let n = 0;
    for (const blocks of this.allocated.get(time)?.values() ?? []) for (const b of blocks) n += b.records.length;
    return n;
  }

  hasUnallocatedBlocks(): boolean {
    for (const blocks of this.unallocated.values()) if (blocks.length > 0) return true;
    return false;
  }

  /** Forgets the blocks of batches at or before `time`. */
  cleanup(time: number): void {
    for (const t of this.allocated.keys()) if (t <= time) this.allocated.delete(t);
  }

  /** Stops every receiver; their last records become blocks. */
  async stop(): Promise<void> {
    await Promise.all(Array.from(this.supervisors.values(), (s) => s.stopSupervisor()));
  }
}
