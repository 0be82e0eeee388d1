import type mqtt from "mqtt";
import { lazyModule } from "../../util/lazy.js";

const mqttLib = lazyModule<typeof import("mqtt")>("mqtt");
import type { StreamingContext } from "../../streaming/context.js";
import type { DecodedStream } from "../direct.js";
import type { MessageFormatOptions } from "../message-format.js";
import { AckingReceiver } from "../acking-receiver.js";

/**
 * A reliable MQTT receiver (MQTT 5): subscribes with QoS 1 in a persistent session, and sends
 * each message's PUBACK only after the block holding it is stored (after the write-ahead log's
 * fsync when it is on). A message not acknowledged before a crash is delivered again.
 */
export class MQTTReceiver<T = string> extends AckingReceiver<T> {
  private client: mqtt.MqttClient | undefined;

  constructor(
    private readonly brokerUrl: string,
    private readonly topic: string,
    format: MessageFormatOptions = {},
    private readonly clientId = `sluice-${topic.replace(/[^A-Za-z0-9_-]/g, "_")}`,
  ) {
    super(format, "MQTTUtils.createStream");
  }

  override describe(): string {
    return `mqtt ${this.brokerUrl} ${this.topic}`;
  }

  protected async connectSource(): Promise<void> {
    const client = mqttLib().connect(this.brokerUrl, {
      clientId: this.clientId,
      // MQTT 5: a persistent session (clean start off, kept an hour) and acknowledgements the receiver sends itself
      protocolVersion: 5,
      clean: false,
      properties: { sessionExpiryInterval: 3600 },
      reconnectPeriod: 0, // reconnecting is the supervisor's job, with backoff
      customHandleAcks: (topic, message, packet, done) => {
        this.deliver({
          payload: message,
          where: `mqtt ${this.brokerUrl} ${topic} packet ${packet.messageId ?? "-"}`,
          ack: () => done(0),
        });
      },
    });
    this.client = client;
    // only our own listeners are ever removed: mqtt.js keeps its own on the same events
    const connected = await new Promise<boolean>((resolve) => {
      const failed = (err?: Error) => {
        done();
        if (this.client === client) this.client = undefined;
        client.end(true);
        this.restart(`cannot reach MQTT broker at ${this.brokerUrl}`, err);
        resolve(false);
      };
      const closedEarly = () => failed(new Error("connection closed before CONNACK"));
      const ok = () => {
        done();
        client.on("error", (err) => this.reportError("MQTT client error", err));
        resolve(true);
      };
      const done = () => {
        client.off("error", failed);
        client.off("close", closedEarly);
        client.off("connect", ok);
      };
      client.once("error", failed);
      client.once("close", closedEarly);
      client.once("connect", ok);
    });
    if (!connected) return;
    client.on("close", this.onClose);
    await client.subscribeAsync(this.topic, { qos: 1 });
  }

  private readonly onClose = () => this.restart(`connection to MQTT broker at ${this.brokerUrl} closed`);

  protected async disconnectSource(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) {
      client.off("close", this.onClose);
      await client.endAsync(true).catch(() => undefined);
    }
  }
}

/**
 * `MQTTUtils.createStream(ssc, brokerUrl, topic)`: message payloads (UTF-8), as PySpark's; with `format`, decoded
 * objects.
 */
export const MQTTUtils = {
  createStream: createMQTTStream,
};

function createMQTTStream(
  ssc: StreamingContext,
  brokerUrl: string,
  topic: string,
  opts: MessageFormatOptions & { format: "json" | "avro" },
): DecodedStream<Record<string, unknown>>;
function createMQTTStream(
  ssc: StreamingContext,
  brokerUrl: string,
  topic: string,
  opts?: MessageFormatOptions,
): DecodedStream<string>;
function createMQTTStream(
  ssc: StreamingContext,
  brokerUrl: string,
  topic: string,
  opts: MessageFormatOptions = {},
): DecodedStream<unknown> {
  const receiver = new MQTTReceiver<unknown>(brokerUrl, topic, opts);
  return Object.assign(ssc.receiverStream(receiver), { malformedRecords: () => receiver.decoder.malformed });
}
