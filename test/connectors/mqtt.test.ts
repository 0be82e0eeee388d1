import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import mqtt from "mqtt";
import { ManualClock, MQTTUtils, SparkConf, SparkContext, StreamingContext, type RDD } from "../../src/index.js";
import { tempDir } from "../helpers/context.js";
import { runUntil } from "../helpers/source-jobs.js";
import { MQTT_URL as URL, mqttOrSkip } from "../helpers/services.js";

test("MQTT messages (QoS 1) are stored through the write-ahead log and each counted once", async (t) => {
  if (!(await mqttOrSkip(URL, t))) return;
  const topic = `sluice/test/${process.pid}/${Date.now()}`;
  const sc = new SparkContext(
    new SparkConf().setMaster("local[2]").setAppName("mqtt").set("spark.streaming.receiver.writeAheadLog.enable", true),
  );
  const clock = new ManualClock(0);
  const ssc = new StreamingContext(sc, 1, { clock, out: () => {} });
  ssc.checkpoint(join(tempDir(), "ck"));
  const seen = new Map<string, number>();
  const stream = MQTTUtils.createStream(ssc, URL, topic);
  stream.foreachRDD(async (rdd: RDD<string>) => {
    for (const m of await rdd.collect()) seen.set(m, (seen.get(m) ?? 0) + 1);
  });
  const subscribed = new Promise<void>((resolve) => ssc.addStreamingListener({ onReceiverStarted: () => resolve() }));
  ssc.start();
  await subscribed;
  const publisher = await mqtt.connectAsync(URL);
  for (let i = 0; i < 200; i++) await publisher.publishAsync(topic, `m${i}`, { qos: 1 });
  await publisher.endAsync();
  await ssc.receiverTracker.supervisor(stream.id)!.whenRecords(200);
  await runUntil(ssc, clock, () => seen.size >= 200);
  await ssc.stop(true, false);
  assert.equal(seen.size, 200, "every message arrived");
  assert.ok(
    [...seen.values()].every((n) => n === 1),
    "none twice while nothing failed",
  );
});
