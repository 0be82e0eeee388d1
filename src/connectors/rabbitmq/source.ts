import type amqp from "amqplib";
import { lazyModule } from "../../util/lazy.js";

const amqpLib = lazyModule<typeof import("amqplib")>("amqplib");
import type { StreamingContext } from "../../streaming/context.js";
import type { DecodedStream } from "../direct.js";
import type { MessageFormatOptions } from "../message-format.js";
import { AckingReceiver } from "../acking-receiver.js";

/** Options of `RabbitMQUtils.createStream`. */
export interface RabbitMQOptions extends MessageFormatOptions {
  readonly url: string;
  readonly queue: string;
  /** Unacknowledged deliveries RabbitMQ may hand out at once (default 1,000). */
  readonly prefetch?: number;
}

/**
 * A reliable receiver for a RabbitMQ queue: deliveries are acknowledged only once their block
 * is stored (after the write-ahead log's fsync when it is on). What was not acknowledged when a
 * connection drops is sent again by RabbitMQ: at least once, nothing acknowledged lost.
 */
export class RabbitMQReceiver<T = string> extends AckingReceiver<T> {
  private connection: amqp.ChannelModel | undefined;
  private deliveries = 0;

  constructor(private readonly opts: RabbitMQOptions) {
    super(opts, "RabbitMQUtils.createStream");
  }

  override describe(): string {
    return `rabbitmq ${this.opts.queue}`;
  }

  protected async connectSource(): Promise<void> {
    try {
      this.connection = await amqpLib().connect(this.opts.url);
    } catch (err) {
      this.restart(`cannot reach RabbitMQ at ${this.opts.url}`, err);
      return;
    }
    this.connection.on("close", this.onClose);
    this.connection.on("error", (err: Error) => this.reportError("RabbitMQ connection error", err));
    const channel = await this.connection.createChannel();
    await channel.assertQueue(this.opts.queue, { durable: true });
    await channel.prefetch(this.opts.prefetch ?? 1000);
    await channel.consume(
      this.opts.queue,
      (msg) => {
        if (msg)
          this.deliver({
            payload: msg.content,
            where:
              `rabbitmq ${this.opts.queue} delivery ` +
              `${++this.deliveries}${msg.properties.messageId ? ` (message id ${msg.properties.messageId})` : ""}`,
            ack: () => channel.ack(msg),
          });
      },
      { noAck: false },
    );
  }

  private readonly onClose = () => this.restart(`connection to RabbitMQ at ${this.opts.url} closed`);

  protected async disconnectSource(): Promise<void> {
    const conn = this.connection;
    this.connection = undefined;
    if (conn) {
      conn.off("close", this.onClose);
      await conn.close().catch(() => undefined);
    }
  }
}

/** `RabbitMQUtils.createStream(ssc, { url, queue })`: message bodies (UTF-8), or with `format` decoded objects. */
export const RabbitMQUtils = {
  createStream: createRabbitMQStream,
};

function createRabbitMQStream(
  ssc: StreamingContext,
  opts: RabbitMQOptions & { format: "json" | "avro" },
): DecodedStream<Record<string, unknown>>;
function createRabbitMQStream(ssc: StreamingContext, opts: RabbitMQOptions): DecodedStream<string>;
function createRabbitMQStream(ssc: StreamingContext, opts: RabbitMQOptions): DecodedStream<unknown> {
  const receiver = new RabbitMQReceiver<unknown>(opts);
  return Object.assign(ssc.receiverStream(receiver), { malformedRecords: () => receiver.decoder.malformed });
}
