import assert from "node:assert/strict";
import { test } from "node:test";
import { ListenerBus } from "../../src/events/streaming.js";
import { ManualClock, Receiver, SparkConf, SparkContext, StreamingContext } from "../../src/index.js";
import { ReceiverSupervisor, type SupervisorSettings } from "../../src/receiver/supervisor.js";
import { warningsDuring } from "../helpers/log.js";

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
  const logged = await warningsDuring(async () => {
    ssc.start();
    for (let i = 0; i < 2500; i++) source.store(i); // the source ignores the pause: the bound is said once
    assert.equal(source.paused, 1, "paused once, at the bound");
    assert.equal(source.resumed, 0);
    clock.advance(1000); // the first batch takes the 2,500 records held
    await ssc.scheduler.whenIdle();
  });
  assert.equal(source.resumed, 1, "resumed once the batch took them");
  assert.equal(counted, 2500);
  assert.equal(logged.filter((w) => /holds 1000 records not yet processed/.test(w)).length, 1, logged.join(""));
  await ssc.stop();
});

test("receivers together past spark.sluice.receiver.maxPendingRecordsTotal are paused, each under its own bound, and go on once a batch takes their records", async () => {
  const conf = new SparkConf()
    .setMaster("local[1]")
    .setAppName("bounded-total")
    .set("spark.sluice.receiver.maxPendingRecords", "100000")
    .set("spark.sluice.receiver.maxPendingRecordsTotal", "1000");
  const clock = new ManualClock(0);
  const ssc = new StreamingContext(new SparkContext(conf), 1, { clock, out: () => {} });
  const a = new Pausable();
  const b = new Pausable();
  let counted = 0;
  ssc
    .receiverStream(a)
    .union(ssc.receiverStream(b))
    .foreachRDD(async (rdd) => void (counted += await rdd.count()));
  const logged = await warningsDuring(async () => {
    ssc.start();
    for (let i = 0; i < 600; i++) a.store(i);
    for (let i = 0; i < 399; i++) b.store(i);
    assert.deepEqual([a.paused, b.paused], [0, 0], "999 held in all: under the total");
    b.store(399);
    assert.deepEqual([a.paused, b.paused], [0, 1], "the receiver that reached the total is paused");
    a.store(600);
    assert.deepEqual([a.paused, b.paused], [1, 1], "and the next one that stores more");
    clock.advance(1000);
    await ssc.scheduler.whenIdle();
  });
  assert.deepEqual([a.resumed, b.resumed], [1, 1], "both go on once the batch took what they held");
  assert.equal(counted, 1001);
  assert.equal(logged.filter((w) => /maxPendingRecordsTotal/.test(w)).length, 2, logged.join(""));
  await ssc.stop();
});

const MB = 1048576;

/** Receiver settings with no record bound to speak of and a 1000 MB heap whose use `used()` says. */
function heapSettings(used: () => number): SupervisorSettings {
  return {
    blockIntervalMs: 200,
    restartDelayMs: 2000,
    maxRate: 0,
    maxPendingRecords: 10_000_000,
    maxPendingRecordsTotal: 10_000_000,
    heap: () => ({ used: used(), limit: 1000 * MB }),
  };
}

test("near the heap's limit the receiver stops the job with SLUICE_E_MEMORY naming it, instead of running out of memory", async () => {
  const clock = new ManualClock(0);
  let used = 100 * MB;
  const settings = heapSettings(() => used);
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

test("past 70% of the heap's limit receivers pause while they hold records, and go on when a batch is done and the heap is below 60%", async () => {
  const clock = new ManualClock(0);
  let used = 100 * MB;
  const settings = heapSettings(() => used);
  const source = new Pausable();
  const sup = new ReceiverSupervisor(source, 0, clock, settings, () => {}, new ListenerBus());
  sup.start();
  const logged = await warningsDuring(async () => {
    for (let i = 0; i < 20_000; i++) source.store(i);
    assert.equal(source.paused, 0, "10% of the limit");
    used = 720 * MB;
    for (let i = 0; i < 20_000; i++) source.store(i);
    assert.equal(source.paused, 1, "72%: paused");
    used = 650 * MB;
    sup.taken(30_000);
    assert.equal(source.resumed, 0, "65% while 10,000 records are still held: still paused");
    used = 500 * MB;
    sup.taken(5_000);
    assert.equal(source.resumed, 1, "50%: goes on");
    used = 850 * MB;
    for (let i = 0; i < 20_000; i++) source.store(i);
    assert.equal(source.paused, 2);
    sup.taken(25_000);
    assert.equal(source.resumed, 2, "holding nothing, a pause would free nothing: goes on whatever the heap says");
  });
  assert.equal(logged.filter((w) => /the heap is over 70% of its limit/.test(w)).length, 2, logged.join(""));
  await sup.stopSupervisor();
});

test("batches queuing behind a slow one are warned about once, with the advice to turn on backpressure", async () => {
  const clock = new ManualClock(0);
  const ssc = new StreamingContext(new SparkContext("local[1]", "queue-warning"), 1, { clock, out: () => {} });
  let release!: () => void;
  const slow = new Promise<void>((r) => (release = r));
  ssc.queueStream([[1], [2], [3], [4], [5], [6]]).foreachRDD(async (time: Date) => {
    if (time.getTime() === 1000) await slow;
  });
  const logged = await warningsDuring(async () => {
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
