import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import amqp from "amqplib";
import { ManualClock, RabbitMQUtils, SparkConf, SparkContext, StreamingContext, type RDD } from "../../src/index.js";
import { tempDir } from "../helpers/context.js";
import { runUntil } from "../helpers/source-jobs.js";
import { RABBITMQ_URL as URL, rabbitOrSkip } from "../helpers/services.js";

test("a RabbitMQ queue's messages are stored through the write-ahead log, counted, and acknowledged", async (t) => {
  if (!(await rabbitOrSkip(URL, t))) return;
  const queue = `sluice-test-${process.pid}-${Date.now()}`;
  const conn = await amqp.connect(URL);
  const ch = await conn.createChannel();
  await ch.assertQueue(queue, { durable: true });
  for (let i = 0; i < 300; i++) ch.sendToQueue(queue, Buffer.from(`m${i}`), { persistent: true });
  try {
    const sc = new SparkContext(
      new SparkConf()
        .setMaster("local[2]")
        .setAppName("rabbit")
        .set("spark.streaming.receiver.writeAheadLog.enable", true),
    );
    const clock = new ManualClock(0);
    const ssc = new StreamingContext(sc, 1, { clock, out: () => {} });
    ssc.checkpoint(join(tempDir(), "ck"));
    const seen = new Map<string, number>();
    const stream = RabbitMQUtils.createStream(ssc, { url: URL, queue });
    stream.foreachRDD(async (rdd: RDD<string>) => {
      for (const m of await rdd.collect()) seen.set(m, (seen.get(m) ?? 0) + 1);
    });
    ssc.start();
    await ssc.receiverTracker.supervisor(stream.id)!.whenRecords(300); // all delivered and being stored
    // batches take what has been logged so far; go on until every message was counted (bounded)
    await runUntil(ssc, clock, () => seen.size >= 300);
    await ssc.stop(true, false);
    assert.equal(seen.size, 300, "every message arrived");
    assert.ok(
      [...seen.values()].every((n) => n === 1),
      "none twice while nothing failed",
    );
    const left = await ch.checkQueue(queue);
    assert.equal(left.messageCount, 0, "every message was acknowledged");
  } finally {
    await ch.deleteQueue(queue).catch(() => undefined);
    await conn.close();
  }
});
