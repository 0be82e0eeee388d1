import type amqp from "amqplib";
import type { BatchSink } from "../../streaming/sink.js";
import type { Connections } from "../../util/connections.js";
import { SluiceError } from "../../util/errors.js";
import { lazyModule } from "../../util/lazy.js";
import { messageId, messageText } from "../message-id.js";

const amqpLib = lazyModule<typeof import("amqplib")>("amqplib");

/** Where and how `publishToRabbitMQ` publishes. */
export interface RabbitMQSinkOptions {
  readonly url: string;
  readonly queue: string;
  readonly jobId?: string;
}

interface Confirmed {
  readonly model: amqp.ChannelModel;
  readonly channel: amqp.ConfirmChannel;
}

/**
 * Publishes a batch's records to a RabbitMQ queue with publisher confirms (resolves once the
 * broker has them), each with a `messageId` built from the batch time: at least once, a re-run
 * batch sends the same ids for consumers to deduplicate.
 */
export async function publishBatchToRabbitMQ(
  conns: Connections,
  records: readonly unknown[],
  batchTime: number,
  outputId: number,
  opts: RabbitMQSinkOptions,
): Promise<void> {
  const open = async (): Promise<Confirmed> => {
    const model = await amqpLib().connect(opts.url);
    return { model, channel: await model.createConfirmChannel() };
  };
  const { channel } = await conns
    .get(`rabbitmq ${opts.url}`, open, (c: Confirmed) => c.model.close())
    .catch((err: Error) => {
      throw new SluiceError(`cannot reach RabbitMQ at ${opts.url}: ${err.message}`, { cause: err });
    });
  await channel.assertQueue(opts.queue, { durable: true });
  const job = opts.jobId ?? opts.queue;
  records.forEach((r, i) => {
    const id = messageId(job, outputId, batchTime, i);
    channel.sendToQueue(opts.queue, Buffer.from(messageText(r)), { persistent: true, messageId: id });
  });
  await channel.waitForConfirms();
}

/** `stream.publishToRabbitMQ(opts)` as a sink. */
export function rabbitMQSink<T>(opts: RabbitMQSinkOptions): BatchSink<T> {
  return {
    name: "publishToRabbitMQ",
    write: (b) => publishBatchToRabbitMQ(b.connections, b.records, b.time, b.outputId, opts),
  };
}
