// PySpark's own doctests of python/pyspark/core/rdd.py (and cases of tests/test_rdd.py),
// translated to Sluice: the same inputs, Spark's expected values. Random methods are checked as
// Spark's doctests check them (sizes and ranges), since the generator is not Python's.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { deserialize } from "node:v8";
import { join } from "node:path";
import { test } from "node:test";
import { StorageLevel } from "../../src/index.js";
import { sharedContext, tempDir } from "../helpers/context.js";

const sc = sharedContext();
const add = (a: number, b: number) => a + b;
const range = (a: number, b?: number) =>
  b === undefined ? Array.from({ length: a }, (_, i) => i) : Array.from({ length: b - a }, (_, i) => a + i);

test("randomSplit", async () => {
  const rdd = sc.parallelize(range(500), 1);
  const [rdd1, rdd2] = rdd.randomSplit([2, 3], 17);
  assert.equal((await rdd1!.collect()).length + (await rdd2!.collect()).length, 500);
  const n1 = await rdd1!.count();
  const n2 = await rdd2!.count();
  assert.ok(150 < n1 && n1 < 250, String(n1));
  assert.ok(250 < n2 && n2 < 350, String(n2));
  assert.deepEqual(
    [...(await rdd1!.collect()), ...(await rdd2!.collect())].sort((a, b) => a - b),
    range(500),
  );
});

test("takeSample", async () => {
  const rdd = sc.parallelize(range(0, 10));
  assert.equal((await rdd.takeSample(true, 20, 1)).length, 20);
  assert.equal((await rdd.takeSample(false, 5, 2)).length, 5);
  assert.equal((await rdd.takeSample(false, 15, 3)).length, 10);
  assert.deepEqual(
    (await rdd.takeSample(false, 15, 3)).sort((a, b) => a - b),
    range(10),
  );
  await assert.rejects(sc.parallelize(range(0, 10)).takeSample(false, -1), /Sample size cannot be negative\./);
});

test("sampleByKey", async () => {
  const fractions = { a: 0.2, b: 0.1 };
  const rdd = sc.parallelize(Object.keys(fractions)).cartesian(sc.parallelize(range(0, 1000)));
  const sample = new Map(await rdd.sampleByKey(false, fractions, 2).groupByKey().collect());
  const a = sample.get("a")!;
  const b = sample.get("b")!;
  assert.ok(100 < a.length && a.length < 300 && 50 < b.length && b.length < 150, `${a.length} ${b.length}`);
  assert.ok(Math.max(...a) <= 999 && Math.min(...a) >= 0);
});

test("treeReduce and treeAggregate", async () => {
  const rdd = sc.parallelize([-5, -4, -3, -2, -1, 1, 2, 3, 4], 10);
  for (const depth of [1, 2, 5, 10]) {
    assert.equal(await rdd.treeReduce(add, depth), -5);
    assert.equal(await rdd.treeAggregate(0, add, add, depth), -5);
  }
  assert.equal(await rdd.treeReduce(add), -5);
  await assert.rejects(rdd.treeAggregate(0, add, add, 0), /Depth cannot be smaller than 1 but got 0\./);
});

test("histogram", async () => {
  const rdd = sc.parallelize(range(51));
  assert.deepEqual(await rdd.histogram(2), [
    [0, 25, 50],
    [25, 26],
  ]);
  assert.deepEqual(await rdd.histogram([0, 5, 25, 50]), [
    [0, 5, 25, 50],
    [5, 20, 26],
  ]);
  assert.deepEqual(await rdd.histogram([0, 15, 30, 45, 60]), [
    [0, 15, 30, 45, 60],
    [15, 15, 15, 6],
  ]);
  const strings = sc.parallelize(["ab", "ac", "b", "bd", "ef"]);
  assert.deepEqual(await strings.histogram(["a", "b", "c"]), [
    ["a", "b", "c"],
    [2, 2],
  ]);
  // test_rdd.py: empty, one element, NaN left out, bad buckets
  await assert.rejects(sc.parallelize<number>([]).histogram(1), /can not generate buckets from empty RDD/);
  assert.deepEqual(await sc.parallelize([1]).histogram(1), [[1, 1], [1]]);
  assert.deepEqual(await sc.parallelize([1, 2, 3, NaN]).histogram([0, 2, 4]), [
    [0, 2, 4],
    [1, 2],
  ]);
  await assert.rejects(rdd.histogram([1]), /buckets should have more than one value/);
  await assert.rejects(rdd.histogram([3, 2, 1]), /buckets should be sorted/);
  await assert.rejects(rdd.histogram([1, 1, 2]), /buckets should not contain duplicated values/);
});

test("reduceByKeyLocally", async () => {
  const rdd = sc.parallelize<[string, number]>([
    ["a", 1],
    ["b", 1],
    ["a", 1],
  ]);
  assert.deepEqual([...(await rdd.reduceByKeyLocally(add))].sort(), [
    ["a", 2],
    ["b", 1],
  ]);
});

test("groupWith", async () => {
  const w = sc.parallelize<[string, number]>([
    ["a", 5],
    ["b", 6],
  ]);
  const x = sc.parallelize<[string, number]>([
    ["a", 1],
    ["b", 4],
  ]);
  const y = sc.parallelize<[string, number]>([["a", 2]]);
  const z = sc.parallelize<[string, number]>([["b", 42]]);
  const got = (await w.groupWith(x, y, z).collect()).sort((p, q) => (p[0] < q[0] ? -1 : 1));
  assert.deepEqual(got, [
    ["a", [[5], [1], [2], []]],
    ["b", [[6], [4], [], [42]]],
  ]);
});

test("repartitionAndSortWithinPartitions", async () => {
  const rdd = sc.parallelize<[number, number]>([
    [0, 5],
    [3, 8],
    [2, 6],
    [0, 8],
    [3, 8],
    [1, 3],
  ]);
  const rdd2 = rdd.repartitionAndSortWithinPartitions(2, (x) => x % 2, true);
  assert.deepEqual(await rdd2.glom().collect(), [
    [
      [0, 5],
      [0, 8],
      [2, 6],
    ],
    [
      [1, 3],
      [3, 8],
      [3, 8],
    ],
  ]);
});

test("toLocalIterator", async () => {
  const rdd = sc.parallelize(range(10));
  const seen: number[] = [];
  for await (const x of rdd.toLocalIterator()) seen.push(x);
  assert.deepEqual(seen, range(10));
});

test("countApprox, sumApprox, meanApprox", async () => {
  const rdd = sc.parallelize(range(1000), 10);
  assert.equal(await rdd.countApprox(1000, 1.0), 1000);
  const r = range(1000).reduce(add, 0);
  assert.ok(Math.abs((await rdd.sumApprox(1000)) - r) / r < 0.05);
  assert.ok(Math.abs((await rdd.meanApprox(1000)) - 499.5) / 499.5 < 0.05);
});

test("lookup, also on a sortByKey result before any other action", async () => {
  const l = range(1000);
  const rdd = sc.parallelize(
    l.map((i): [number, number] => [i, i]),
    10,
  );
  assert.deepEqual(await rdd.lookup(42), [42]);
  const sorted = rdd.sortByKey();
  assert.deepEqual(await sorted.lookup(42), [42]);
  assert.deepEqual(await sorted.lookup(1024), []);
  const rdd2 = sc.parallelize<[[string, string], string]>([[["a", "b"], "c"]]).groupByKey();
  assert.deepEqual([...(await rdd2.lookup(["a", "b"]))[0]!], ["c"]);
});

test("getStorageLevel", () => {
  const rdd1 = sc.parallelize([1, 2]);
  assert.equal(rdd1.getStorageLevel().repr(), "StorageLevel(False, False, False, False, 1)");
  assert.equal(String(rdd1.getStorageLevel()), "Serialized 1x Replicated");
  assert.equal(rdd1.persist(StorageLevel.MEMORY_ONLY).isPersisted, true);
});

test("context.getConf (test_rdd.py): a copy of the context's settings", () => {
  const conf = sc.parallelize([1]).context.getConf();
  assert.equal(conf.get("spark.master"), sc.master);
  conf.set("spark.master", "local[9]");
  assert.equal(sc.conf.get("spark.master"), sc.master);
});

test("saveAsTextFile writes str as UTF-8 and bytes raw (test_rdd.py)", async () => {
  const dir = join(tempDir(), "out");
  await sc.parallelize<unknown>([Buffer.from([0xc2, 0xa1, 0x48, 0x6f, 0x6c, 0x61]), "mundo"], 1).saveAsTextFile(dir);
  assert.equal(readFileSync(join(dir, "part-00000"), "utf8"), "\u00a1Hola\nmundo\n");
});

test("printed as PySpark prints them: pairs as tuples, groupByKey's and cogroup's value lists as lists", async () => {
  const x = sc.parallelize<[string, number]>([
    ["a", 1],
    ["a", 1],
    ["b", 4],
  ]);
  const y = sc.parallelize<[string, number]>([["a", 2]]);
  const dir = join(tempDir(), "printed");
  await x
    .cogroup(y)
    .union(x.groupByKey() as never)
    .union(w4() as never)
    .union(x as never)
    .coalesce(1)
    .saveAsTextFile(dir);
  const lines = readFileSync(join(dir, "part-00000"), "utf8").trim().split("\n").sort();
  assert.deepEqual(lines, [
    "('a', ([1, 1], [2]))", // x.cogroup(y).mapValues(lambda v: tuple(map(list, v))) in PySpark
    "('a', ([5], [1], [2], []))", // groupWith's four groups
    "('a', 1)",
    "('a', 1)",
    "('a', [1, 1])", // groupByKey().mapValues(list)
    "('b', ([4], []))",
    "('b', 4)",
    "('b', [4])",
  ]);
  function w4() {
    return sc
      .parallelize<[string, number]>([["a", 5]])
      .groupWith(
        sc.parallelize<[string, number]>([["a", 1]]),
        sc.parallelize<[string, number]>([["a", 2]]),
        sc.parallelize<[string, number]>([["b", 42]]),
      )
      .filter(([k]) => k === "a");
  }
});

test("checkpoint, isCheckpointed, getCheckpointFile, localCheckpoint, isLocallyCheckpointed", async () => {
  assert.throws(() => sc.parallelize([1]).checkpoint(), /Checkpoint directory has not been set in the SparkContext/);
  sc.setCheckpointDir(tempDir());
  const rdd = sc.parallelize(range(5), 2).map((x) => x * 2);
  rdd.checkpoint();
  assert.equal(rdd.isCheckpointed(), false);
  assert.equal(rdd.getCheckpointFile(), undefined);
  assert.equal(await rdd.count(), 5);
  assert.equal(rdd.isCheckpointed(), true);
  const dir = rdd.getCheckpointFile()!;
  assert.ok(dir.startsWith(sc.getCheckpointDir()!));
  assert.deepEqual(readdirSync(dir).sort(), ["part-00000", "part-00001"]);
  assert.deepEqual(deserialize(readFileSync(join(dir, "part-00001"))), [4, 6, 8]);
  assert.deepEqual(await rdd.collect(), [0, 2, 4, 6, 8]);
  assert.equal(rdd.toDebugString().split("\n").length, 1, "the lineage is cut");
  const local = sc.parallelize([1, 2]);
  assert.equal(local.isLocallyCheckpointed(), false);
  await local.localCheckpoint();
  assert.equal(local.isLocallyCheckpointed(), true);
});

test("pipe", async () => {
  assert.deepEqual(await sc.parallelize(["1", "2", "", "3"]).pipe("cat").collect(), ["1", "2", "", "3"]);
  // test_rdd.py: a failing command is ignored unless checkCode
  assert.deepEqual(await sc.parallelize(["1"]).pipe("grep 4").collect(), []);
  await assert.rejects(sc.parallelize(["1"], 1).pipe("grep 4", undefined, true).collect(), /exited with error code 1/);
});

test("saveAsTextFile with a compression codec; textFile reads it back (test_rdd.py)", async () => {
  const dir = join(tempDir(), "gz");
  await sc.parallelize(["\u00a1Hola", "mundo", "x"], 2).saveAsTextFile(dir, "org.apache.hadoop.io.compress.GzipCodec");
  assert.deepEqual(readdirSync(dir).sort(), ["_SUCCESS", "part-00000.gz", "part-00001.gz"]);
  assert.deepEqual(await sc.textFile(dir).collect(), ["\u00a1Hola", "mundo", "x"]);
  await assert.rejects(
    sc.parallelize(["a"]).saveAsTextFile(join(tempDir(), "bz"), "org.apache.hadoop.io.compress.BZip2Codec"),
    /compression codec org\.apache\.hadoop\.io\.compress\.BZip2Codec/,
  );
});

test("countApproxDistinct", async () => {
  const n = await sc
    .parallelize(range(1000))
    .map((x) => String(x))
    .countApproxDistinct();
  assert.ok(900 < n && n < 1100, String(n));
  const m = await sc.parallelize(range(1000).map((i) => i % 20)).countApproxDistinct();
  assert.ok(16 < m && m < 24, String(m));
  // a larger set, against the exact count, within 3 relative standard deviations
  const big = await sc.parallelize(range(200_000), 4).countApproxDistinct(0.01);
  assert.ok(Math.abs(big - 200_000) / 200_000 < 0.03, String(big));
  await assert.rejects(
    sc.parallelize([1]).countApproxDistinct(0.000001),
    /relativeSD should be greater than 0\.000017/,
  );
});
