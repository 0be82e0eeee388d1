import type mqtt from "mqtt";
import type { BatchSink } from "../../streaming/sink.js";
import type { Connections } from "../../util/connections.js";
import { SluiceError } from "../../util/errors.js";
import { lazyModule } from "../../util/lazy.js";
import { messageId, messageText } from "../message-id.js";

const mqttLib = lazyModule<typeof import("mqtt")>("mqtt");

/** Where `publishToMqtt` publishes. */
export interface MqttSinkOptions {
  readonly url: string;
  readonly topic: string;
  readonly jobId?: string;
}

/**
 * Publishes a batch's records to an MQTT topic with QoS 1 (resolves once the broker
 * acknowledged each), each carrying its id as the MQTT 5 user property `message-id`: at least
 * once, consumers deduplicate by id.
 */
export async function publishBatchToMqtt(
  conns: Connections,
  records: readonly unknown[],
  batchTime: number,
  outputId: number,
  opts: MqttSinkOptions,
): Promise<void> {
  const open = () => mqttLib().connectAsync(opts.url, { protocolVersion: 5 });
  const client = await conns
    .get(`mqtt ${opts.url}`, open, (c: mqtt.MqttClient) => c.endAsync())
    .catch((err: Error) => {
      throw new SluiceError(`cannot reach MQTT broker at ${opts.url}: ${err.message}`, { cause: err });
    });
  const job = opts.jobId ?? opts.topic;
  for (const [i, r] of records.entries()) {
    const properties = { userProperties: { "message-id": messageId(job, outputId, batchTime, i) } };
    await client.publishAsync(opts.topic, messageText(r), { qos: 1, properties });
  }
}

/** `stream.publishToMqtt(opts)` as a sink. */
export function mqttSink<T>(opts: MqttSinkOptions): BatchSink<T> {
  return {
    name: "publishToMqtt",
    write: (b) => publishBatchToMqtt(b.connections, b.records, b.time, b.outputId, opts),
  };
}
