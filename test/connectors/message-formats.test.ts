import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import amqp from "amqplib";
import mqtt from "mqtt";
import avro from "avsc";
import {
  deadLetterFile,
  ManualClock,
  MQTTUtils,
  NatsJetStreamUtils,
  RabbitMQUtils,
  RedisStreams,
  SparkContext,
  StreamingContext,
  type DeadLetter,
  type DecodedStream,
  type RDD,
} from "../../src/index.js";
import { sorted, tempDir } from "../helpers/context.js";
import { runUntil } from "../helpers/source-jobs.js";
import {
  MQTT_URL as MQTT,
  NATS_SERVERS as NATS,
  RABBITMQ_URL as RABBIT,
  REDIS_URL as REDIS,
  mqttOrSkip,
  natsOrSkip,
  rabbitOrSkip,
  redisOrSkip,
  jetStreamFor,
} from "../helpers/services.js";

/** The order events the tests publish: good ones, with known fields. */
const orders = Array.from({ length: 30 }, (_, i) => ({ user: `u${i % 4}`, amount: i * 3 }));
const ORDER_SCHEMA = {
  type: "record",
  name: "Order",
  fields: [
    { name: "user", type: "string" },
    { name: "amount", type: "long" },
  ],
} as const;
const orderType = avro.Type.forSchema(ORDER_SCHEMA as never);
const otherType = avro.Type.forSchema({ type: "record", name: "Other", fields: [{ name: "flag", type: "boolean" }] });

/** A streaming context on a manual clock and a collector of every record of `stream`. */
function job(name: string) {
  const clock = new ManualClock(0);
  const ssc = new StreamingContext(new SparkContext("local[2]", name), 1, { clock, out: () => {} });
  const got: Record<string, unknown>[] = [];
  const collect = (s: DecodedStream<Record<string, unknown>>) =>
    s.foreachRDD(async (rdd: RDD<Record<string, unknown>>) => void got.push(...(await rdd.collect())));
  /** A direct stream's run: every order arrives in order, and `malformed` messages were counted. */
  const readsAllOrders = async (s: DecodedStream<Record<string, unknown>>, malformed: number) => {
    collect(s);
    ssc.start();
    await runUntil(ssc, clock, () => got.length >= orders.length, 20);
    await ssc.stop();
    assert.deepEqual(got, orders);
    assert.equal(s.malformedRecords(), malformed);
  };
  return { ssc, clock, got, collect, readsAllOrders };
}

test("Redis entries with format json: objects from the 'data' field; bad JSON and a missing field are dead-lettered", async (t) => {
  const redis = await redisOrSkip(REDIS, t);
  if (!redis) return;
  const stream = `sluice-fmt-${process.pid}-${Date.now()}`;
  try {
    for (const o of orders.slice(0, 10)) await redis.xadd(stream, "*", "data", JSON.stringify(o));
    await redis.xadd(stream, "*", "data", "{broken");
    await redis.xadd(stream, "*", "other", "1");
    for (const o of orders.slice(10)) await redis.xadd(stream, "*", "data", JSON.stringify(o));
    const { ssc, readsAllOrders } = job("redis-fmt");
    const dead: DeadLetter[] = [];
    const s = RedisStreams.createDirectStream(ssc, {
      url: REDIS,
      stream,
      group: "g",
      format: "json",
      deadLetter: (d) => void dead.push(d),
    });
    await readsAllOrders(s, 2);
    assert.deepEqual(
      dead.map((d) => [Buffer.from(d.payload).toString(), /entry \d+-\d+$/.test(d.source)]),
      [
        ["{broken", true],
        ["", true],
      ],
    );
    assert.match(dead[1]!.error.message, /no field 'data'/);
    assert.throws(
      () => RedisStreams.createDirectStream(ssc, { url: REDIS, stream, group: "g", format: "avro" as "json" }),
      /format "avro" is not offered/,
    );
  } finally {
    await redis.del(stream);
    redis.disconnect();
  }
});

test("JetStream messages with format avro: records decoded with the schema; a message of another schema is dead-lettered", async (t) => {
  if (!(await natsOrSkip(NATS, t))) return;
  const { nc, jsm, js, stream } = await jetStreamFor("SLUICE_FMT");
  try {
    for (const [i, o] of orders.entries()) {
      await js.publish(`${stream}.o`, orderType.toBuffer(o));
      if (i === 5) await js.publish(`${stream}.o`, otherType.toBuffer({ flag: true }));
      if (i === 6) await js.publish(`${stream}.o`, new TextEncoder().encode(JSON.stringify(o)));
    }
    const { ssc, readsAllOrders } = job("nats-fmt");
    const dead: DeadLetter[] = [];
    const s = NatsJetStreamUtils.createDirectStream(ssc, {
      servers: NATS,
      stream,
      durable: "fmt",
      format: "avro",
      schema: ORDER_SCHEMA as never,
      deadLetter: (d) => void dead.push(d),
    });
    await readsAllOrders(s, 2);
    assert.deepEqual(
      dead.map((d) => d.source),
      [`nats ${stream} seq 7`, `nats ${stream} seq 9`],
    );
    assert.match(dead[0]!.error.message, /does not decode with the Avro schema Order/);
    await jsm.streams.delete(`KV_sluice_progress_${stream}`).catch(() => undefined);
  } finally {
    await jsm.streams.delete(stream).catch(() => undefined);
    await nc.close();
  }
});

test("RabbitMQ with format json and a dead-letter file: malformed messages are on disk and acknowledged, good ones counted once", async (t) => {
  if (!(await rabbitOrSkip(RABBIT, t))) return;
  const queue = `sluice-fmt-${process.pid}-${Date.now()}`;
  const conn = await amqp.connect(RABBIT);
  const ch = await conn.createChannel();
  await ch.assertQueue(queue, { durable: true });
  const deadPath = join(tempDir(), "dead", "orders.jsonl");
  try {
    for (const [i, o] of orders.entries()) {
      ch.sendToQueue(queue, Buffer.from(JSON.stringify(o)), { persistent: true });
      if (i % 10 === 0)
        ch.sendToQueue(queue, Buffer.from([0xff, 0xfe, i]), { persistent: true, messageId: `bad-${i}` });
    }
    const { ssc, clock, got, collect } = job("rabbit-fmt");
    const s = RabbitMQUtils.createStream(ssc, {
      url: RABBIT,
      queue,
      format: "json",
      deadLetter: deadLetterFile(deadPath),
    });
    collect(s);
    ssc.start();
    await ssc.receiverTracker.supervisor(s.id)!.whenRecords(orders.length); // every good one stored
    await runUntil(ssc, clock, () => got.length >= orders.length && s.malformedRecords() >= 3);
    await ssc.stop(true, false);
    assert.deepEqual(sorted(got), sorted(orders));
    assert.equal(s.malformedRecords(), 3);
    const lines = readFileSync(deadPath, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { source: string; payloadBase64: string });
    assert.deepEqual(
      lines
        .map((l) => [l.source.replace(/delivery \d+/, "delivery N"), Buffer.from(l.payloadBase64, "base64")[2]])
        .sort(),
      [0, 10, 20].map((i) => [`rabbitmq ${queue} delivery N (message id bad-${i})`, i]).sort(),
    );
    assert.equal((await ch.checkQueue(queue)).messageCount, 0, "dead-lettered messages were acknowledged too");
  } finally {
    await ch.deleteQueue(queue).catch(() => undefined);
    await conn.close();
  }
});

test("MQTT with format avro: decoded records; truncated payloads counted as malformed", async (t) => {
  if (!(await mqttOrSkip(MQTT, t))) return;
  const topic = `sluice/fmt/${process.pid}/${Date.now()}`;
  const { ssc, clock, got, collect } = job("mqtt-fmt");
  const s = MQTTUtils.createStream(ssc, MQTT, topic, { format: "avro", schema: ORDER_SCHEMA as never });
  collect(s);
  const subscribed = new Promise<void>((resolve) => ssc.addStreamingListener({ onReceiverStarted: () => resolve() }));
  ssc.start();
  await subscribed;
  const publisher = await mqtt.connectAsync(MQTT);
  for (const [i, o] of orders.entries()) {
    await publisher.publishAsync(topic, orderType.toBuffer(o), { qos: 1 });
    if (i % 15 === 0) await publisher.publishAsync(topic, orderType.toBuffer(o).subarray(0, 2), { qos: 1 });
  }
  await publisher.endAsync();
  await ssc.receiverTracker.supervisor(s.id)!.whenRecords(orders.length);
  await runUntil(ssc, clock, () => got.length >= orders.length && s.malformedRecords() >= 2);
  await ssc.stop(true, false);
  assert.deepEqual(sorted(got), sorted(orders));
  assert.equal(s.malformedRecords(), 2);
  assert.throws(
    () => MQTTUtils.createStream(ssc, MQTT, topic, { format: "avro" }),
    /format "avro" needs the messages' schema/,
  );
});
