// The broker stopped and started again while a job runs (this test owns its broker): the batch that
// meets the stopped broker waits, retrying with a warning, and goes on once the broker is back;
// the state equals a plain fold over everything published, nothing lost or counted twice.
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { KafkaUtils, ManualClock, SparkContext, StreamingContext } from "../../src/index.js";
import { tempDir } from "../helpers/context.js";
import { stderrDuring } from "../helpers/log.js";
import { lastSeen, recordTotals, referenceTotals, runUntil } from "../helpers/source-jobs.js";

test("a Kafka broker restarted while the job runs: the job waits, says so, resumes; the state is exactly once", async (t) => {
  // @ts-expect-error: a plain ES module script, without types
  const kafka = (await import("../../scripts/kafka.mjs")) as {
    start(n: number, home: string): Promise<{ bootstrap: string[] }>;
    stop(home: string): Promise<void>;
    stopBroker(id: number, home: string): Promise<void>;
    restartBroker(id: number, home: string): Promise<void>;
  };
  const home = tempDir("sluice-kafka-restart-");
  let cluster: { bootstrap: string[] };
  try {
    cluster = await kafka.start(1, home);
  } catch (err) {
    if (process.env.CI === "true") throw err;
    return t.skip(`no Kafka broker could start here: ${(err as Error).message}`);
  }
  const { Admin, Producer, stringSerializers } = await import("@platformatic/kafka");
  const brokers = cluster.bootstrap;
  const topic = "payments";
  const admin = new Admin({ clientId: "sluice-test", bootstrapBrokers: brokers });
  const producer = new Producer({ clientId: "sluice-test", bootstrapBrokers: brokers, serializers: stringSerializers });
  const publish = async (from: number, to: number) => {
    const messages = [];
    for (let i = from; i < to; i++) messages.push({ topic, key: `u${i % 5}`, value: String(i % 17) });
    await producer.send({ messages });
  };
  try {
    await admin.createTopics({ topics: [topic], partitions: 2, replicas: 1 });
    await publish(0, 40);
    const clock = new ManualClock(0);
    const ssc = new StreamingContext(new SparkContext("local[2]", "kafka-restart"), 1, { clock, out: () => {} });
    ssc.checkpoint(join(tempDir(), "ck"));
    const seen = new Map<number, [string, number][]>();
    const pairs = KafkaUtils.createDirectStream(
      ssc,
      [topic],
      { "bootstrap.servers": brokers.join(","), "group.id": "restart", "auto.offset.reset": "earliest" },
      { maxRecordsPerBatch: 15 },
    ).map(([k, v]): [string, number] => [k!, Number(v)]);
    recordTotals(pairs, seen, {});
    ssc.start();
    await runUntil(
      ssc,
      clock,
      () => seen.size > 0 && JSON.stringify(lastSeen(seen)) === JSON.stringify(referenceTotals(40)),
      20,
    );
    assert.deepEqual(lastSeen(seen), referenceTotals(40));

    await kafka.stopBroker(1, home);
    const logged = await stderrDuring(async () => {
      clock.advance(1000); // this batch meets the stopped broker: it retries on the I/O clock (real time here)
      await new Promise((r) => setTimeout(r, 1500));
      await kafka.restartBroker(1, home);
      await ssc.scheduler.whenIdle();
    });
    assert.ok(
      logged.some((l) => /WARN .*Kafka .* failed .*trying again/.test(l)),
      `a warning names the broker and the retry:\n${logged.join("")}`,
    );
    await publish(40, 80);
    await runUntil(ssc, clock, () => JSON.stringify(lastSeen(seen)) === JSON.stringify(referenceTotals(80)), 30);
    assert.equal(ssc.getState(), "ACTIVE", "the job went on");
    await ssc.stop();
    assert.deepEqual(lastSeen(seen), referenceTotals(80));
  } finally {
    await producer.close().catch(() => undefined);
    await admin.close().catch(() => undefined);
    await kafka.stop(home);
  }
});
