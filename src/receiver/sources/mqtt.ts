import mqtt from "mqtt";
import type { StreamingContext } from "../../streaming/context.js";
import type { DStream } from "../../streaming/dstream.js";
import { Receiver } from "../receiver.js";

type AckDone = (code: number) => void;

/**
 * A reliable MQTT receiver (MQTT 5): subscribes with QoS 1 in a persistent session, and
 * sends each message's PUBACK only after the block holding it is stored (after the write-ahead
 * log's fsync when it is on). A message not acknowledged before a crash is delivered again.
 */
export class MQTTReceiver extends Receiver<string> {
  private client: mqtt.MqttClient | undefined;
  private pending: { payload: string; done: AckDone }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing = false;

  constructor(private readonly brokerUrl: string, private readonly topic: string, private readonly clientId = `sluice-${topic.replace(/[^A-Za-z0-9_-]/g, "_")}`) {
    super();
  }

  override describe(): string {
    return `mqtt ${this.brokerUrl} ${this.topic}`;
  }

  async onStart(): Promise<void> {
    const client = mqtt.connect(this.brokerUrl, {
      clientId: this.clientId,
      // MQTT 5: a persistent session (clean start off, kept an hour) and acknowledgements the receiver sends itself
      protocolVersion: 5,
      clean: false,
      properties: { sessionExpiryInterval: 3600 },
      reconnectPeriod: 0, // reconnecting is the supervisor's job, with backoff
      customHandleAcks: (_topic, message, _packet, done) => {
        this.pending.push({ payload: message.toString("utf8"), done: done as AckDone });
      },
    });
    this.client = client;
    await new Promise<void>((resolve, reject) => {
      client.once("connect", () => resolve());
      client.once("error", reject);
    }).catch((err: unknown) => {
      this.restart(`cannot reach MQTT broker at ${this.brokerUrl}`, err);
    });
    if (!client.connected) return;
    client.on("close", () => this.restart(`connection to MQTT broker at ${this.brokerUrl} closed`));
    await client.subscribeAsync(this.topic, { qos: 1 });
    this.timer = setInterval(() => void this.flush(), 20);
  }

  /** Stores what arrived as one block, then acknowledges each message. */
  private async flush(): Promise<void> {
    if (this.flushing || this.pending.length === 0) return;
    this.flushing = true;
    const batch = this.pending;
    this.pending = [];
    try {
      await this.storeBlock(batch.map((m) => m.payload));
      for (const m of batch) m.done(0);
    } catch (err) {
      this.restart("storing a block from MQTT failed", err);
    } finally {
      this.flushing = false;
    }
  }

  async onStop(): Promise<void> {
    clearInterval(this.timer);
    while (this.flushing) await new Promise((r) => setTimeout(r, 5));
    const client = this.client;
    this.client = undefined;
    this.pending = [];
    if (client) {
      client.removeAllListeners("close");
      await client.endAsync(true).catch(() => undefined);
    }
  }
}

/** `MQTTUtils.createStream(ssc, brokerUrl, topic)`: message payloads (UTF-8), as PySpark's. */
export const MQTTUtils = {
  createStream(ssc: StreamingContext, brokerUrl: string, topic: string): DStream<string> {
    return ssc.receiverStream(new MQTTReceiver(brokerUrl, topic));
  },
};
