import assert from "node:assert/strict";
import { test } from "node:test";
import { ManualClock, Receiver, SparkConf, type BatchInfo } from "../../src/index.js";
import { PIDRateEstimator, RateLimiter } from "../../src/receiver/rate-limiter.js";
import { RateController } from "../../src/streaming/rate-controller.js";
import type { ReceiverTracker } from "../../src/receiver/tracker.js";
import { runBatches, streamingFixture } from "../helpers/streaming.js";

test("RateLimiter hands out `rate` tokens a second and says how long to wait past them", () => {
  const clock = new ManualClock(0);
  const limiter = new RateLimiter(clock, 10);
  assert.equal(limiter.take(10), 0);
  assert.equal(limiter.take(5), 500, "5 records over: half a second at 10/s");
  clock.advance(500);
  assert.equal(limiter.take(1), 100);
  clock.advance(5000);
  assert.equal(limiter.take(10), 0, "the bucket holds at most one second of tokens");
  assert.equal(limiter.take(1), 100);
  limiter.setRate(0);
  assert.equal(limiter.take(1_000_000), 0, "0 means unlimited");
});

test("the PID estimator follows Spark's formula, worked by hand", () => {
  const pid = new PIDRateEstimator(1000, 1, 0.2, 0, 100);
  assert.equal(pid.compute(1000, 1000, 500, 0), undefined, "the first batch only calibrates: 2000 records/s");
  // processing rate 1000/s, error 2000-1000, historical error 500 ms * 1000/s / 1000 ms = 500
  assert.equal(pid.compute(2000, 1000, 1000, 500), 2000 - 1000 - 0.2 * 500);
  // processing rate 2000/s, error 900-2000 = -1100: the rate goes back up
  assert.equal(pid.compute(3000, 900, 450, 0), 900 + 1100);
  assert.equal(pid.compute(3000, 900, 450, 0), undefined, "a batch time already seen");
  assert.equal(pid.compute(4000, 0, 450, 0), undefined, "no records, no update");
  assert.equal(pid.compute(5000, 10, 10_000, 100_000), 100, "never below minRate");
});

test("the rate controller turns each finished batch into a new receiver rate", () => {
  const rates: number[] = [];
  const tracker = {
    streamIds: () => [0],
    recordsIn: (t: number) => (t === 1000 ? 1000 : 1000),
    supervisor: () => ({ setRate: (r: number) => rates.push(r) }),
  } as unknown as ReceiverTracker;
  const controller = new RateController(1000, tracker, new SparkConf(false));
  const info = (t: number, processing: number, scheduling: number): BatchInfo => ({
    batchTime: t,
    numRecords: 1000,
    submissionTime: t,
    processingStartTime: t + scheduling,
    processingEndTime: t + scheduling + processing,
    outputOperations: [],
    processingDelay: processing,
    schedulingDelay: scheduling,
  });
  controller.onBatchCompleted(info(1000, 500, 0));
  controller.onBatchCompleted(info(2000, 1000, 500));
  assert.deepEqual(rates, [900]);
});

/** A receiver that pauses its source when asked. */
class PausingReceiver extends Receiver<number> {
  paused = false;
  onStart(): void {}
  onStop(): void {}
  override onThrottle(): void {
    this.paused = true;
  }
  override onResume(): void {
    this.paused = false;
  }
}

test("spark.streaming.receiver.maxRate pauses a receiver past the rate and resumes it on the clock; storeBlock waits", async () => {
  const f = streamingFixture(1, { "spark.streaming.receiver.maxRate": "5" });
  const receiver = new PausingReceiver();
  f.ssc.receiverStream(receiver).count().pprint();
  f.ssc.start();
  for (let i = 0; i < 5; i++) receiver.store(i);
  assert.equal(receiver.paused, false, "5 records in the first second are within the rate");
  receiver.store(5);
  assert.equal(receiver.paused, true, "the 6th is over: the source is paused");
  f.clock.advance(199);
  assert.equal(receiver.paused, true);
  f.clock.advance(1);
  assert.equal(receiver.paused, false, "resumed once one record's worth of time (200 ms) passed");
  let stored = false;
  const block = receiver.storeBlock([1, 2, 3, 4, 5]).then(() => (stored = true));
  await new Promise((r) => setImmediate(r));
  assert.equal(stored, false, "storeBlock waits for the rate");
  f.clock.advance(1000);
  await block;
  assert.equal(stored, true);
  await runBatches(f, 1);
});
