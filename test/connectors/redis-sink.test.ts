import assert from "node:assert/strict";
import { after, test } from "node:test";
import { Connections } from "../../src/util/connections.js";
import { ManualClock, SparkContext, StreamingContext } from "../../src/index.js";
import { writeBatchToRedis } from "../../src/connectors/redis/sink.js";
import { REDIS_URL as URL, redisOrSkip } from "../helpers/services.js";

const conns = new Connections(); // what a context would own
after(() => conns.closeAll());

test("saveToRedis writes each batch's pairs into a hash; a batch written again changes nothing", async (t) => {
  const redis = await redisOrSkip(URL, t);
  if (!redis) return;
  const hash = `sluice-sink-${process.pid}-${Date.now()}`;
  try {
    const ssc = new StreamingContext(new SparkContext("local[2]", "redis-sink"), 1, {
      clock: new ManualClock(0),
      out: () => {},
    });
    ssc
      .queueStream([
        [
          ["ana", 1],
          ["bo", 2],
        ],
        [["ana", 5]],
      ] as [string, number][][])
      .saveToRedis({ url: URL, hash });
    ssc.start();
    for (let i = 0; i < 2; i++) {
      (ssc.clock as ManualClock).advance(1000);
      await ssc.scheduler.whenIdle();
    }
    await ssc.stop();
    assert.deepEqual(await redis.hgetall(hash), { ana: "5", bo: "2" });
    // batch 1000 re-run after a crash (say, with the older value): the marker keeps it out
    assert.equal(await writeBatchToRedis(conns, [["ana", 1]], 1000, 0, { url: URL, hash }), false);
    assert.deepEqual(await redis.hgetall(hash), { ana: "5", bo: "2" });
    assert.equal(await writeBatchToRedis(conns, [["cy", { nested: true }]], 3000, 0, { url: URL, hash }), true);
    assert.equal(await redis.hget(hash, "cy"), '{"nested":true}');
  } finally {
    const markers = await redis.keys(`sluice:commit:${hash}:*`);
    if (markers.length) await redis.del(...markers);
    await redis.del(hash);
    redis.disconnect();
  }
});
