import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { EmptyRDDError, IllegalArgumentError } from "../../src/index.js";
import { sharedContext, sorted, tempDir } from "../helpers/context.js";

const sc = sharedContext();
const nums = [5, 3, 8, 1, 9, 2, 7];

test("collect, count, first, take and isEmpty", async () => {
  const rdd = sc.parallelize(nums, 3);
  assert.deepEqual(await rdd.collect(), nums);
  assert.equal(await rdd.count(), nums.length);
  assert.equal(await rdd.first(), 5);
  assert.deepEqual(await rdd.take(4), nums.slice(0, 4));
  assert.deepEqual(await rdd.take(100), nums);
  assert.deepEqual(await rdd.take(0), []);
  assert.equal(await rdd.isEmpty(), false);
  assert.equal(await sc.parallelize([], 2).isEmpty(), true);
  assert.equal(await sc.emptyRDD().isEmpty(), true);
});

test("take scans as few partitions as it needs", async () => {
  let seen = 0;
  const rdd = sc
    .parallelize(
      Array.from({ length: 100 }, (_, i) => i),
      10,
    )
    .map((x) => {
      seen++;
      return x;
    });
  assert.deepEqual(await rdd.take(3), [0, 1, 2]);
  assert.equal(seen, 10, "only the first partition was computed");
  assert.deepEqual(
    await rdd.take(25),
    Array.from({ length: 25 }, (_, i) => i),
  );
});

test("first and reduce of an empty RDD reject with Spark's messages", async () => {
  const empty = sc.parallelize([] as number[], 2);
  await assert.rejects(empty.first(), (e: unknown) => e instanceof EmptyRDDError && e.message === "RDD is empty");
  await assert.rejects(
    empty.reduce((a, b) => a + b),
    /Can not reduce\(\) empty RDD/,
  );
  await assert.rejects(empty.max(), EmptyRDDError);
  await assert.rejects(sc.emptyRDD<number>().stats(), /Can not reduce\(\) empty RDD/);
});

test("takeOrdered and top, with and without key", async () => {
  const rdd = sc.parallelize(nums, 3);
  assert.deepEqual(await rdd.takeOrdered(3), [...nums].sort((a, b) => a - b).slice(0, 3));
  assert.deepEqual(await rdd.top(3), [...nums].sort((a, b) => b - a).slice(0, 3));
  assert.deepEqual(await rdd.takeOrdered(2, (x) => -x), [9, 8]);
  assert.deepEqual(await rdd.top(2, (x) => -x), [1, 2]);
});

test("reduce, fold, aggregate and sum", async () => {
  const rdd = sc.parallelize(nums, 4);
  assert.equal(
    await rdd.reduce((a, b) => a + b),
    nums.reduce((a, b) => a + b),
  );
  // zero is used in every partition and once more when merging: 4 partitions + 1
  assert.equal(await rdd.fold(1, (a, b) => a + b), nums.reduce((a, b) => a + b) + 5);
  const [s, n] = await rdd.aggregate(
    [0, 0] as [number, number],
    (acc, x) => [acc[0] + x, acc[1] + 1],
    (a, b) => [a[0] + b[0], a[1] + b[1]],
  );
  assert.deepEqual([s, n], [35, 7]);
  assert.equal(await rdd.sum(), 35);
  assert.equal(await sc.parallelize([] as number[], 3).sum(), 0);
  assert.equal(await sc.parallelize([] as number[], 3).fold(0, (a, b) => a + b), 0);
});

test("max and min, with key", async () => {
  const rdd = sc.parallelize(["pear", "fig", "banana"], 2);
  assert.equal(await rdd.max(), "pear");
  assert.equal(await rdd.min(), "banana");
  assert.equal(await rdd.max((s) => s.length), "banana");
  assert.equal(await rdd.min((s) => s.length), "fig");
});

test("stats, mean, variance and stdev equal the textbook formulas", async () => {
  const data = [2, 4, 4, 4, 5, 5, 7, 9];
  const mean = data.reduce((a, b) => a + b) / data.length;
  const pop = data.reduce((a, x) => a + (x - mean) ** 2, 0) / data.length;
  const sample = data.reduce((a, x) => a + (x - mean) ** 2, 0) / (data.length - 1);
  const rdd = sc.parallelize(data, 3);
  const st = await rdd.stats();
  assert.equal(st.count(), 8);
  assert.equal(st.mean(), mean);
  assert.ok(Math.abs(st.variance() - pop) < 1e-12);
  assert.ok(Math.abs((await rdd.sampleVariance()) - sample) < 1e-12);
  assert.ok(Math.abs((await rdd.stdev()) - Math.sqrt(pop)) < 1e-12);
  assert.ok(Math.abs((await rdd.sampleStdev()) - Math.sqrt(sample)) < 1e-12);
  assert.equal(st.max(), 9);
  assert.equal(st.min(), 2);
  assert.equal(await rdd.mean(), mean);
  const empty = await sc.parallelize([] as number[], 2).stats();
  assert.deepEqual([empty.count(), empty.mean(), empty.max(), empty.min()], [0, 0, -Infinity, Infinity]);
  assert.ok(Number.isNaN(empty.variance()));
});

test("countByValue, countByKey, collectAsMap and lookup", async () => {
  const words = ["a", "b", "a", "c", "a", "b"];
  const expected = new Map<string, number>();
  for (const w of words) expected.set(w, (expected.get(w) ?? 0) + 1);
  assert.deepEqual(new Map(sorted(await sc.parallelize(words, 3).countByValue())), new Map(sorted(expected)));
  const tuples = await sc
    .parallelize(
      [
        [1, 2],
        [1, 2],
        [2, 1],
      ],
      2,
    )
    .countByValue();
  assert.deepEqual(sorted(tuples), [
    [[1, 2], 2],
    [[2, 1], 1],
  ]);
  const kv = sc.parallelize(
    [
      ["x", 1],
      ["y", 2],
      ["x", 3],
    ] as [string, number][],
    2,
  );
  assert.deepEqual(sorted(await kv.countByKey()), [
    ["x", 2],
    ["y", 1],
  ]);
  assert.deepEqual(
    await kv.collectAsMap(),
    new Map([
      ["x", 3],
      ["y", 2],
    ]),
  );
  assert.deepEqual(sorted(await kv.lookup("x")), [1, 3]);
  assert.deepEqual(await kv.lookup("zzz"), []);
  const placed = kv.partitionBy(4);
  assert.deepEqual(sorted(await placed.lookup("x")), [1, 3]);
});

test("foreach and foreachPartition run on every element; accumulators add up", async () => {
  const acc = sc.accumulator(0);
  await sc.parallelize(nums, 3).foreach((x) => acc.add(x));
  assert.equal(acc.value, 35);
  const sizes: number[] = [];
  await sc.parallelize(nums, 3).foreachPartition(async (items) => {
    await Promise.resolve();
    sizes.push(items.length);
  });
  assert.deepEqual(sizes, [2, 2, 3]);
  const b = sc.broadcast(new Map([[1, "one"]]));
  assert.deepEqual(
    await sc
      .parallelize([1, 2], 1)
      .map((x) => b.value.get(x) ?? "?")
      .collect(),
    ["one", "?"],
  );
  b.destroy();
  assert.throws(() => b.value, /after it was destroyed/);
});

test("saveAsTextFile writes part files with Python str lines and _SUCCESS; an existing path is an error", async () => {
  const dir = join(tempDir(), "out");
  await sc
    .parallelize(
      [
        ["hello", 1],
        ["wörld", 2],
        ["it's", 3],
      ] as [string, number][],
      2,
    )
    .saveAsTextFile(dir);
  assert.deepEqual(readdirSync(dir).sort(), ["_SUCCESS", "part-00000", "part-00001"]);
  assert.equal(readFileSync(join(dir, "part-00000"), "utf8"), "('hello', 1)\n");
  assert.equal(readFileSync(join(dir, "part-00001"), "utf8"), "('wörld', 2)\n(\"it's\", 3)\n");
  assert.deepEqual(await sc.textFile(dir).collect(), ["('hello', 1)", "('wörld', 2)", '("it\'s", 3)']);
  await assert.rejects(
    sc.parallelize([1]).saveAsTextFile(dir),
    (e: unknown) => e instanceof IllegalArgumentError && /already exists/.test(e.message),
  );
  const failed = join(dir, "..", "failed");
  await assert.rejects(
    sc
      .parallelize([1, 2], 2)
      .map((x) => {
        if (x === 2) throw new Error("bad");
        return x;
      })
      .saveAsTextFile(failed),
  );
  assert.equal(existsSync(failed), false, "a failed save leaves no partial output");
});

test("toDebugString shows stages: shuffles with +-, narrow parents with |", () => {
  const rdd = sc
    .parallelize(["a"], 2)
    .map((w): [string, number] => [w, 1])
    .reduceByKey((a, b) => a + b)
    .cache();
  const lines = rdd.toDebugString().split("\n");
  assert.match(lines[0]!, /^\(2\) ShuffledRDD\[\d+\] at reduceByKey \[Memory Serialized 1x Replicated\]$/);
  assert.match(lines[1]!, /^ \+-\(2\) MapPartitionsRDD\[\d+\] at map \[\]$/);
  assert.match(lines[2]!, /^ {4}\|  ParallelCollectionRDD\[\d+\] at parallelize \[\]$/);
});
