// Kafka: a word count over 1M messages (3 words each) from a 4-partition topic, by Sluice's
// direct stream (batches taken back to back on a manual clock, flatMap → map → reduceByKey) and
// by a plain @platformatic/kafka consumer loop that reads and counts the same messages, in
// interleaved rounds of one run. Both results are checked against the counts the producer made.
// Then the end-to-end latency at 100 ms batches: a producer sends BENCH_RATE messages/s
// (default 20,000) stamped with their send time for 10 s; latency is the time from the send to
// the end of the batch that processed the message (p50, p99).
// Needs a broker: SLUICE_KAFKA_BROKERS, or one started here by scripts/kafka.mjs.
// Run: npm run bench -- kafka   (BENCH_MESSAGES: default 1,000,000; BENCH_ROUNDS: default 3)
import { Admin, Consumer, Producer, stringDeserializers, stringSerializers } from "@platformatic/kafka";
import { KafkaUtils, ManualClock, SparkConf, SparkContext, StreamingContext } from "../src/index.js";
import { percentile, writeResult } from "./harness.js";
// @ts-expect-error: a plain ES module script, without types
import * as kafka from "../scripts/kafka.mjs";

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 1_000_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PARTITIONS = 4;

const script = kafka as { start(n: number): Promise<{ bootstrap: string[] }>; stop(): Promise<void> };
let started = false;
let servers = process.env.SLUICE_KAFKA_BROKERS;
if (!servers) {
  servers = (await script.start(1)).bootstrap.join(",");
  started = true;
}
const brokers = servers.split(",");
const topic = `bench-words-${Date.now()}`;
const vocab = Array.from({ length: 1000 }, (_, i) => `w${i}`);
const expected = new Map<string, number>();

const admin = new Admin({ clientId: "bench", bootstrapBrokers: brokers });
await admin.createTopics({ topics: [topic], partitions: PARTITIONS, replicas: 1 });
const producer = new Producer({ clientId: "bench", bootstrapBrokers: brokers, serializers: stringSerializers });
const produceStart = performance.now();
for (let i = 0; i < MESSAGES; i += 5000) {
  const messages = [];
  for (let j = i; j < Math.min(MESSAGES, i + 5000); j++) {
    const words = [vocab[j % 1000]!, vocab[(j * 7) % 1000]!, vocab[(j * 13) % 1000]!];
    for (const w of words) expected.set(w, (expected.get(w) ?? 0) + 1);
    messages.push({ topic, partition: j % PARTITIONS, value: words.join(" ") });
  }
  await producer.send({ messages });
}
await producer.close();
console.log(`produced ${MESSAGES} messages in ${Math.round(performance.now() - produceStart)} ms`);

const same = (m: Map<string, number>) => m.size === expected.size && [...expected].every(([k, v]) => m.get(k) === v);

/** The plain loop: a consumer from the earliest offsets, counting words until every message came. */
async function plainLoop(round: number): Promise<number> {
  const consumer = new Consumer({
    clientId: "bench-plain",
    groupId: `bench-plain-${topic}-${round}`,
    bootstrapBrokers: brokers,
    deserializers: stringDeserializers,
  });
  const start = performance.now();
  const counts = new Map<string, number>();
  let n = 0;
  const stream = await consumer.consume({ topics: [topic], mode: "earliest", autocommit: false, maxWaitTime: 100 });
  for await (const m of stream) {
    for (const w of m.value.split(" ")) counts.set(w, (counts.get(w) ?? 0) + 1);
    if (++n >= MESSAGES) break;
  }
  const ms = performance.now() - start;
  await stream.close();
  await consumer.close(true);
  if (!same(counts)) throw new Error("the plain loop counted wrong");
  return ms;
}

/** Sluice: batches of at most 200,000 messages, taken back to back, counts merged on the driver. */
async function sluice(round: number): Promise<number> {
  const conf = new SparkConf().setMaster("local[2]").setAppName("bench-kafka").set("spark.ui.enabled", "false");
  const clock = new ManualClock(0);
  const ssc = new StreamingContext(new SparkContext(conf), 1, { clock, out: () => {} });
  const counts = new Map<string, number>();
  let n = 0;
  const lines = KafkaUtils.createDirectStream(
    ssc,
    [topic],
    { "bootstrap.servers": servers!, "group.id": `bench-sluice-${topic}-${round}`, "auto.offset.reset": "earliest" },
    { maxRecordsPerBatch: 200_000 },
  ).map(([, v]) => v);
  lines.count().foreachRDD(async (rdd) => void (n += (await rdd.collect())[0] ?? 0));
  lines
    .flatMap((l) => l.split(" "))
    .map((w) => [w, 1])
    .reduceByKey((a, b) => a + b)
    .foreachRDD(async (rdd) => {
      for (const [w, c] of await rdd.collect()) counts.set(w, (counts.get(w) ?? 0) + c);
    });
  const start = performance.now();
  ssc.start();
  while (n < MESSAGES) {
    clock.advance(1000);
    await ssc.scheduler.whenIdle();
  }
  const ms = performance.now() - start;
  await ssc.stop();
  if (!same(counts)) throw new Error("Sluice counted wrong");
  return ms;
}

const rounds: { plainMs: number; sluiceMs: number }[] = [];
for (let r = 0; r < ROUNDS; r++) {
  const plainMs = await plainLoop(r);
  const sluiceMs = await sluice(r);
  rounds.push({ plainMs: Math.round(plainMs), sluiceMs: Math.round(sluiceMs) });
  console.log(`round ${r}: plain ${Math.round(plainMs)} ms, sluice ${Math.round(sluiceMs)} ms`);
}
/** Latency at 100 ms batches on the system clock, `rate` messages/s for `seconds`. */
async function latency(
  rate: number,
  seconds: number,
): Promise<{ p50: number; p99: number; max: number; n: number; sent: number }> {
  const live = `bench-latency-${Date.now()}`;
  await admin.createTopics({ topics: [live], partitions: PARTITIONS, replicas: 1 });
  const conf = new SparkConf().setMaster("local[2]").setAppName("bench-kafka-latency").set("spark.ui.enabled", "false");
  const ssc = new StreamingContext(new SparkContext(conf), 0.1);
  const lat: number[] = [];
  KafkaUtils.createDirectStream(ssc, [live], { "bootstrap.servers": servers!, "auto.offset.reset": "earliest" })
    .map(([, v]) => Number(v))
    .foreachRDD(async (rdd) => {
      const sent = await rdd.collect();
      const now = Date.now();
      for (const t of sent) lat.push(now - t);
    });
  ssc.start();
  const feed = new Producer({ clientId: "bench-feed", bootstrapBrokers: brokers, serializers: stringSerializers });
  const begin = Date.now();
  let sentCount = 0;
  while (Date.now() - begin < seconds * 1000) {
    const due = Math.floor(((Date.now() - begin) / 1000) * rate);
    const messages = [];
    for (; sentCount < due; sentCount++)
      messages.push({ topic: live, partition: sentCount % PARTITIONS, value: String(Date.now()) });
    if (messages.length > 0) await feed.send({ messages });
    await new Promise((r) => setTimeout(r, 10));
  }
  const until = Date.now() + 5000;
  while (lat.length < sentCount && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  await feed.close();
  await ssc.stop();
  await admin.deleteTopics({ topics: [live] }).catch(() => undefined);
  return {
    p50: percentile(lat, 50),
    p99: percentile(lat, 99),
    max: lat.reduce((a, b) => Math.max(a, b), 0),
    n: lat.length,
    sent: sentCount,
  };
}

const RATE = Number(process.env.BENCH_RATE ?? 20_000);
const endToEnd = await latency(RATE, 10);
console.log(`latency at 100 ms batches, ${RATE} messages/s: ${JSON.stringify(endToEnd)}`);
await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
await admin.close();
if (started) await script.stop();
const best = (k: "plainMs" | "sluiceMs") => Math.min(...rounds.map((r) => r[k]));
const rate = (ms: number) => Math.round(MESSAGES / (ms / 1000));
writeResult("kafka", {
  messages: MESSAGES,
  partitions: PARTITIONS,
  rounds,
  plainLoopMessagesPerSecond: rate(best("plainMs")),
  sluiceMessagesPerSecond: rate(best("sluiceMs")),
  ratioToPlainLoop: Math.round((best("plainMs") / best("sluiceMs")) * 100) / 100,
  latencyAt100msBatches: { messagesPerSecond: RATE, ...endToEnd },
});
