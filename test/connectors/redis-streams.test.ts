import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { ManualClock, RedisStreams, SparkContext, StreamingContext, type StreamEntry } from "../../src/index.js";
import { tempDir } from "../helpers/context.js";
import { lastSeen, recordTotals, referenceTotals, runFor } from "../helpers/source-jobs.js";
import { REDIS_URL as URL, redisOrSkip } from "../helpers/services.js";

async function publish(redis: import("ioredis").Redis, stream: string, from: number, n: number): Promise<void> {
  const pipeline = redis.pipeline();
  for (let i = from; i < from + n; i++) pipeline.xadd(stream, "*", "user", `u${i % 5}`, "amount", String(i % 17));
  await pipeline.exec();
}

/** The job: running totals per user from the stream; `failAt` makes one batch's output fail. */
function setup(
  stream: string,
  group: string,
  clock: ManualClock,
  seen: Map<number, [string, number][]>,
  failAt: { time?: number },
) {
  return () => {
    const ssc = new StreamingContext(new SparkContext("local[2]", "redis-streams"), 1, { clock, out: () => {} });
    const entries = RedisStreams.createDirectStream(ssc, { url: URL, stream, group, maxRecordsPerBatch: 40 });
    recordTotals(
      entries.map((e: StreamEntry): [string, number] => [e.fields.user!, Number(e.fields.amount)]),
      seen,
      failAt,
    );
    return ssc;
  };
}

test("a Redis stream feeds batches of at most maxRecordsPerBatch; totals equal a plain fold; the group records progress", async (t) => {
  const redis = await redisOrSkip(URL, t);
  if (!redis) return;
  const stream = `sluice-test-${process.pid}-${Date.now()}`;
  try {
    await publish(redis, stream, 0, 100);
    const clock = new ManualClock(0);
    const seen = new Map<number, [string, number][]>();
    const ssc = setup(stream, "g1", clock, seen, {})();
    ssc.checkpoint(join(tempDir(), "ck"));
    ssc.start();
    await runFor(ssc, clock, 4);
    await ssc.stop();
    const last = lastSeen(seen);
    assert.deepEqual(last, referenceTotals(100));
    assert.deepEqual([...seen.keys()].length, 4);
    const groups = (await redis.xinfo("GROUPS", stream)) as unknown[][];
    const lastId = ((await redis.xrevrange(stream, "+", "-", "COUNT", 1)) as [string, string[]][])[0]![0];
    assert.ok(groups[0]!.includes(lastId), `the group's last-delivered id is the last entry ${lastId}`);
  } finally {
    await redis.del(stream);
    redis.disconnect();
  }
});

test("a batch that failed before its commit is re-run after getOrCreate with exactly the same entries (exactly-once state)", async (t) => {
  const redis = await redisOrSkip(URL, t);
  if (!redis) return;
  const stream = `sluice-test-${process.pid}-${Date.now()}-b`;
  const checkpoint = join(tempDir(), "ck");
  try {
    await publish(redis, stream, 0, 100);
    const seen = new Map<number, [string, number][]>();
    const failAt: { time?: number } = { time: 2000 };
    let clock = new ManualClock(0);
    let ssc = StreamingContext.getOrCreate(checkpoint, setup(stream, "g2", clock, seen, failAt));
    const failed = assert.rejects(ssc.awaitTermination(), /output failed/);
    ssc.start();
    await runFor(ssc, clock, 2); // batch 1 commits; batch 2 is logged, its output fails: the context stops
    await failed;
    await ssc.stop();
    await publish(redis, stream, 100, 60); // more arrive while the job is down
    failAt.time = undefined;
    clock = new ManualClock(2500);
    ssc = StreamingContext.getOrCreate(checkpoint, setup(stream, "g2", clock, seen, failAt));
    ssc.start();
    await runFor(ssc, clock, 4);
    await ssc.stop();
    const last = lastSeen(seen);
    assert.deepEqual(last, referenceTotals(160), "every entry counted exactly once");
  } finally {
    await redis.del(stream);
    redis.disconnect();
  }
});
