// More of PySpark's doctests of python/pyspark/core/rdd.py, for the methods the first wave built:
// the same inputs and Spark's expected values (sorted where the doctest sorts).
import assert from "node:assert/strict";
import { test } from "node:test";
import { sharedContext, sorted } from "../helpers/context.js";

const sc = sharedContext();
const add = (a: number, b: number) => a + b;
const range = (a: number, b?: number) =>
  b === undefined ? Array.from({ length: a }, (_, i) => i) : Array.from({ length: b - a }, (_, i) => a + i);
type P<V = number> = [string, V];

test("aggregate, fold, reduce, sum, mean, max, min, stats", async () => {
  const seqOp = (x: [number, number], y: number): [number, number] => [x[0] + y, x[1] + 1];
  const combOp = (x: [number, number], y: [number, number]): [number, number] => [x[0] + y[0], x[1] + y[1]];
  assert.deepEqual(await sc.parallelize([1, 2, 3, 4]).aggregate([0, 0], seqOp, combOp), [10, 4]);
  assert.deepEqual(await sc.parallelize<number>([]).aggregate([0, 0], seqOp, combOp), [0, 0]);
  assert.equal(await sc.parallelize([1, 2, 3, 4, 5]).fold(0, add), 15);
  assert.equal(await sc.parallelize([1, 2, 3, 4, 5]).reduce(add), 15);
  assert.equal(await sc.parallelize(range(10)).reduce(add), 45);
  await assert.rejects(sc.parallelize<number>([]).reduce(add));
  assert.equal(await sc.parallelize([1.0, 2.0, 3.0]).sum(), 6.0);
  assert.equal(await sc.parallelize([1, 2, 3]).mean(), 2.0);
  const nums = sc.parallelize([1.0, 5.0, 43.0, 10.0]);
  assert.equal(await nums.max(), 43.0);
  assert.equal(await nums.max(String), 5.0);
  const nums2 = sc.parallelize([2.0, 5.0, 43.0, 10.0]);
  assert.equal(await nums2.min(), 2.0);
  assert.equal(await nums2.min(String), 10.0);
  const s = await sc.parallelize([1, 2, 3]).stats();
  assert.equal(s.count(), 3);
  assert.ok(Math.abs(s.stdev() - 0.816496580927726) < 1e-12);
  assert.equal(await sc.parallelize([1, 2, 3]).sampleStdev(), 1.0);
  assert.ok(Math.abs((await sc.parallelize([1, 2, 3]).variance()) - 0.6666666666666666) < 1e-12);
  assert.equal(await sc.parallelize([1, 2, 3]).sampleVariance(), 1.0);
});

test("cartesian, coalesce, glom, repartition, union, distinct, filter, flatMap, map, mapPartitions(WithIndex)", async () => {
  const rdd = sc.parallelize([1, 2]);
  assert.deepEqual(sorted(await rdd.cartesian(rdd).collect()), [
    [1, 1],
    [1, 2],
    [2, 1],
    [2, 2],
  ]);
  assert.deepEqual(await sc.parallelize([1, 2, 3, 4, 5], 3).glom().collect(), [[1], [2, 3], [4, 5]]);
  assert.deepEqual(await sc.parallelize([1, 2, 3, 4, 5], 3).coalesce(1).glom().collect(), [[1, 2, 3, 4, 5]]);
  assert.deepEqual(await sc.parallelize([1, 2, 3, 4], 2).glom().collect(), [
    [1, 2],
    [3, 4],
  ]);
  const seven = sc.parallelize([1, 2, 3, 4, 5, 6, 7], 4);
  assert.deepEqual(sorted(await seven.glom().collect()), [[1], [2, 3], [4, 5], [6, 7]]);
  assert.equal((await seven.repartition(2).glom().collect()).length, 2);
  assert.equal((await seven.repartition(10).glom().collect()).length, 10);
  const dup = sc.parallelize([1, 1, 2, 3]);
  assert.deepEqual(await dup.union(dup).collect(), [1, 1, 2, 3, 1, 1, 2, 3]);
  assert.deepEqual(sorted(await dup.distinct().collect()), [1, 2, 3]);
  assert.deepEqual(
    await sc
      .parallelize([1, 2, 3, 4, 5])
      .filter((x) => x % 2 === 0)
      .collect(),
    [2, 4],
  );
  assert.deepEqual(
    sorted(
      await sc
        .parallelize([2, 3, 4])
        .flatMap((x) => range(1, x))
        .collect(),
    ),
    [1, 1, 1, 2, 2, 3],
  );
  assert.deepEqual(
    sorted(
      await sc
        .parallelize(["b", "a", "c"])
        .map((x) => [x, 1])
        .collect(),
    ),
    [
      ["a", 1],
      ["b", 1],
      ["c", 1],
    ],
  );
  assert.deepEqual(
    await sc
      .parallelize([1, 2, 3, 4], 2)
      .mapPartitions((it) => [[...it].reduce(add, 0)])
      .collect(),
    [3, 7],
  );
  assert.equal(
    await sc
      .parallelize([1, 2, 3, 4], 4)
      .mapPartitionsWithIndex((i) => [i])
      .sum(),
    6,
  );
});

test("first, take, takeOrdered, top, isEmpty", async () => {
  assert.equal(await sc.parallelize([2, 3, 4]).first(), 2);
  await assert.rejects(sc.parallelize<number>([]).first(), /RDD is empty/);
  assert.deepEqual(await sc.parallelize([2, 3, 4, 5, 6]).take(2), [2, 3]);
  assert.deepEqual(await sc.parallelize([2, 3, 4, 5, 6]).take(10), [2, 3, 4, 5, 6]);
  assert.deepEqual(
    await sc
      .parallelize(range(100), 100)
      .filter((x) => x > 90)
      .take(3),
    [91, 92, 93],
  );
  assert.deepEqual(await sc.parallelize([10, 1, 2, 9, 3, 4, 5, 6, 7]).takeOrdered(6), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(
    await sc.parallelize([10, 1, 2, 9, 3, 4, 5, 6, 7], 2).takeOrdered(6, (x) => -x),
    [10, 9, 7, 6, 5, 4],
  );
  assert.deepEqual(await sc.parallelize([10, 4, 2, 12, 3]).top(1), [12]);
  assert.deepEqual(await sc.parallelize([2, 3, 4, 5, 6], 2).top(2), [6, 5]);
  assert.deepEqual(await sc.parallelize([10, 4, 2, 12, 3]).top(3, String), [4, 3, 2]);
  assert.equal(await sc.parallelize<number>([]).isEmpty(), true);
  assert.equal(await sc.parallelize([1]).isEmpty(), false);
});

test("countByKey, countByValue, collectAsMap, keys, values, mapValues, flatMapValues", async () => {
  const kv = sc.parallelize<P>([
    ["a", 1],
    ["b", 1],
    ["a", 1],
  ]);
  assert.deepEqual(sorted(await kv.countByKey()), [
    ["a", 2],
    ["b", 1],
  ]);
  assert.deepEqual(sorted(await sc.parallelize([1, 2, 1, 2, 2], 2).countByValue()), [
    [1, 2],
    [2, 3],
  ]);
  const m = await sc
    .parallelize<[number, number]>([
      [1, 2],
      [3, 4],
    ])
    .collectAsMap();
  assert.equal(m.get(1), 2);
  assert.equal(m.get(3), 4);
  const pairs = sc.parallelize<[number, number]>([
    [1, 2],
    [3, 4],
  ]);
  assert.deepEqual(await pairs.keys().collect(), [1, 3]);
  assert.deepEqual(await pairs.values().collect(), [2, 4]);
  const fruits = sc.parallelize<P<string[]>>([
    ["a", ["apple", "banana", "lemon"]],
    ["b", ["grapes"]],
  ]);
  assert.deepEqual(await fruits.mapValues((x) => x.length).collect(), [
    ["a", 3],
    ["b", 1],
  ]);
  const letters = sc.parallelize<P<string[]>>([
    ["a", ["x", "y", "z"]],
    ["b", ["p", "r"]],
  ]);
  assert.deepEqual(await letters.flatMapValues((x) => x).collect(), [
    ["a", "x"],
    ["a", "y"],
    ["a", "z"],
    ["b", "p"],
    ["b", "r"],
  ]);
});

test("reduceByKey, foldByKey, groupByKey, combineByKey, groupBy, partitionBy", async () => {
  const kv = sc.parallelize<P>([
    ["a", 1],
    ["b", 1],
    ["a", 1],
  ]);
  assert.deepEqual(sorted(await kv.reduceByKey(add).collect()), [
    ["a", 2],
    ["b", 1],
  ]);
  assert.deepEqual(sorted(await kv.foldByKey(0, add).collect()), [
    ["a", 2],
    ["b", 1],
  ]);
  assert.deepEqual(
    sorted(
      await kv
        .groupByKey()
        .mapValues((vs) => vs.length)
        .collect(),
    ),
    [
      ["a", 2],
      ["b", 1],
    ],
  );
  assert.deepEqual(
    sorted(
      await kv
        .groupByKey()
        .mapValues((vs) => [...vs])
        .collect(),
    ),
    [
      ["a", [1, 1]],
      ["b", [1]],
    ],
  );
  const x = sc.parallelize<P>([
    ["a", 1],
    ["b", 1],
    ["a", 2],
  ]);
  const combined = x.combineByKey(
    (a: number) => [a],
    (l: number[], b: number) => [...l, b],
    (l1: number[], l2: number[]) => [...l1, ...l2],
  );
  assert.deepEqual(sorted(await combined.collect()), [
    ["a", [1, 2]],
    ["b", [1]],
  ]);
  const grouped = await sc
    .parallelize([1, 1, 2, 3, 5, 8])
    .groupBy((n) => n % 2)
    .collect();
  assert.deepEqual(sorted(grouped.map(([k, vs]) => [k, sorted(vs)])), [
    [0, [2, 8]],
    [1, [1, 1, 3, 5]],
  ]);
  const ps = sc.parallelize([1, 2, 3, 4, 2, 4, 1]).map((n): [number, number] => [n, n]);
  const sets = await ps.partitionBy(2).glom().collect();
  const keysIn = (part: [number, number][]) => new Set(part.map(([k]) => k));
  assert.equal([...keysIn(sets[0]!)].filter((k) => keysIn(sets[1]!).has(k)).length, 0);
});

test("joins, cogroup, subtract, subtractByKey, intersection", async () => {
  const x = sc.parallelize<P>([
    ["a", 1],
    ["b", 4],
  ]);
  const y2 = sc.parallelize<P>([
    ["a", 2],
    ["a", 3],
  ]);
  assert.deepEqual(sorted(await x.join(y2).collect()), [
    ["a", [1, 2]],
    ["a", [1, 3]],
  ]);
  const y = sc.parallelize<P>([["a", 2]]);
  assert.deepEqual(sorted(await x.leftOuterJoin(y).collect()), [
    ["a", [1, 2]],
    ["b", [4, null]],
  ]);
  assert.deepEqual(sorted(await y.rightOuterJoin(x).collect()), [
    ["a", [2, 1]],
    ["b", [null, 4]],
  ]);
  const y3 = sc.parallelize<P>([
    ["a", 2],
    ["c", 8],
  ]);
  assert.deepEqual(sorted(await x.fullOuterJoin(y3).collect()), [
    ["a", [1, 2]],
    ["b", [4, null]],
    ["c", [null, 8]],
  ]);
  assert.deepEqual(sorted(await x.cogroup(y).collect()), [
    ["a", [[1], [2]]],
    ["b", [[4], []]],
  ]);
  const xs = sc.parallelize<P<number | null>>([
    ["a", 1],
    ["b", 4],
    ["b", 5],
    ["a", 3],
  ]);
  const ys = sc.parallelize<P<number | null>>([
    ["a", 3],
    ["c", null],
  ]);
  assert.deepEqual(sorted(await xs.subtract(ys).collect()), [
    ["a", 1],
    ["b", 4],
    ["b", 5],
  ]);
  const xk = sc.parallelize<P<number | null>>([
    ["a", 1],
    ["b", 4],
    ["b", 5],
    ["a", 2],
  ]);
  assert.deepEqual(sorted(await xk.subtractByKey(ys).collect()), [
    ["b", 4],
    ["b", 5],
  ]);
  const r1 = sc.parallelize([1, 10, 2, 3, 4, 5]);
  const r2 = sc.parallelize([1, 6, 2, 3, 7, 8]);
  assert.deepEqual(sorted(await r1.intersection(r2).collect()), [1, 2, 3]);
});

test("sortBy, sortByKey (with keyfunc), zip, zipWithIndex, zipWithUniqueId, sample", async () => {
  const tmp: P[] = [
    ["a", 1],
    ["b", 2],
    ["1", 3],
    ["d", 4],
    ["2", 5],
  ];
  assert.deepEqual(
    await sc
      .parallelize(tmp)
      .sortBy((x) => x[0])
      .collect(),
    [
      ["1", 3],
      ["2", 5],
      ["a", 1],
      ["b", 2],
      ["d", 4],
    ],
  );
  assert.deepEqual(
    await sc
      .parallelize(tmp)
      .sortBy((x) => x[1])
      .collect(),
    tmp,
  );
  assert.deepEqual(await sc.parallelize(tmp).sortByKey().first(), ["1", 3]);
  for (const n of [1, 2])
    assert.deepEqual(await sc.parallelize(tmp).sortByKey(true, n).collect(), [
      ["1", 3],
      ["2", 5],
      ["a", 1],
      ["b", 2],
      ["d", 4],
    ]);
  const tmp2: P[] = [
    ["Mary", 1],
    ["had", 2],
    ["a", 3],
    ["little", 4],
    ["lamb", 5],
    ["whose", 6],
    ["fleece", 7],
    ["was", 8],
    ["white", 9],
  ];
  assert.deepEqual(
    await sc
      .parallelize(tmp2)
      .sortByKey(true, 3, (k) => k.toLowerCase())
      .collect(),
    [
      ["a", 3],
      ["fleece", 7],
      ["had", 2],
      ["lamb", 5],
      ["little", 4],
      ["Mary", 1],
      ["was", 8],
      ["white", 9],
      ["whose", 6],
    ],
  );
  assert.deepEqual(
    await sc
      .parallelize(range(0, 5))
      .zip(sc.parallelize(range(1000, 1005)))
      .collect(),
    [
      [0, 1000],
      [1, 1001],
      [2, 1002],
      [3, 1003],
      [4, 1004],
    ],
  );
  assert.deepEqual(await sc.parallelize(["a", "b", "c", "d"], 3).zipWithIndex().collect(), [
    ["a", 0],
    ["b", 1],
    ["c", 2],
    ["d", 3],
  ]);
  assert.deepEqual(await sc.parallelize(["a", "b", "c", "d", "e"], 3).zipWithUniqueId().collect(), [
    ["a", 0],
    ["b", 1],
    ["c", 4],
    ["d", 2],
    ["e", 5],
  ]);
  // PySpark's `6 <= rdd.sample(False, 0.1, 81).count() <= 14` holds for Python's generator at seed 81; with
  // Sluice's generator the seed picks other records, so the doctest's range is checked over 200 seeds: a
  // Binomial(100, 0.1) count lies in 6..14 with probability 0.87, and the mean is 10 (measured over 1,500 seeds:
  // mean 10.05, standard deviation 2.96, 87.5% in 6..14 — the binomial's 10, 3.0 and 0.87)
  const counts: number[] = [];
  for (let seed = 0; seed < 200; seed++)
    counts.push(await sc.parallelize(range(100), 4).sample(false, 0.1, seed).count());
  const mean = counts.reduce(add, 0) / counts.length;
  assert.ok(mean > 9 && mean < 11, String(mean));
  assert.ok(counts.filter((c) => c >= 6 && c <= 14).length / counts.length >= 0.75, counts.join(","));
});
