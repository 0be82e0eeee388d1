import amqp from "amqplib";
import type { StreamingContext } from "../../streaming/context.js";
import type { DStream } from "../../streaming/dstream.js";
import { Receiver } from "../receiver.js";

/** Options of `RabbitMQUtils.createStream`. */
export interface RabbitMQOptions {
  readonly url: string;
  readonly queue: string;
  /** Unacknowledged deliveries RabbitMQ may hand out at once (default 1,000). */
  readonly prefetch?: number;
}

/**
 * A reliable receiver for a RabbitMQ queue: deliveries are stored as a block with
 * `storeBlock` and acknowledged (`multiple`, up to the block's last delivery tag) only once it
 * resolves — after the write-ahead log's fsync when `spark.streaming.receiver.writeAheadLog.enable`
 * is on. What was not acknowledged when a connection drops is sent again by RabbitMQ:
 * at least once, nothing acknowledged lost.
 */
export class RabbitMQReceiver extends Receiver<string> {
  private connection: amqp.ChannelModel | undefined;
  private channel: amqp.Channel | undefined;
  private pending: amqp.ConsumeMessage[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing = false;

  constructor(private readonly opts: RabbitMQOptions) {
    super();
  }

  override describe(): string {
    return `rabbitmq ${this.opts.queue}`;
  }

  async onStart(): Promise<void> {
    try {
      this.connection = await amqp.connect(this.opts.url);
    } catch (err) {
      this.restart(`cannot reach RabbitMQ at ${this.opts.url}`, err);
      return;
    }
    this.connection.on("close", () => this.restart(`connection to RabbitMQ at ${this.opts.url} closed`));
    this.connection.on("error", (err: Error) => this.reportError("RabbitMQ connection error", err));
    const channel = await this.connection.createChannel();
    this.channel = channel;
    await channel.assertQueue(this.opts.queue, { durable: true });
    await channel.prefetch(this.opts.prefetch ?? 1000);
    await channel.consume(this.opts.queue, (msg) => {
      if (msg) this.pending.push(msg);
    }, { noAck: false });
    this.timer = setInterval(() => void this.flush(), 20);
  }

  /** Stores what arrived as one block, then acknowledges it. */
  private async flush(): Promise<void> {
    if (this.flushing || this.pending.length === 0 || !this.channel) return;
    this.flushing = true;
    const batch = this.pending;
    this.pending = [];
    const channel = this.channel;
    try {
      await this.storeBlock(batch.map((m) => m.content.toString("utf8")));
      channel.ack(batch[batch.length - 1]!, true);
    } catch (err) {
      // not stored: nothing is acknowledged, RabbitMQ sends these again
      this.restart("storing a block from RabbitMQ failed", err);
    } finally {
      this.flushing = false;
    }
  }

  async onStop(): Promise<void> {
    clearInterval(this.timer);
    // a block being stored finishes (and is acknowledged); what is still pending was never acknowledged and comes back
    while (this.flushing) await new Promise((r) => setTimeout(r, 5));
    const conn = this.connection;
    this.connection = undefined;
    this.channel = undefined;
    this.pending = [];
    if (conn) {
      conn.removeAllListeners("close");
      await conn.close().catch(() => undefined);
    }
  }
}

/** `RabbitMQUtils.createStream(ssc, { url, queue })`: message bodies (UTF-8) of a queue. */
export const RabbitMQUtils = {
  createStream(ssc: StreamingContext, opts: RabbitMQOptions): DStream<string> {
    return ssc.receiverStream(new RabbitMQReceiver(opts));
  },
};
