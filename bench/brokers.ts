// Broker sources into a word count: records/s read from Redis Streams and NATS JetStream by a
// direct stream and counted per batch, batches driven back to back (manual clock), compared
// with a plain client loop that only reads the same messages. Both checked against a plain count.
// Run: npm run bench -- brokers   (needs Redis on 6379 and NATS with JetStream on 4222)
import { connect } from "@nats-io/transport-node";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { Redis } from "ioredis";
import {
  ManualClock,
  NatsJetStreamUtils,
  RedisStreams,
  SparkContext,
  StreamingContext,
  type RDD,
} from "../src/index.js";
import { heapUsedMB, writeResult } from "./harness.js";

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 200_000);
const WORDS_PER_MESSAGE = 10;
const VOCABULARY = 5_000;
const PER_BATCH = 50_000;
const REDIS = process.env.SLUICE_REDIS_URL ?? "redis://127.0.0.1:6379";
const NATS = process.env.SLUICE_NATS_SERVERS ?? "127.0.0.1:4222";

let x = 11;
const rand = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) % VOCABULARY;
const lines = Array.from({ length: MESSAGES }, () =>
  Array.from({ length: WORDS_PER_MESSAGE }, () => `w${rand()}`).join(" "),
);
const reference = new Map<string, number>();
for (const l of lines) for (const w of l.split(" ")) reference.set(w, (reference.get(w) ?? 0) + 1);
const sameCounts = (m: Map<string, number>) =>
  m.size === reference.size && [...reference].every(([w, n]) => m.get(w) === n);

/** Runs batches back to back until every message was counted; returns records/s and the counts. */
async function sluiceRun(
  make: (ssc: StreamingContext) => import("../src/index.js").DStream<string>,
): Promise<{ recordsPerSecond: number; batches: number; peakHeapMB: number }> {
  const sc = new SparkContext("local[2]", "bench-brokers");
  const clock = new ManualClock(0);
  const ssc = new StreamingContext(sc, 1, { clock, out: () => {} });
  const counts = new Map<string, number>();
  let words = 0;
  const text = make(ssc);
  text
    .flatMap((l) => l.split(" "))
    .map((w): [string, number] => [w, 1])
    .reduceByKey((a, b) => a + b)
    .foreachRDD(async (rdd: RDD<[string, number]>) => {
      for (const [w, n] of await rdd.collect()) {
        counts.set(w, (counts.get(w) ?? 0) + n);
        words += n;
      }
    });
  ssc.start();
  let peak = 0;
  let batches = 0;
  const start = performance.now();
  while (words < MESSAGES * WORDS_PER_MESSAGE && batches < 1000) {
    clock.advance(1000);
    await ssc.scheduler.whenIdle();
    batches++;
    peak = Math.max(peak, process.memoryUsage().heapUsed / 2 ** 20);
  }
  const seconds = (performance.now() - start) / 1000;
  await ssc.stop();
  if (!sameCounts(counts)) throw new Error("the word counts differ from a plain count");
  return { recordsPerSecond: Math.round(MESSAGES / seconds), batches, peakHeapMB: Math.round(peak) };
}

async function redisBench() {
  const redis = new Redis(REDIS);
  const stream = `sluice-bench-${process.pid}`;
  await redis.del(stream);
  for (let i = 0; i < lines.length; i += 5000) {
    const p = redis.pipeline();
    for (const l of lines.slice(i, i + 5000)) p.xadd(stream, "*", "data", l);
    await p.exec();
  }
  // a plain client loop: page through the stream with XRANGE and count words
  let t = performance.now();
  const plain = new Map<string, number>();
  let from = "-";
  for (;;) {
    const page = (await redis.xrange(stream, from, "+", "COUNT", PER_BATCH)) as [string, string[]][];
    if (page.length === 0) break;
    for (const [, f] of page) for (const w of f[1]!.split(" ")) plain.set(w, (plain.get(w) ?? 0) + 1);
    from = `(${page[page.length - 1]![0]}`;
  }
  const plainRate = Math.round(MESSAGES / ((performance.now() - t) / 1000));
  if (!sameCounts(plain)) throw new Error("plain Redis loop miscounted");
  t = performance.now();
  const sluice = await sluiceRun((ssc) =>
    RedisStreams.createDirectStream(ssc, { url: REDIS, stream, group: "bench", maxRecordsPerBatch: PER_BATCH }).map(
      (e) => e.fields.data!,
    ),
  );
  await redis.del(stream);
  redis.disconnect();
  return { plainLoopRecordsPerSecond: plainRate, sluice, ratio: +(sluice.recordsPerSecond / plainRate).toFixed(2) };
}

async function natsBench() {
  const nc = await connect({ servers: NATS });
  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  const stream = `SLUICE_BENCH_${process.pid}`;
  await jsm.streams.add({ name: stream, subjects: [`${stream}.>`] });
  const enc = new TextEncoder();
  for (let i = 0; i < lines.length; i += 2000)
    await Promise.all(lines.slice(i, i + 2000).map((l) => js.publish(`${stream}.l`, enc.encode(l))));
  // a plain client loop: an ordered consumer reading every message
  const dec = new TextDecoder();
  let t = performance.now();
  const plain = new Map<string, number>();
  const consumer = await js.consumers.get(stream);
  let read = 0;
  while (read < MESSAGES) {
    const batch = await consumer.fetch({ max_messages: PER_BATCH, expires: 2000 });
    for await (const m of batch) {
      for (const w of dec.decode(m.data).split(" ")) plain.set(w, (plain.get(w) ?? 0) + 1);
      read++;
    }
  }
  const plainRate = Math.round(MESSAGES / ((performance.now() - t) / 1000));
  if (!sameCounts(plain)) throw new Error("plain NATS loop miscounted");
  t = performance.now();
  const sluice = await sluiceRun((ssc) =>
    NatsJetStreamUtils.createDirectStream(ssc, {
      servers: NATS,
      stream,
      durable: "bench",
      maxRecordsPerBatch: PER_BATCH,
    }).map((m) => m.data),
  );
  await jsm.streams.delete(stream);
  await jsm.streams.delete(`KV_sluice_progress_${stream}`).catch(() => undefined);
  await nc.close();
  return { plainLoopRecordsPerSecond: plainRate, sluice, ratio: +(sluice.recordsPerSecond / plainRate).toFixed(2) };
}

const redis = await redisBench();
const nats = await natsBench();
writeResult("brokers", {
  messages: MESSAGES,
  wordsPerMessage: WORDS_PER_MESSAGE,
  maxRecordsPerBatch: PER_BATCH,
  heapMBAtEnd: Math.round(heapUsedMB()),
  redisStreams: redis,
  natsJetStream: nats,
});
