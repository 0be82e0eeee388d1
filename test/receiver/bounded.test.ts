import assert from "node:assert/strict";
import { test } from "node:test";
import { ListenerBus } from "../../src/events/streaming.js";
import { ManualClock, Receiver, SparkConf, SparkContext, StreamingContext } from "../../src/index.js";
import { ReceiverSupervisor, type SupervisorSettings } from "../../src/receiver/supervisor.js";

/** A source the test drives: it counts the pauses and resumes it is asked for. */
class Pausable extends Receiver<number> {
  paused = 0;
  resumed = 0;
  onStart(): void {}
  onStop(): void {}
  override onThrottle(): void {
    this.paused++;
  }
  override onResume(): void {
    this.resumed++;
  }
}

/** Captures what is logged at WARN while `f` runs. */
async function warnings(f: () => Promise<void>): Promise<string[]> {
  const seen: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((c: string) => (seen.push(String(c)), true)) as typeof process.stderr.write;
  try {
    await f();
  } finally {
    process.stderr.write = write;
  }
  return seen.filter((w) => w.includes("WARN"));
}

test("before any batch, a receiver past spark.sluice.receiver.maxPendingRecords is paused, and goes on once a batch takes its records", async () => {
  const conf = new SparkConf()
    .setMaster("local[1]")
    .setAppName("bounded")
    .set("spark.sluice.receiver.maxPendingRecords", "1000");
  const clock = new ManualClock(0);
  const ssc = new StreamingContext(new SparkContext(conf), 1, { clock, out: () => {} });
  const source = new Pausable();
  let counted = 0;
  ssc.receiverStream(source).foreachRDD(async (rdd) => void (counted += await rdd.count()));
  const logged = await warnings(async () => {
    ssc.start();
    for (let i = 0; i < 2500; i++) source.store(i); // the source ignores the pause: the bound is said once
    assert.equal(source.paused, 1, "paused once, at the bound");
    assert.equal(source.resumed, 0);
    clock.advance(1000); // the first batch takes the 2,500 records held
    await ssc.scheduler.whenIdle();
  });
  assert.equal(source.resumed, 1, "resumed once the batch took them");
  assert.equal(counted, 2500);
  assert.equal(logged.filter((w) => /holds 1000 records no batch has taken yet/.test(w)).length, 1, logged.join(""));
  await ssc.stop();
});

test("near the heap's limit the receiver stops the job with SLUICE_E_MEMORY naming it, instead of running out of memory", async () => {
  const clock = new ManualClock(0);
  const MB = 1048576;
  let used = 100 * MB;
  const settings: SupervisorSettings = {
    blockIntervalMs: 200,
    restartDelayMs: 2000,
    maxRate: 0,
    maxPendingRecords: 10_000_000,
    heap: () => ({ used, limit: 1000 * MB }),
  };
  const fatal: Error[] = [];
  const source = new Pausable();
  const sup = new ReceiverSupervisor(
    source,
    0,
    clock,
    settings,
    () => {},
    new ListenerBus(),
    undefined,
    (e) => void fatal.push(e),
  );
  sup.start();
  for (let i = 0; i < 70_000; i++) source.store(i);
  assert.equal(fatal.length, 0, "well under the limit");
  used = 950 * MB;
  for (let i = 0; i < 70_000; i++) source.store(i);
  await new Promise((r) => setImmediate(r));
  assert.equal(fatal.length, 1);
  assert.match(
    fatal[0]!.message,
    /SLUICE_E_MEMORY: the heap holds 950 MB of its 1000 MB limit while receiver Pausable holds \d+ records/,
  );
});

test("batches queuing behind a slow one are warned about once, with the advice to turn on backpressure", async () => {
  const clock = new ManualClock(0);
  const ssc = new StreamingContext(new SparkContext("local[1]", "queue-warning"), 1, { clock, out: () => {} });
  let release!: () => void;
  const slow = new Promise<void>((r) => (release = r));
  ssc.queueStream([[1], [2], [3], [4], [5], [6]]).foreachRDD(async (time: Date) => {
    if (time.getTime() === 1000) await slow;
  });
  const logged = await warnings(async () => {
    ssc.start();
    clock.advance(1000);
    await new Promise((r) => setImmediate(r));
    clock.advance(5000);
    release();
    await ssc.scheduler.whenIdle();
  });
  await ssc.stop();
  const about = logged.filter((w) => /batches are waiting behind a slow one/.test(w));
  assert.equal(about.length, 1, logged.join(""));
  assert.match(about[0]!, /spark\.streaming\.backpressure\.enabled/);
});
