import assert from "node:assert/strict";
import { test } from "node:test";
import { Receiver, type RDD } from "../../src/index.js";
import { collectBatches, runBatches, streamingFixture } from "../helpers/streaming.js";

/** A receiver whose source the test controls: `push` stores records while started. */
class TestReceiver extends Receiver<string> {
  starts = 0;
  stops = 0;
  failStarts = 0;

  onStart(): void {
    this.starts++;
    if (this.failStarts > 0) {
      this.failStarts--;
      throw new Error("source unavailable");
    }
  }

  onStop(): void {
    this.stops++;
  }

  push(...records: string[]): void {
    this.storeAll(records);
  }
}

test("a custom Receiver's records become the batches' RDDs; restart() stops and starts it after the delay", async () => {
  const f = streamingFixture(1, { "spark.streaming.blockInterval": "0.25" });
  const receiver = new TestReceiver();
  const stream = f.ssc.receiverStream(receiver);
  const batches = collectBatches(stream);
  const partitions: number[] = [];
  stream.foreachRDD((rdd) => {
    partitions.push(rdd.getNumPartitions());
  });
  assert.throws(() => receiver.push("too early"), /is not running/);
  f.ssc.start();
  await new Promise((r) => setImmediate(r));
  assert.equal(receiver.starts, 1);
  receiver.push("a", "b");
  f.clock.advance(250); // one block cut by the block interval
  receiver.push("c");
  await runBatches(f, 1); // the batch at 1000 takes both blocks
  receiver.restart("reconnect, please", undefined, 0.5);
  assert.equal(receiver.stops, 1);
  await runBatches(f, 1);
  assert.equal(receiver.starts, 2, "restarted 0.5 s later");
  receiver.push("d");
  await runBatches(f, 1);
  assert.deepEqual(batches, [
    [1000, ["a", "b", "c"]],
    [2000, []],
    [3000, ["d"]],
  ]);
  assert.deepEqual(partitions, [2, 0, 1], "one partition per block");
  await f.ssc.stop(false);
});

test("a receiver whose onStart throws is restarted every spark.streaming.receiverRestartDelay (2 s, as Spark) until it starts", async () => {
  const f = streamingFixture(1);
  const receiver = new TestReceiver();
  receiver.failStarts = 2;
  f.ssc.receiverStream(receiver).pprint();
  const errors: string[] = [];
  f.ssc.addStreamingListener({
    onReceiverError: (i) => {
      errors.push(i.lastErrorMessage ?? "");
    },
  });
  f.ssc.start();
  await new Promise((r) => setImmediate(r));
  assert.equal(receiver.starts, 1);
  await runBatches(f, 2); // first retry after 2 s
  await new Promise((r) => setImmediate(r));
  assert.equal(receiver.starts, 2);
  await runBatches(f, 1);
  await new Promise((r) => setImmediate(r));
  assert.equal(receiver.starts, 2, "not before another 2 s");
  await runBatches(f, 1);
  await new Promise((r) => setImmediate(r));
  assert.equal(receiver.starts, 3, "the second retry 2 s after the first (it waited 4 s, and up to 32 s after more)");
  assert.equal(receiver.isStarted(), true);
  assert.equal(errors.length, 2);
  assert.match(errors[0]!, /Error starting receiver TestReceiver: Error: source unavailable/);
  await f.ssc.stop(false);
});

test("a graceful stop processes what the receiver had received", async () => {
  const f = streamingFixture(1);
  const receiver = new TestReceiver();
  const batches = collectBatches(f.ssc.receiverStream(receiver));
  f.ssc.start();
  await new Promise((r) => setImmediate(r));
  receiver.push("x", "y");
  f.clock.advance(300);
  const stopped = f.ssc.stop(false, true);
  assert.equal(f.ssc.getState(), "STOPPED", "the state changes at the call");
  await new Promise((r) => setImmediate(r));
  assert.equal(receiver.stops, 1, "receivers stop first");
  f.clock.advance(700); // the batch at 1000 takes the received records
  await stopped;
  assert.deepEqual(batches, [[1000, ["x", "y"]]]);
});

test("a slow batch makes the next ones queue (no overlap); a plain stop drops them and waits for the running job", async () => {
  const f = streamingFixture(1);
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const started: number[] = [];
  let running = 0;
  f.ssc.queueStream([[1], [2], [3]]).foreachRDD(async (time: Date, _rdd: RDD<number>) => {
    running++;
    assert.equal(running, 1, "jobs never overlap with spark.streaming.concurrentJobs = 1");
    started.push(time.getTime());
    await gate;
    running--;
  });
  f.ssc.start();
  f.clock.advance(3000);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(started, [1000]);
  assert.equal(f.ssc.scheduler.queuedBatches, 2, "the batches at 2000 and 3000 wait");
  const stopped = f.ssc.stop(false);
  release();
  await stopped;
  assert.deepEqual(started, [1000], "queued batches were dropped");
});
