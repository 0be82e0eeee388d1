import assert from "node:assert/strict";
import { test } from "node:test";
import { IllegalStateError, SparkConf, SparkContext, TaskFailedError } from "../../src/index.js";

test("a task that fails fewer than maxFailures times is retried and the job succeeds", async () => {
  const sc = new SparkContext("local[2]", "retry");
  try {
    const attempts = new Map<number, number>();
    const rdd = sc.parallelize([1, 2, 3, 4], 2).mapPartitionsWithIndex((i, items) => {
      const n = (attempts.get(i) ?? 0) + 1;
      attempts.set(i, n);
      if (i === 1 && n < 3) throw new Error(`flaky attempt ${n}`);
      return items;
    });
    assert.deepEqual(await rdd.collect(), [1, 2, 3, 4]);
    assert.deepEqual([...attempts.entries()].sort(), [
      [0, 1],
      [1, 3],
    ]);
  } finally {
    await sc.stop();
  }
});

test("after spark.task.maxFailures attempts the action rejects with the user's error, RDD and partition", async () => {
  const sc = new SparkContext(
    new SparkConf().setMaster("local[2]").setAppName("fail").set("spark.task.maxFailures", 2),
  );
  try {
    let calls = 0;
    const bad = sc.parallelize(["ok", "bad line", "ok"], 3).map((s) => {
      calls++;
      if (s.startsWith("bad")) throw new SyntaxError(`cannot parse "${s}"`);
      return s;
    });
    const downstream = bad.filter(() => true).map((s) => s.length);
    await assert.rejects(downstream.collect(), (err: unknown) => {
      assert.ok(err instanceof TaskFailedError);
      assert.ok(err.cause instanceof SyntaxError);
      assert.equal(err.partition, 1);
      assert.equal(err.rddId, bad.id, "names the RDD whose function threw, not the last one");
      assert.equal(err.attempts, 2);
      assert.match(
        err.message,
        /partition 1 of map \[RDD \d+\].*failed 2 time\(s\).*SyntaxError: cannot parse "bad line"/,
      );
      return true;
    });
    assert.equal(calls, 1 + 2, "partition 0 once, partition 1 twice; partition 2 never ran");
  } finally {
    await sc.stop();
  }
});

test("a shuffle's map stage runs once and is reused by later actions", async () => {
  const sc = new SparkContext("local[2]", "reuse");
  try {
    let mapCalls = 0;
    const counts = sc
      .parallelize(["a", "b", "a"], 2)
      .map((w): [string, number] => {
        mapCalls++;
        return [w, 1];
      })
      .reduceByKey((a, b) => a + b);
    await counts.collect();
    await counts.count();
    await counts.mapValues((v) => v * 2).collect();
    assert.equal(mapCalls, 3);
  } finally {
    await sc.stop();
  }
});

test("defaultParallelism follows the master URL and spark.default.parallelism", async () => {
  for (const [master, n] of [
    ["local", 1],
    ["local[3]", 3],
  ] as const) {
    const sc = new SparkContext(master, "p");
    assert.equal(sc.defaultParallelism, n);
    await sc.stop();
  }
  const sc = new SparkContext(new SparkConf().setMaster("local[*]").set("spark.default.parallelism", 5));
  assert.equal(sc.defaultParallelism, 5);
  await sc.stop();
  assert.throws(() => new SparkContext("yarn", "x"), /unsupported master URL "yarn"/);
});

test("one active SparkContext per process; getOrCreate returns it; a stopped context refuses work", async () => {
  const sc = SparkContext.getOrCreate(new SparkConf().setMaster("local[2]").setAppName("only"));
  assert.equal(SparkContext.getOrCreate(), sc);
  assert.throws(() => new SparkContext("local", "second"), /Only one SparkContext may be running/);
  const rdd = sc.parallelize([1, 2, 3]);
  await sc.stop();
  assert.equal(sc.isStopped, true);
  assert.throws(() => sc.parallelize([1]), IllegalStateError);
  assert.throws(() => rdd.map((x) => x), /Cannot call methods on a stopped SparkContext/);
  await assert.rejects(rdd.count(), /stopped SparkContext/);
  const next = new SparkContext("local", "after");
  assert.notEqual(SparkContext.getOrCreate(), sc);
  await next.stop();
});

test("SparkConf set, get, defaults and getAll", () => {
  const conf = new SparkConf(false)
    .setMaster("local[2]")
    .setAppName("app")
    .set("spark.x", 3)
    .setIfMissing("spark.x", 4);
  assert.equal(conf.get("spark.x"), "3");
  assert.equal(conf.get("missing", "d"), "d");
  assert.equal(conf.get("missing"), undefined);
  assert.deepEqual(conf.getAll().sort(), [
    ["spark.app.name", "app"],
    ["spark.master", "local[2]"],
    ["spark.x", "3"],
  ]);
  const before = process.env.SLUICE_CONF;
  process.env.SLUICE_CONF = JSON.stringify({ "spark.master": "local[3]", "spark.y": "z" });
  try {
    const loaded = new SparkConf();
    assert.equal(loaded.get("spark.master"), "local[3]");
    assert.equal(loaded.get("spark.y"), "z");
  } finally {
    if (before === undefined) delete process.env.SLUICE_CONF;
    else process.env.SLUICE_CONF = before;
  }
});

test("localCheckpoint computes every partition, keeps the data and partitioner, and drops the lineage", async () => {
  const sc = new SparkContext("local[2]", "local-checkpoint");
  try {
    let calls = 0;
    const rdd = sc
      .parallelize(
        [
          ["a", 1],
          ["b", 2],
          ["a", 3],
        ] as [string, number][],
        2,
      )
      .map((kv) => {
        calls++;
        return kv;
      })
      .reduceByKey((x, y) => x + y, 3);
    await rdd.localCheckpoint();
    assert.equal(calls, 3, "computed once, by the checkpoint itself");
    assert.equal(rdd.toDebugString().split("\n").length, 1, `no parents left:\n${rdd.toDebugString()}`);
    assert.equal(rdd.getNumPartitions(), 3);
    assert.equal(rdd.partitioner?.numPartitions, 3);
    rdd.unpersist();
    assert.deepEqual((await rdd.collect()).sort(), [
      ["a", 4],
      ["b", 2],
    ]);
    assert.equal(calls, 3, "read back without recomputing");
  } finally {
    await sc.stop();
  }
});
