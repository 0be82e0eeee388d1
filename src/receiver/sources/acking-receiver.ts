import { Receiver } from "../receiver.js";
import { MessageDecoder, type MessageFormatOptions } from "./message-format.js";

/** A delivery waiting to be stored, with the way to acknowledge it to its broker. */
export interface PendingDelivery {
  readonly payload: Uint8Array;
  /** Where it came from, for dead letters ("rabbitmq orders delivery 12"). */
  readonly where: string;
  readonly ack: () => void;
}

/**
 * The shared half of reliable broker receivers: deliveries gather in `pending`; every 20 ms
 * they are decoded (text by default, or per `format`; malformed ones counted and dead-lettered),
 * stored as one block (`storeBlock`, through the write-ahead log when it is on) and only then
 * acknowledged. If storing fails, nothing is acknowledged and the receiver restarts: the broker
 * delivers those messages again.
 */
export abstract class AckingReceiver<T = string> extends Receiver<T> {
  protected pending: PendingDelivery[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing = false;
  readonly decoder: MessageDecoder;

  constructor(format: MessageFormatOptions, name: string) {
    super();
    this.decoder = new MessageDecoder(format, name);
  }

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
      const records = (await this.decoder.decode(batch, (m) => m.payload, (m) => m.where)) as T[];
      if (records.length > 0) await this.storeBlock(records);
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
