import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { stderrDuring } from "../helpers/log.js";
import amqp from "amqplib";
import mqtt from "mqtt";
import {
  ManualClock,
  MQTTUtils,
  NatsJetStreamUtils,
  RabbitMQUtils,
  RedisStreams,
  SparkConf,
  SparkContext,
  StreamingContext,
  type JetStreamMessage,
  type RDD,
  type StreamEntry,
} from "../../src/index.js";
import { tempDir } from "../helpers/context.js";
import { cuttableProxy, type CuttableProxy } from "../helpers/proxy.js";
import { lastSeen, recordTotals, referenceTotals, runFor, runUntil } from "../helpers/source-jobs.js";
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

const portOf = (url: string, dflt: number) =>
  Number(/:(\d+)(?:\/|$)/.exec(url.replace(/^[a-z]+:\/\//, "x://"))?.[1] ?? dflt);

function context(name: string, conf: Record<string, string> = {}) {
  const sparkConf = new SparkConf().setMaster("local[2]").setAppName(name);
  for (const [k, v] of Object.entries(conf)) sparkConf.set(k, v);
  const clock = new ManualClock(0);
  return { clock, ssc: new StreamingContext(new SparkContext(sparkConf), 1, { clock, out: () => {} }) };
}

/** Advances batches until `done()`, giving real time to reconnects between them (bounded). */
async function runUntilSettled(
  ssc: StreamingContext,
  clock: ManualClock,
  done: () => boolean,
  seconds = 20,
): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (!done() && Date.now() < deadline) {
    await runUntil(ssc, clock, done, 5);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Runs 2 batches, drops the connections (refusing new ones for 1 s), publishes 60 more records, and checks the state
 * counts all 120 once.
 */
async function survivesCut(
  ssc: StreamingContext,
  clock: ManualClock,
  seen: Map<number, [string, number][]>,
  proxy: CuttableProxy,
  publish: (from: number, to: number) => Promise<void>,
): Promise<void> {
  ssc.start();
  await runFor(ssc, clock, 2);
  proxy.cut(1000);
  await publish(60, 120);
  await runUntilSettled(ssc, clock, () => JSON.stringify(lastSeen(seen)) === JSON.stringify(referenceTotals(120)));
  await ssc.stop();
  assert.deepEqual(lastSeen(seen), referenceTotals(120));
  assert.ok(proxy.connections >= 2, "a new connection was made");
}

test("Redis: a dropped connection (refused for 1 s) is re-made; state counts every entry exactly once", async (t) => {
  const redis = await redisOrSkip(REDIS, t);
  if (!redis) return;
  const proxy = await cuttableProxy(portOf(REDIS, 6379));
  const stream = `sluice-reconnect-${process.pid}-${Date.now()}`;
  const publish = async (from: number, to: number) => {
    for (let i = from; i < to; i++) await redis.xadd(stream, "*", "user", `u${i % 5}`, "amount", String(i % 17));
  };
  try {
    await publish(0, 60);
    const { ssc, clock } = context("redis-reconnect");
    ssc.checkpoint(join(tempDir(), "ck"));
    const seen = new Map<number, [string, number][]>();
    const entries = RedisStreams.createDirectStream(ssc, {
      url: `redis://127.0.0.1:${proxy.port}`,
      stream,
      group: "g",
      maxRecordsPerBatch: 25,
    });
    recordTotals(
      entries.map((e: StreamEntry): [string, number] => [e.fields.user!, Number(e.fields.amount)]),
      seen,
      {},
    );
    await survivesCut(ssc, clock, seen, proxy, publish);
  } finally {
    await redis.del(stream);
    redis.disconnect();
  }
});

test("Redis: a half-open link (bytes swallowed, nothing answers) is detected by the call timeout, reported, and made again; state counts every entry once", async (t) => {
  const redis = await redisOrSkip(REDIS, t);
  if (!redis) return;
  const proxy = await cuttableProxy(portOf(REDIS, 6379));
  const stream = `sluice-half-open-${process.pid}-${Date.now()}`;
  const publish = async (from: number, to: number) => {
    for (let i = from; i < to; i++) await redis.xadd(stream, "*", "user", `u${i % 5}`, "amount", String(i % 17));
  };
  const warnings: string[] = [];
  try {
    await publish(0, 60);
    const conf = new SparkConf().setMaster("local[2]").setAppName("half-open");
    conf.set("spark.streaming.source.callTimeoutSeconds", "2");
    const clock = new ManualClock(0);
    const io = new ManualClock(0);
    const ssc = new StreamingContext(new SparkContext(conf), 1, { clock, ioClock: io, out: () => {} });
    ssc.checkpoint(join(tempDir(), "ck"));
    const seen = new Map<number, [string, number][]>();
    const entries = RedisStreams.createDirectStream(ssc, {
      url: `redis://127.0.0.1:${proxy.port}`,
      stream,
      group: "g",
    });
    recordTotals(
      entries.map((e: StreamEntry): [string, number] => [e.fields.user!, Number(e.fields.amount)]),
      seen,
      {},
    );
    ssc.start();
    await runFor(ssc, clock, 1);
    assert.deepEqual(lastSeen(seen), referenceTotals(60));
    proxy.stall(true);
    await publish(60, 120);
    const logged = await stderrDuring(async () => {
      clock.advance(1000); // the next batch's read now waits for an answer that never comes
      for (let i = 0; i < 10; i++) {
        await new Promise((r) => setTimeout(r, 20)); // real I/O: the reconnect through the proxy
        io.advance(500);
      }
    });
    warnings.push(...logged);
    assert.ok(
      warnings.some((w) => /got no answer within 2 s \(spark\.streaming\.source\.callTimeoutSeconds\)/.test(w)),
      warnings.join(""),
    );
    proxy.stall(false);
    for (let i = 0; i < 100 && JSON.stringify(lastSeen(seen)) !== JSON.stringify(referenceTotals(120)); i++) {
      await new Promise((r) => setTimeout(r, 20));
      io.advance(500);
      if (ssc.scheduler.queuedBatches === 0) clock.advance(1000);
    }
    // a read still waiting for its retry (on the I/O clock) must not hold stop() for ever: the
    // clock keeps moving until the context has stopped (a slow machine may need more turns)
    const ticking = setInterval(() => io.advance(500), 20);
    try {
      await ssc.stop();
    } finally {
      clearInterval(ticking);
    }
    assert.deepEqual(lastSeen(seen), referenceTotals(120));
    assert.ok(proxy.connections >= 2, "the stalled connection was dropped and made again");
  } finally {
    await redis.del(stream);
    redis.disconnect();
  }
});

test("a sink whose link stops answering fails its batch after spark.sluice.sink.timeoutSeconds, naming it, instead of hanging", async (t) => {
  const redis = await redisOrSkip(REDIS, t);
  if (!redis) return;
  redis.disconnect();
  const proxy = await cuttableProxy(portOf(REDIS, 6379));
  const conf = new SparkConf()
    .setMaster("local[1]")
    .setAppName("sink-timeout")
    .set("spark.sluice.sink.timeoutSeconds", "5");
  const clock = new ManualClock(0);
  const io = new ManualClock(0);
  const ssc = new StreamingContext(new SparkContext(conf), 1, { clock, ioClock: io, out: () => {} });
  const hash = `sluice-sink-timeout-${process.pid}`;
  ssc
    .queueStream([[["a", 1]], [["b", 2]]] as [string, number][][])
    .saveToRedis({ url: `redis://127.0.0.1:${proxy.port}`, hash });
  ssc.start();
  await runFor(ssc, clock, 1); // the first batch is written
  proxy.stall(true);
  clock.advance(1000);
  for (let i = 0; i < 5; i++) {
    await new Promise((r) => setTimeout(r, 10));
    io.advance(2000);
  }
  await ssc.scheduler.whenIdle();
  await assert.rejects(
    ssc.awaitTerminationOrTimeout(0),
    /saveToRedis got no answer within 5 s for batch 2000 \(spark\.sluice\.sink\.timeoutSeconds\)/,
  );
  proxy.stall(false);
  await ssc.stop();
});

test("NATS JetStream: a dropped connection (refused for 1 s) is re-made; state counts every message exactly once", async (t) => {
  if (!(await natsOrSkip(NATS, t))) return;
  const proxy = await cuttableProxy(portOf(`nats://${NATS}`, 4222));
  const { nc, jsm, js, stream } = await jetStreamFor("SLUICE_RECONNECT");
  const publish = async (from: number, to: number) => {
    for (let i = from; i < to; i++) await js.publish(`${stream}.e`, new TextEncoder().encode(`u${i % 5},${i % 17}`));
  };
  try {
    await publish(0, 60);
    const { ssc, clock } = context("nats-reconnect");
    ssc.checkpoint(join(tempDir(), "ck"));
    const seen = new Map<number, [string, number][]>();
    const messages = NatsJetStreamUtils.createDirectStream(ssc, {
      servers: `127.0.0.1:${proxy.port}`,
      stream,
      durable: "r",
      maxRecordsPerBatch: 25,
    });
    recordTotals(
      messages.map((m: JetStreamMessage): [string, number] => {
        const [u, a] = m.data.split(",");
        return [u!, Number(a)];
      }),
      seen,
      {},
    );
    await survivesCut(ssc, clock, seen, proxy, publish);
    await jsm.streams.delete(`KV_sluice_progress_${stream}`).catch(() => undefined);
  } finally {
    await jsm.streams.delete(stream).catch(() => undefined);
    await nc.close();
  }
});

/** Runs a receiver stream through a proxy that is cut mid-stream; returns how often each message was seen. */
async function receiverThroughCut(
  name: string,
  make: (ssc: StreamingContext, port: number) => import("../../src/index.js").DStream<string>,
  targetPort: number,
  publish: (from: number, to: number) => Promise<void>,
) {
  const proxy = await cuttableProxy(targetPort);
  const { ssc, clock } = context(name, { "spark.streaming.receiver.writeAheadLog.enable": "true" });
  ssc.checkpoint(join(tempDir(), "ck"));
  const seen = new Map<string, number>();
  const stream = make(ssc, proxy.port);
  stream.foreachRDD(async (rdd: RDD<string>) => {
    for (const m of await rdd.collect()) seen.set(m, (seen.get(m) ?? 0) + 1);
  });
  const started = new Promise<void>((resolve) => ssc.addStreamingListener({ onReceiverStarted: () => resolve() }));
  ssc.start();
  await started;
  await publish(0, 150);
  await runUntilSettled(ssc, clock, () => seen.size >= 50);
  proxy.cut(500);
  await publish(150, 300);
  await runUntilSettled(ssc, clock, () => seen.size >= 300, 30);
  await ssc.stop(true, false);
  assert.ok(proxy.connections >= 2, "the receiver connected again");
  return seen;
}

test("RabbitMQ: the receiver reconnects after a dropped connection; no message is lost (redelivered ones at most twice)", async (t) => {
  if (!(await rabbitOrSkip(RABBIT, t))) return;
  const queue = `sluice-reconnect-${process.pid}-${Date.now()}`;
  const conn = await amqp.connect(RABBIT);
  const ch = await conn.createChannel();
  await ch.assertQueue(queue, { durable: true });
  try {
    const seen = await receiverThroughCut(
      "rabbit-reconnect",
      (ssc, port) => RabbitMQUtils.createStream(ssc, { url: RABBIT.replace(/:\d+$/, `:${port}`), queue, prefetch: 20 }),
      portOf(RABBIT, 5672),
      async (from, to) => {
        for (let i = from; i < to; i++) ch.sendToQueue(queue, Buffer.from(`m${i}`), { persistent: true });
      },
    );
    assert.equal(seen.size, 300, "every message arrived");
    assert.ok([...seen.values()].every((n) => n <= 2));
    assert.equal((await ch.checkQueue(queue)).messageCount, 0, "all acknowledged in the end");
  } finally {
    await ch.deleteQueue(queue).catch(() => undefined);
    await conn.close();
  }
});

test("MQTT: the receiver reconnects to its persistent session after a dropped connection; no QoS 1 message is lost", async (t) => {
  if (!(await mqttOrSkip(MQTT, t))) return;
  const topic = `sluice/reconnect/${process.pid}/${Date.now()}`;
  const publisher = await mqtt.connectAsync(MQTT);
  try {
    const seen = await receiverThroughCut(
      "mqtt-reconnect",
      (ssc, port) => MQTTUtils.createStream(ssc, `mqtt://127.0.0.1:${port}`, topic),
      portOf(MQTT, 1883),
      async (from, to) => {
        for (let i = from; i < to; i++) await publisher.publishAsync(topic, `m${i}`, { qos: 1 });
      },
    );
    assert.equal(seen.size, 300, "every message arrived");
    assert.ok([...seen.values()].every((n) => n <= 2));
  } finally {
    await publisher.endAsync();
  }
});

test("brokers unreachable at start: direct streams and receivers stop the job with an error naming the URL after bounded retries", async () => {
  const cases: [string, (ssc: StreamingContext) => import("../../src/index.js").DStream<unknown>, RegExp][] = [
    [
      "redis",
      (ssc) => RedisStreams.createDirectStream(ssc, { url: "redis://127.0.0.1:1", stream: "s", group: "g" }),
      /cannot create the consumer group at Redis redis:\/\/127\.0\.0\.1:1/,
    ],
    [
      "nats",
      (ssc) => NatsJetStreamUtils.createDirectStream(ssc, { servers: "127.0.0.1:1", stream: "S", durable: "d" }),
      /cannot reach NATS at 127\.0\.0\.1:1/,
    ],
    [
      "rabbitmq",
      (ssc) => RabbitMQUtils.createStream(ssc, { url: "amqp://guest:guest@127.0.0.1:1", queue: "q" }),
      /receiver rabbitmq q could not start within 30 s .*cannot reach RabbitMQ at amqp:\/\/guest:guest@127\.0\.0\.1:1/,
    ],
    [
      "mqtt",
      (ssc) => MQTTUtils.createStream(ssc, "mqtt://127.0.0.1:1", "t"),
      /receiver mqtt mqtt:\/\/127\.0\.0\.1:1 t could not start within 30 s .*cannot reach MQTT broker at mqtt:\/\/127\.0\.0\.1:1/,
    ],
  ];
  for (const [name, make, message] of cases) {
    const { ssc, clock } = context(`${name}-down`, { "spark.streaming.source.retrySeconds": "0.5" });
    ssc.checkpoint(join(tempDir(), "ck"));
    make(ssc).foreachRDD((_rdd: RDD<unknown>) => undefined);
    const stopped = assert.rejects(ssc.awaitTermination(), message, name);
    ssc.start();
    // receivers retry on the engine clock (every 2 s): 30 s of it pass in a few batches
    await runUntilSettled(ssc, clock, () => ssc.getState() === "STOPPED", 20);
    await stopped;
    await ssc.stop();
  }
});
