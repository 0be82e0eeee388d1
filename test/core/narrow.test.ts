import assert from "node:assert/strict";
import { test } from "node:test";
import { IllegalArgumentError, TaskFailedError } from "../../src/index.js";
import { sharedContext, sorted } from "../helpers/context.js";

const sc = sharedContext();
const lines = ["the quick brown fox", "", "jumps over the lazy dog", "ñandú 日本語 😀 the", "dog"];

test("map, flatMap and filter fused in one stage equal the plain loop, partition by partition", async () => {
  const rdd = sc
    .parallelize(lines, 3)
    .flatMap((l) => l.split(" "))
    .filter((w) => w.length > 0)
    .map((w) => w.toUpperCase());
  const expected: string[][] = [];
  for (const slice of [lines.slice(0, 1), lines.slice(1, 3), lines.slice(3)]) {
    const out: string[] = [];
    for (const l of slice) for (const w of l.split(" ")) if (w.length > 0) out.push(w.toUpperCase());
    expected.push(out);
  }
  assert.deepEqual(await rdd.glom().collect(), expected);
  assert.deepEqual(await rdd.collect(), expected.flat());
});

test("flatMap accepts any iterable and one element", async () => {
  assert.deepEqual(
    await sc
      .parallelize([3], 1)
      .flatMap((n) => new Set(Array.from({ length: n }, (_, i) => i)))
      .collect(),
    [0, 1, 2],
  );
});

test("mapPartitions and mapPartitionsWithIndex see whole partitions, empty ones included", async () => {
  const rdd = sc.parallelize([1, 2, 3], 5);
  assert.deepEqual(await rdd.mapPartitions((it) => [it.reduce((a, b) => a + b, 0)]).collect(), [0, 1, 0, 2, 3]);
  assert.deepEqual(await rdd.mapPartitionsWithIndex((i, it) => it.map((x) => `${i}:${x}`)).collect(), [
    "1:1",
    "3:2",
    "4:3",
  ]);
  function* twice(it: number[]) {
    for (const x of it) {
      yield x;
      yield x;
    }
  }
  assert.deepEqual(await rdd.mapPartitions(twice).collect(), [1, 1, 2, 2, 3, 3]);
});

test("keyBy, union, cartesian and glom", async () => {
  const a = sc.parallelize(["a", "bb"], 2);
  const b = sc.parallelize([1, 2, 3], 2);
  assert.deepEqual(await a.keyBy((s) => s.length).collect(), [
    [1, "a"],
    [2, "bb"],
  ]);
  const u = a.map((s) => s.length).union(b);
  assert.equal(u.getNumPartitions(), 4);
  assert.deepEqual(await u.collect(), [1, 2, 1, 2, 3]);
  const c = a.cartesian(b);
  assert.equal(c.getNumPartitions(), 4);
  const expected: [string, number][] = [];
  for (const x of ["a", "bb"]) for (const y of [1, 2, 3]) expected.push([x, y]);
  assert.deepEqual(sorted(await c.collect()), sorted(expected));
});

test("zip pairs elements by position and rejects different partition counts", async () => {
  const a = sc.parallelize([1, 2, 3, 4], 2);
  assert.deepEqual(await a.zip(a.map((x) => x * 10)).collect(), [
    [1, 10],
    [2, 20],
    [3, 30],
    [4, 40],
  ]);
  assert.throws(() => a.zip(sc.parallelize([1, 2, 3, 4], 3)), /same number of partitions \(2 vs 3\)/);
  await assert.rejects(a.zip(a.filter((x) => x > 1)).collect(), (err: unknown) => {
    assert.ok(err instanceof TaskFailedError);
    assert.ok(err.cause instanceof IllegalArgumentError);
    assert.match(err.message, /same number of elements in each partition/);
    return true;
  });
});

test("zipWithIndex numbers by partition then position; zipWithUniqueId by k, n+k", async () => {
  const data = ["a", "b", "c", "d", "e"];
  const rdd = sc.parallelize(data, 3);
  assert.deepEqual(
    await rdd.zipWithIndex().collect(),
    data.map((x, i) => [x, i]),
  );
  assert.deepEqual(
    await sc.parallelize(data, 1).zipWithIndex().collect(),
    data.map((x, i) => [x, i]),
  );
  // slices: [a], [b, c], [d, e]
  assert.deepEqual(await rdd.zipWithUniqueId().collect(), [
    ["a", 0],
    ["b", 1],
    ["c", 4],
    ["d", 2],
    ["e", 5],
  ]);
});

test("sample is seeded, repeatable, and near its fraction", async () => {
  const rdd = sc.range(0, 10000, 1, 4);
  const s1 = await rdd.sample(false, 0.1, 42).collect();
  const s2 = await rdd.sample(false, 0.1, 42).collect();
  assert.deepEqual(s1, s2);
  assert.ok(s1.length > 800 && s1.length < 1200, `sample size ${s1.length}`);
  assert.ok(
    s1.every((x, i) => i === 0 || x > s1[i - 1]!),
    "without replacement keeps order and has no repeats",
  );
  const withRep = await rdd.sample(true, 2, 7).count();
  assert.ok(withRep > 18000 && withRep < 22000, `with replacement ${withRep}`);
  assert.throws(() => rdd.sample(false, 1.5), /fraction must be in \[0, 1\]/);
});

test("coalesce merges neighbouring partitions; repartition reshuffles evenly", async () => {
  const rdd = sc.range(0, 12, 1, 6);
  const merged = rdd.coalesce(2);
  assert.deepEqual(await merged.glom().collect(), [
    [0, 1, 2, 3, 4, 5],
    [6, 7, 8, 9, 10, 11],
  ]);
  assert.equal(rdd.coalesce(10).getNumPartitions(), 6, "coalesce without shuffle cannot grow");
  const re = rdd.repartition(3);
  assert.equal(re.getNumPartitions(), 3);
  const parts = await re.glom().collect();
  assert.deepEqual(sorted(parts.flat()), sorted(Array.from({ length: 12 }, (_, i) => i)));
  for (const p of parts) assert.equal(p.length, 4);
  assert.equal(await rdd.repartition(8).count(), 12);
});

test("distinct, intersection and subtract compare by value, tuples included", async () => {
  const a = sc.parallelize<[number, string] | number>([[1, "x"], [1, "x"], 2, 2, 3, [2, "y"]], 3);
  const b = sc.parallelize<[number, string] | number>([[1, "x"], 3, 4], 2);
  assert.deepEqual(sorted(await a.distinct().collect()), sorted([[1, "x"], 2, 3, [2, "y"]]));
  assert.deepEqual(sorted(await a.intersection(b).collect()), sorted([[1, "x"], 3]));
  assert.deepEqual(sorted(await a.subtract(b).collect()), sorted([2, 2, [2, "y"]]));
});

test("groupBy and sortBy", async () => {
  const words = ["pear", "fig", "apple", "kiwi", "plum", "date"];
  const grouped = new Map(
    (
      await sc
        .parallelize(words, 3)
        .groupBy((w) => w.length)
        .collect()
    ).map(([k, v]) => [k, sorted(v)]),
  );
  assert.deepEqual(
    grouped,
    new Map([
      [3, ["fig"]],
      [4, sorted(["pear", "kiwi", "plum", "date"])],
      [5, ["apple"]],
    ]),
  );
  assert.deepEqual(
    await sc
      .parallelize(words, 3)
      .sortBy((w) => w)
      .collect(),
    [...words].sort(),
  );
  assert.deepEqual(
    await sc
      .parallelize(words, 3)
      .sortBy((w) => w.length, false, 2)
      .collect(),
    [...words].sort((a, b) => b.length - a.length || words.indexOf(a) - words.indexOf(b)).map((w) => w),
  );
});

test("cache keeps computed partitions: the function runs once per element", async () => {
  let calls = 0;
  const rdd = sc
    .parallelize([1, 2, 3, 4], 2)
    .map((x) => {
      calls++;
      return x * 2;
    })
    .cache();
  assert.deepEqual(await rdd.collect(), [2, 4, 6, 8]);
  assert.equal(await rdd.count(), 4);
  assert.equal(calls, 4);
  rdd.unpersist();
  await rdd.count();
  assert.equal(calls, 8);
});
