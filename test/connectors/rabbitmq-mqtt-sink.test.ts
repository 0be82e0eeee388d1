import assert from "node:assert/strict";
import { test } from "node:test";
import amqp from "amqplib";
import mqtt from "mqtt";
import { ManualClock, SparkContext, StreamingContext } from "../../src/index.js";
import { MQTT_URL as MQTT, RABBITMQ_URL as RABBIT, mqttOrSkip, rabbitOrSkip } from "../helpers/services.js";

async function runTwoBatches(build: (ssc: StreamingContext) => void): Promise<void> {
  const ssc = new StreamingContext(SparkContext.getOrCreate(), 1, { clock: new ManualClock(0), out: () => {} });
  build(ssc);
  ssc.start();
  for (let i = 0; i < 2; i++) {
    (ssc.clock as ManualClock).advance(1000);
    await ssc.scheduler.whenIdle();
  }
  await ssc.stop(false);
}

test("publishToRabbitMQ delivers each batch's records, confirmed, with message ids from the batch time", async (t) => {
  if (!(await rabbitOrSkip(RABBIT, t))) return;
  const queue = `sluice-sink-${process.pid}-${Date.now()}`;
  await runTwoBatches((ssc) =>
    ssc.queueStream([["a", "b"], [{ n: 1 }]] as unknown[][]).publishToRabbitMQ({ url: RABBIT, queue }),
  );
  const conn = await amqp.connect(RABBIT);
  const ch = await conn.createChannel();
  try {
    const got: [string, string][] = [];
    for (let m = await ch.get(queue, { noAck: true }); m; m = await ch.get(queue, { noAck: true }))
      got.push([m.content.toString(), String(m.properties.messageId)]);
    assert.deepEqual(got, [
      ["a", `${queue}:0:1000:0`],
      ["b", `${queue}:0:1000:1`],
      ['{"n":1}', `${queue}:0:2000:0`],
    ]);
  } finally {
    await ch.deleteQueue(queue);
    await conn.close();
  }
});

test("publishToMqtt publishes each batch's records with QoS 1 and a message-id user property", async (t) => {
  if (!(await mqttOrSkip(MQTT, t))) return;
  const topic = `sluice/sink/${process.pid}/${Date.now()}`;
  const sub = await mqtt.connectAsync(MQTT, { protocolVersion: 5 });
  const got: [string, string][] = [];
  const all = new Promise<void>((resolve) =>
    sub.on("message", (_t, payload, packet) => {
      got.push([payload.toString(), String(packet.properties?.userProperties?.["message-id"])]);
      if (got.length === 3) resolve();
    }),
  );
  await sub.subscribeAsync(topic, { qos: 1 });
  await runTwoBatches((ssc) => ssc.queueStream([["x", "y"], ["z"]]).publishToMqtt({ url: MQTT, topic }));
  await all;
  await sub.endAsync();
  assert.deepEqual(got, [
    ["x", `${topic}:0:1000:0`],
    ["y", `${topic}:0:1000:1`],
    ["z", `${topic}:0:2000:0`],
  ]);
});
