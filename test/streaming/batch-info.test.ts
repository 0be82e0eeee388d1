import assert from "node:assert/strict";
import { mkdirSync, renameSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { ManualClock, SparkContext, StreamingContext, type BatchInfo, type RDD } from "../../src/index.js";
import { tempDir } from "../helpers/context.js";

/** Collects every completed batch's info. */
function completed(ssc: StreamingContext): BatchInfo[] {
  const infos: BatchInfo[] = [];
  ssc.addStreamingListener({ onBatchCompleted: (b) => void infos.push(b) });
  return infos;
}

test("the scheduling delay counts the time a batch waited behind slower ones (processing start − batch time, as Spark)", async () => {
  const clock = new ManualClock(0);
  const ssc = new StreamingContext(new SparkContext("local[1]", "delays"), 1, { clock, out: () => {} });
  let release!: () => void;
  const slow = new Promise<void>((r) => (release = r));
  ssc.queueStream([[1], [2], [3], [4]]).foreachRDD(async (time: Date, _rdd) => {
    if (time.getTime() === 1000) await slow; // the first batch runs until the clock is at 4 s
  });
  const infos = completed(ssc);
  ssc.start();
  clock.advance(1000);
  await new Promise((r) => setImmediate(r));
  clock.advance(3000); // batches 2, 3 and 4 fall due while the first runs
  release();
  await ssc.scheduler.whenIdle();
  await ssc.stop();
  // by hand: batch 1 started at 1 s; 2, 3 and 4 started at 4 s, their times 2, 3 and 4 s
  assert.deepEqual(
    infos.map((b) => [b.batchTime, b.schedulingDelay]),
    [
      [1000, 0],
      [2000, 2000],
      [3000, 1000],
      [4000, 0],
    ],
  );
});

test("batches of file streams count their records (not only receivers')", async () => {
  const root = tempDir("sluice-counts-");
  const dir = join(root, "in");
  mkdirSync(dir);
  const T0 = 1_700_000_000_000;
  const clock = new ManualClock(T0);
  const ssc = new StreamingContext(new SparkContext("local[1]", "counts"), 1, { clock, out: () => {} });
  ssc.textFileStream(dir).foreachRDD(async (rdd: RDD<string>) => void (await rdd.count()));
  const infos = completed(ssc);
  ssc.start();
  for (const [i, lines] of [3, 0, 5].entries()) {
    const f = join(root, `f${i}`);
    writeFileSync(f, "x\n".repeat(lines));
    utimesSync(f, (T0 + i * 1000 + 500) / 1000, (T0 + i * 1000 + 500) / 1000);
    renameSync(f, join(dir, `f${i}`));
    clock.advance(1000);
    await ssc.scheduler.whenIdle();
  }
  await ssc.stop();
  assert.deepEqual(
    infos.map((b) => b.numRecords),
    [3, 0, 5],
  );
});

test("batches of queueStream count the records of queued collections, one at a time or all at once", async () => {
  for (const oneAtATime of [true, false]) {
    const clock = new ManualClock(0);
    const ssc = new StreamingContext(new SparkContext("local[1]", "queue-counts"), 1, { clock, out: () => {} });
    ssc.queueStream([[1, 2, 3], [], [4, 5]], oneAtATime).foreachRDD(async (rdd) => void (await rdd.count()));
    const infos = completed(ssc);
    ssc.start();
    for (let i = 0; i < 3; i++) {
      clock.advance(1000);
      await ssc.scheduler.whenIdle();
    }
    await ssc.stop();
    assert.deepEqual(
      infos.map((b) => b.numRecords),
      oneAtATime ? [3, 0, 2] : [5, 0, 0],
    );
  }
});
