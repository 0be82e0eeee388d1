import assert from "node:assert/strict";
import { test } from "node:test";
import { collectBatches, runBatches, streamingFixture } from "../helpers/streaming.js";

test("queueStream takes one RDD per batch, then the default RDD", async () => {
  const f = streamingFixture(1);
  const batches = collectBatches(f.ssc.queueStream([[1, 2], f.sc.parallelize([3], 1)], true, [0]));
  f.ssc.start();
  await runBatches(f, 4);
  assert.deepEqual(
    batches.map(([, r]) => r),
    [[1, 2], [3], [0], [0]],
  );
  await f.ssc.stop(false);
});

test("queueStream with oneAtATime false takes the union of all queued RDDs at once", async () => {
  const f = streamingFixture(1);
  const s = f.ssc.queueStream([["a"], ["b", "c"]], false);
  const batches = collectBatches(s);
  const counts = collectBatches(s.count());
  f.ssc.start();
  await runBatches(f, 2);
  assert.deepEqual(
    batches.map(([, r]) => r),
    [["a", "b", "c"], []],
  );
  assert.deepEqual(
    counts.map(([, r]) => r),
    [[3], [0]],
    "count emits 0 for an empty batch",
  );
  await f.ssc.stop(false);
});

test("a DStream checkpoint interval below or off its slide fails at start(), naming both values", async () => {
  const f = streamingFixture(2);
  f.ssc
    .queueStream([[1]])
    .map((x) => x)
    .checkpoint(3)
    .pprint();
  assert.throws(
    () => f.ssc.start(),
    /checkpoint interval for MappedDStream has been set to 3000 ms which not a multiple of its slide time \(2000 ms\)/,
  );
  await f.ssc.stop(true);
  const g = streamingFixture(2);
  g.ssc
    .queueStream([[1]])
    .checkpoint(1)
    .pprint();
  assert.throws(() => g.ssc.start(), /1000 ms which is lower than its slide time \(2000 ms\)/);
  assert.throws(() => g.ssc.remember(0), /remember duration must be > 0 seconds, got 0/);
});

test("conf spark.streaming.clock=manual gives the context a ManualClock", async () => {
  const f = streamingFixture(1, { "spark.streaming.clock": "manual" });
  const { StreamingContext, ManualClock } = await import("../../src/index.js");
  await f.ssc.stop(false);
  const ssc = new StreamingContext(f.sc, 1);
  assert.ok(ssc.clock instanceof ManualClock);
  const batches = collectBatches(ssc.queueStream([[1], [2]]));
  ssc.start();
  await runBatches({ ssc, clock: ssc.clock as InstanceType<typeof ManualClock> }, 2);
  assert.deepEqual(batches, [
    [1000, [1]],
    [2000, [2]],
  ]);
  await ssc.stop(false);
});
