import assert from "node:assert/strict";
import { test } from "node:test";
import { IllegalArgumentError } from "../../src/index.js";
import { sharedContext } from "../helpers/context.js";

const sc = sharedContext();

test("parallelize cuts a range into floor(i*len/n) slices", async () => {
  assert.deepEqual(await sc.parallelize([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 4).glom().collect(), [
    [0, 1],
    [2, 3, 4],
    [5, 6],
    [7, 8, 9],
  ]);
  assert.deepEqual(await sc.parallelize([0, 2, 3, 4, 6], 5).glom().collect(), [[0], [2], [3], [4], [6]]);
  assert.deepEqual(await sc.range(0, 6, 2, 5).glom().collect(), [[], [0], [], [2], [4]]);
});

test("parallelize defaults to defaultParallelism slices and keeps order", async () => {
  const data = Array.from({ length: 103 }, (_, i) => i * 3);
  const rdd = sc.parallelize(data);
  assert.equal(sc.defaultParallelism, 4);
  assert.equal(rdd.getNumPartitions(), 4);
  assert.deepEqual(await rdd.collect(), data);
});

test("parallelize of empty data gives empty partitions", async () => {
  const rdd = sc.parallelize([], 3);
  assert.equal(rdd.getNumPartitions(), 3);
  assert.deepEqual(await rdd.glom().collect(), [[], [], []]);
});

test("parallelize accepts any iterable, such as a Set or a generator", async () => {
  assert.deepEqual(await sc.parallelize(new Set(["x", "y"]), 1).collect(), ["x", "y"]);
  function* gen() {
    yield 1;
    yield 2;
    yield 3;
  }
  assert.deepEqual(await sc.parallelize(gen(), 2).collect(), [1, 2, 3]);
});

test("parallelize rejects numSlices below 1 and non-iterables", () => {
  assert.throws(() => sc.parallelize([1], 0), IllegalArgumentError);
  assert.throws(() => sc.parallelize([1], 1.5), /whole number >= 1, got 1.5/);
  assert.throws(() => sc.parallelize(42 as unknown as number[]), /needs an iterable/);
});

test("range counts like Python's range", async () => {
  assert.deepEqual(await sc.range(5).collect(), [0, 1, 2, 3, 4]);
  assert.deepEqual(await sc.range(10, 0, -3).collect(), [10, 7, 4, 1]);
  assert.throws(() => sc.range(0, 5, 0), /step must not be 0/);
});
