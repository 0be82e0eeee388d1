// Cases of Spark's python/pyspark/tests/test_rdd.py (RDDTests), translated to Sluice: the same
// inputs and Spark's expected values. PySpark's dicts are Maps here, its sets Sets.
import assert from "node:assert/strict";
import { unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { sharedContext, sorted, tempDir } from "../helpers/context.js";

const sc = sharedContext();
const range = (a: number, b?: number) =>
  b === undefined ? Array.from({ length: a }, (_, i) => i) : Array.from({ length: b - a }, (_, i) => a + i);
const key = (x: unknown) => JSON.stringify(x);
const asSet = (xs: unknown[]) => new Set(xs.map(key));

test("test_range, test_empty_rdd, test_sum", async () => {
  assert.equal(await sc.range(1, 1).count(), 0);
  assert.equal(await sc.range(1, 0, -1).count(), 1);
  assert.equal(await sc.range(0, 2 ** 40, 2 ** 39).count(), 2);
  assert.equal(await sc.emptyRDD().isEmpty(), true);
  assert.equal(await sc.emptyRDD<number>().sum(), 0);
  assert.equal(await sc.parallelize([1, 2, 3]).sum(), 6);
});

test("test_to_localiterator", async () => {
  const rdd = sc.parallelize([1, 2, 3]);
  const all = async (it: AsyncIterable<number>) => {
    const out: number[] = [];
    for await (const x of it) out.push(x);
    return out.sort();
  };
  assert.deepEqual(await all(rdd.toLocalIterator()), [1, 2, 3]);
  assert.deepEqual(await all(rdd.repartition(1000).toLocalIterator()), [1, 2, 3]);
});

test("test_transforming_cartesian_result, test_cartesian_chaining, test_zip_chaining", async () => {
  const cart = sc.parallelize([1, 2]).cartesian(sc.parallelize([3, 4]));
  assert.deepEqual(sorted(await cart.map(([x, y]) => x + y).collect()), [4, 5, 5, 6]);
  const rdd = sc.parallelize(range(10), 2);
  const triples = (f: (x: number, y: number, z: number) => unknown) =>
    asSet(range(10).flatMap((x) => range(10).flatMap((y) => range(10).map((z) => f(x, y, z)))));
  assert.deepEqual(
    asSet(await rdd.cartesian(rdd).cartesian(rdd).collect()),
    triples((x, y, z) => [[x, y], z]),
  );
  assert.deepEqual(
    asSet(await rdd.cartesian(rdd.cartesian(rdd)).collect()),
    triples((x, y, z) => [x, [y, z]]),
  );
  assert.deepEqual(
    asSet(await rdd.cartesian(rdd.zip(rdd)).collect()),
    asSet(range(10).flatMap((x) => range(10).map((y) => [x, [y, y]]))),
  );
  const abc = sc.parallelize(["a", "b", "c"], 2);
  assert.deepEqual(asSet(await abc.zip(abc).zip(abc).collect()), asSet(["a", "b", "c"].map((x) => [[x, x], x])));
  assert.deepEqual(asSet(await abc.zip(abc.zip(abc)).collect()), asSet(["a", "b", "c"].map((x) => [x, [x, x]])));
});

test("test_deleting_input_files", async () => {
  const file = join(tempDir(), "hello.txt");
  writeFileSync(file, "Hello World!");
  const filtered = sc.textFile(file).filter(() => true);
  assert.equal(await filtered.count(), 1);
  unlinkSync(file);
  await assert.rejects(filtered.count());
});

test("test_sampling_default_seed", async () => {
  assert.equal((await sc.parallelize(range(1000), 1).takeSample(false, 10)).length, 10);
});

test("test_aggregate_mutable_zero_value, test_fold_mutable_zero_value (the zero value is copied per partition)", async () => {
  const seqOp = (m: Map<number, number>, y: number) => m.set(y, (m.get(y) ?? 0) + 1);
  const comboOp = (x: Map<number, number>, y: Map<number, number>) => {
    for (const [k, v] of y) x.set(k, (x.get(k) ?? 0) + v);
    return x;
  };
  const truth = sorted(range(10).map((i) => [i, 1]));
  for (const slices of [1, 2]) {
    const data = sc.range(0, 10, 1, slices);
    assert.deepEqual(sorted(await data.aggregate(new Map(), seqOp, comboOp)), truth);
    assert.deepEqual(sorted(await data.treeAggregate(new Map(), seqOp, comboOp, 2)), truth);
  }
  const counts = [range(0, 10), range(3, 8), range(4, 7), range(5, 6)].map((r) => new Map(r.map((i) => [i, 1])));
  const ground = new Map<number, number>();
  for (const c of counts) comboOp(ground, c);
  for (const slices of [1, 2]) {
    assert.deepEqual(sorted(await sc.parallelize(counts, slices).fold(new Map(), comboOp)), sorted(ground));
  }
});

test("test_aggregate_by_key_mutable_zero_value, test_fold_by_key_mutable_zero_value, test_aggregate_by_key", async () => {
  const tuples = [...range(10), ...range(10)].map((i): [number, number] => [i, 1]);
  for (const slices of [1, 2]) {
    const values = await sc
      .parallelize(tuples, slices)
      .aggregateByKey(
        [] as number[],
        (x, y) => (x.push(y), x),
        (x, y) => (x.push(...y), x),
      )
      .collect();
    assert.deepEqual(sorted(values), sorted(range(10).map((i) => [i, [1, 1]])));
  }
  const lists = [...range(10), ...range(10)].map((i): [number, number[]] => [i, range(i)]);
  for (const slices of [1, 2]) {
    const values = await sc
      .parallelize(lists, slices)
      .foldByKey([], (x, y) => (x.push(...y), x))
      .collect();
    assert.deepEqual(
      sorted(values.map(([k, v]) => [k, v.sort((a, b) => a - b)])),
      sorted(range(10).map((i) => [i, [...range(i), ...range(i)].sort((a, b) => a - b)])),
    );
  }
  const data = sc.parallelize<[number, number]>(
    [
      [1, 1],
      [1, 1],
      [3, 2],
      [5, 1],
      [5, 3],
    ],
    2,
  );
  const sets = new Map(
    await data
      .aggregateByKey(
        new Set<number>(),
        (x, y) => x.add(y),
        (x, y) => {
          for (const v of y) x.add(v);
          return x;
        },
      )
      .collect(),
  );
  assert.equal(sets.size, 3);
  assert.deepEqual([...sets.get(1)!].sort(), [1]);
  assert.deepEqual([...sets.get(3)!].sort(), [2]);
  assert.deepEqual([...sets.get(5)!].sort(), [1, 3]);
});

test("test_large_broadcast, test_unpersist (a destroyed broadcast fails the job)", async () => {
  const N = 10000;
  const data = Array.from({ length: N }, () => Array.from({ length: 300 }, (_, i) => i * 1.0));
  const bdata = sc.broadcast(data);
  assert.equal(
    await sc
      .parallelize(range(1), 1)
      .map(() => bdata.value.length)
      .sum(),
    N,
  );
  bdata.unpersist();
  assert.equal(
    await sc
      .parallelize(range(1), 1)
      .map(() => bdata.value.length)
      .sum(),
    N,
  );
  bdata.destroy();
  await assert.rejects(
    sc
      .parallelize(range(1), 1)
      .map(() => bdata.value.length)
      .sum(),
  );
});
