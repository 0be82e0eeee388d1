import { Receiver } from "../receiver.js";

/** A delivery waiting to be stored, with the way to acknowledge it to its broker. */
export interface PendingDelivery {
  readonly payload: string;
  readonly ack: () => void;
}

/**
 * The shared half of reliable broker receivers: deliveries gather in `pending`; every 20 ms
 * they are stored as one block (`storeBlock`, through the write-ahead log when it is on) and only
 * then acknowledged. If storing fails, nothing is acknowledged and the receiver restarts: the
 * broker delivers those messages again.
 */
export abstract class AckingReceiver extends Receiver<string> {
  protected pending: PendingDelivery[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing = false;

  /** Connects and subscribes; deliveries go to `pending`. */
  protected abstract connectSource(): Promise<void>;
  /** Closes the connection (what is still pending was never acknowledged and comes back). */
  protected abstract disconnectSource(): Promise<void>;

  async onStart(): Promise<void> {
    await this.connectSource();
    if (this.isStarted()) this.timer = setInterval(() => void this.flush(), 20);
  }

  private async flush(): Promise<void> {
    if (this.flushing || this.pending.length === 0) return;
    this.flushing = true;
    const batch = this.pending;
    this.pending = [];
    try {
      await this.storeBlock(batch.map((m) => m.payload));
      for (const m of batch) m.ack();
    } catch (err) {
      this.restart(`storing a block from ${this.describe()} failed`, err);
    } finally {
      this.flushing = false;
    }
  }

  async onStop(): Promise<void> {
    clearInterval(this.timer);
    // a block being stored finishes (and is acknowledged)
    while (this.flushing) await new Promise((r) => setTimeout(r, 5));
    this.pending = [];
    await this.disconnectSource();
  }
}
