import assert from "node:assert/strict";
import { test } from "node:test";
import { ManualClock, SparkContext, StreamingContext } from "../../src/index.js";
import pg from "pg";
import { POSTGRES_URL, postgresOrSkip, REDIS_URL, redisOrSkip } from "../helpers/services.js";

/** Open sockets and timers of this process, by kind. */
const handles = () => process.getActiveResourcesInfo().filter((k) => /TCP|Timeout/.test(k)).length;

test("a stopped context (here after a failed batch) closes what its sinks opened: no socket or timer is left", async (t) => {
  const redis = await redisOrSkip(REDIS_URL, t);
  if (!redis) return;
  redis.disconnect();
  if (!(await postgresOrSkip(POSTGRES_URL, t))) return;
  await new Promise((r) => setTimeout(r, 50));
  const before = handles();
  const clock = new ManualClock(0);
  const ssc = new StreamingContext(new SparkContext("local[1]", "close-on-stop"), 1, { clock, out: () => {} });
  const q = ssc.queueStream([[["a", 1]], [["b", 2]]] as [string, number][][]);
  const hash = `sluice-close-${process.pid}`;
  q.saveToRedis({ url: REDIS_URL, hash });
  q.map(([k, v]) => ({ k, v })).saveToPostgres(`sluice_close_${process.pid}`, { url: POSTGRES_URL, mode: "append" });
  q.foreachRDD(async (time: Date, _rdd) => {
    if (time.getTime() === 2000) throw new Error("boom");
  });
  ssc.start();
  clock.advance(1000);
  await ssc.scheduler.whenIdle();
  assert.ok(handles() > before, "the sinks hold connections while the job runs");
  clock.advance(1000);
  await ssc.scheduler.whenIdle();
  await ssc.stop();
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(handles(), before, process.getActiveResourcesInfo().join(", "));
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  await client.query(`DROP TABLE IF EXISTS sluice_close_${process.pid}`);
  await client.end();
});
