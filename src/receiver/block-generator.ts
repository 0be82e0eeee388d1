import type { WalRef } from "../checkpoint/wal.js";
import { RecurringTimer, type Clock } from "../util/clock.js";

/** A block of records from one receiver: one partition of a batch's RDD. */
export interface Block<T> {
  readonly streamId: number;
  readonly records: T[];
  /** Where the block lies in the write-ahead log, when it is on. */
  readonly wal?: WalRef;
}

/**
 * Gathers a receiver's records and cuts them into a block every block interval
 * (`spark.streaming.blockInterval`, 200 ms), and whenever a batch is allocated.
 */
export class BlockGenerator<T> {
  private current: T[] = [];
  private readonly timer: RecurringTimer;

  constructor(
    clock: Clock,
    blockIntervalMs: number,
    private readonly streamId: number,
    private readonly onBlock: (block: Block<T>) => void,
  ) {
    this.timer = new RecurringTimer(clock, blockIntervalMs, () => this.cut());
  }

  start(): void {
    this.timer.start();
  }

  add(record: T): void {
    this.current.push(record);
  }

  /** Hands what has been gathered so far over as a block (nothing when empty). */
  cut(): void {
    if (this.current.length === 0) return;
    const records = this.current;
    this.current = [];
    this.onBlock({ streamId: this.streamId, records });
  }

  /** Stops cutting on the timer; the last records are cut into a final block. */
  stop(): void {
    this.timer.stop();
    this.cut();
  }
}
