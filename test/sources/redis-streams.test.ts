import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { ManualClock, RedisStreams, SparkContext, StreamingContext, type RDD, type StreamEntry } from "../../src/index.js";
import { sorted, tempDir } from "../helpers/context.js";
import { redisOrSkip } from "../helpers/services.js";

const URL = process.env.SLUICE_REDIS_URL ?? "redis://127.0.0.1:6379";

async function publish(redis: import("ioredis").Redis, stream: string, from: number, n: number): Promise<void> {
  const pipeline = redis.pipeline();
  for (let i = from; i < from + n; i++) pipeline.xadd(stream, "*", "user", `u${i % 5}`, "amount", String(i % 17));
  await pipeline.exec();
}

function reference(n: number): [string, number][] {
  const m = new Map<string, number>();
  for (let i = 0; i < n; i++) m.set(`u${i % 5}`, (m.get(`u${i % 5}`) ?? 0) + (i % 17));
  return sorted(m);
}

/** The job: running totals per user from the stream; `failAt` makes one batch's output fail. */
function setup(stream: string, group: string, clock: ManualClock, seen: Map<number, [string, number][]>, failAt: { time?: number }) {
  return () => {
    const sc = new SparkContext("local[2]", "redis-streams");
    const ssc = new StreamingContext(sc, 1, { clock, out: () => {} });
    const entries = RedisStreams.createDirectStream(ssc, { url: URL, stream, group, maxRecordsPerBatch: 40 });
    entries.map((e: StreamEntry): [string, number] => [e.fields.user!, Number(e.fields.amount)])
      .updateStateByKey((v: number[], s: number | undefined) => v.reduce((a, b) => a + b, s ?? 0), 2)
      .foreachRDD(async (time: Date, rdd: RDD<[string, number]>) => {
        if (time.getTime() === failAt.time) throw new Error("output failed");
        seen.set(time.getTime(), sorted(await rdd.collect()));
      });
    return ssc;
  };
}

async function run(ssc: StreamingContext, clock: ManualClock, batches: number) {
  for (let i = 0; i < batches; i++) {
    clock.advance(1000);
    await ssc.scheduler.whenIdle();
  }
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
    await run(ssc, clock, 4);
    await ssc.stop();
    const last = [...seen.entries()].sort(([a], [b]) => a - b).pop()![1];
    assert.deepEqual(last, reference(100));
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
    await run(ssc, clock, 2); // batch 1 commits; batch 2 is logged, its output fails: the context stops
    await failed;
    await ssc.stop();
    await publish(redis, stream, 100, 60); // more arrive while the job is down
    failAt.time = undefined;
    clock = new ManualClock(2500);
    ssc = StreamingContext.getOrCreate(checkpoint, setup(stream, "g2", clock, seen, failAt));
    ssc.start();
    await run(ssc, clock, 4);
    await ssc.stop();
    const last = [...seen.entries()].sort(([a], [b]) => a - b).pop()![1];
    assert.deepEqual(last, reference(160), "every entry counted exactly once");
  } finally {
    await redis.del(stream);
    redis.disconnect();
  }
});
