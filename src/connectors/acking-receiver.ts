import { Receiver } from "../receiver/receiver.js";
import { MessageDecoder, type MessageFormatOptions } from "./message-format.js";

/** A delivery waiting to be stored, with the way to acknowledge it to its broker. */
export interface PendingDelivery {
  readonly payload: Uint8Array;
  /** Where it came from, for dead letters ("rabbitmq orders delivery 12"). */
  readonly where: string;
  readonly ack: () => void;
}

/**
 * The shared half of reliable broker receivers: deliveries arriving together are decoded (text
 * by default, or per `format`; malformed ones counted and dead-lettered), stored as one block (`storeBlock`, through
 * the write-ahead log when it is on) and only then
 * acknowledged. If storing fails, nothing is acknowledged and the receiver restarts: the broker
 * delivers those messages again.
 */
export abstract class AckingReceiver<T = string> extends Receiver<T> {
  private pending: PendingDelivery[] = [];
  private flushing: Promise<void> = Promise.resolve();
  private scheduled = false;
  private accepting = false;
  readonly decoder: MessageDecoder;

  constructor(format: MessageFormatOptions, name: string) {
    super();
    this.decoder = new MessageDecoder(format, name);
    this.startTimeoutSeconds = 30;
  }

  /** Connects and subscribes; deliveries go to `deliver`. */
  protected abstract connectSource(): Promise<void>;
  /** Closes the connection (what is still pending was never acknowledged and comes back). */
  protected abstract disconnectSource(): Promise<void>;

  /**
   * A delivery arrived: it is stored with the others that arrived in the same turn of the event
   * loop (one block), then acknowledged. Flushing at once matters for clients that hand over
   * the next message only after this one is acknowledged (mqtt.js).
   */
  protected deliver(d: PendingDelivery): void {
    if (!this.accepting) return; // a late delivery of a closed connection: never acknowledged, it comes again
    this.pending.push(d);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  async onStart(): Promise<void> {
    this.accepting = true;
    await this.connectSource();
  }

  /** Stores and acknowledges what is pending; flushes run one after another. */
  private flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      if (this.pending.length === 0) return;
      const batch = this.pending;
      this.pending = [];
      try {
        const records = (await this.decoder.decode(
          batch,
          (m) => m.payload,
          (m) => m.where,
        )) as T[];
        if (records.length > 0) await this.storeBlock(records);
        for (const m of batch) m.ack();
      } catch (err) {
        this.restart(`storing a block from ${this.describe()} failed`, err);
      }
    });
    return this.flushing;
  }

  async onStop(): Promise<void> {
    this.accepting = false;
    // a block being stored finishes (and is acknowledged)
    await this.flushing;
    this.pending = [];
    await this.disconnectSource();
  }
}
