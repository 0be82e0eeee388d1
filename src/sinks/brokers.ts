import type amqp from "amqplib";
import type mqtt from "mqtt";
import { lazyModule } from "../util/lazy.js";

const amqpLib = lazyModule<typeof import("amqplib")>("amqplib");
const mqttLib = lazyModule<typeof import("mqtt")>("mqtt");
import { SluiceError } from "../core/errors.js";

/** Where and how `publishToRabbitMQ` publishes. */
export interface RabbitMQSinkOptions {
  readonly url: string;
  readonly queue: string;
  readonly jobId?: string;
}

/** Where `publishToMqtt` publishes. */
export interface MqttSinkOptions {
  readonly url: string;
  readonly topic: string;
  readonly jobId?: string;
}

const text = (r: unknown) => (typeof r === "string" ? r : JSON.stringify(r));
/** The id of record `i` of a batch: the same when the batch is re-run, so consumers can drop repeats. */
const messageId = (job: string, outputId: number, batchTime: number, i: number) => `${job}:${outputId}:${batchTime}:${i}`;

const rabbit = new Map<string, Promise<{ model: amqp.ChannelModel; channel: amqp.ConfirmChannel }>>();

/**
 * Publishes a batch's records to a RabbitMQ queue with publisher confirms (resolves once the
 * broker has them), each with a `messageId` built from the batch time: at least once, a re-run
 * batch sends the same ids for consumers to deduplicate.
 */
export async function publishBatchToRabbitMQ(records: readonly unknown[], batchTime: number, outputId: number, opts: RabbitMQSinkOptions): Promise<void> {
  let ch = rabbit.get(opts.url);
  if (!ch) {
    ch = amqpLib().connect(opts.url).then(async (model) => ({ model, channel: await model.createConfirmChannel() }));
    rabbit.set(opts.url, ch);
  }
  const { channel } = await ch.catch((err: Error) => {
    rabbit.delete(opts.url);
    throw new SluiceError(`cannot reach RabbitMQ at ${opts.url}: ${err.message}`, { cause: err });
  });
  await channel.assertQueue(opts.queue, { durable: true });
  records.forEach((r, i) => channel.sendToQueue(opts.queue, Buffer.from(text(r)), { persistent: true, messageId: messageId(opts.jobId ?? opts.queue, outputId, batchTime, i) }));
  await channel.waitForConfirms();
}

const mqttClients = new Map<string, Promise<mqtt.MqttClient>>();

/**
 * Publishes a batch's records to an MQTT topic with QoS 1 (resolves once the broker
 * acknowledged each), each carrying its id as the MQTT 5 user property `message-id`: at least
 * once, consumers deduplicate by id.
 */
export async function publishBatchToMqtt(records: readonly unknown[], batchTime: number, outputId: number, opts: MqttSinkOptions): Promise<void> {
  let c = mqttClients.get(opts.url);
  if (!c) {
    c = mqttLib().connectAsync(opts.url, { protocolVersion: 5 });
    mqttClients.set(opts.url, c);
  }
  const client = await c.catch((err: Error) => {
    mqttClients.delete(opts.url);
    throw new SluiceError(`cannot reach MQTT broker at ${opts.url}: ${err.message}`, { cause: err });
  });
  for (const [i, r] of records.entries()) {
    await client.publishAsync(opts.topic, text(r), { qos: 1, properties: { userProperties: { "message-id": messageId(opts.jobId ?? opts.topic, outputId, batchTime, i) } } });
  }
}

/** Closes the sinks' connections (tests; a job's process ending closes them too). */
export async function closeBrokerSinks(): Promise<void> {
  for (const [url, ch] of rabbit) {
    rabbit.delete(url);
    const conn = await ch.catch(() => undefined);
    await conn?.model.close().catch(() => undefined);
  }
  for (const [url, c] of mqttClients) {
    mqttClients.delete(url);
    await (await c.catch(() => undefined))?.endAsync();
  }
}
