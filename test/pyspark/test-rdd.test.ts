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

test("test_large_closure, test_zip_with_different_object_sizes, test_zip_with_different_number_of_items", async () => {
  const N = 200000;
  const data = Array.from({ length: N }, (_, i) => i * 1.0);
  const rdd = sc.parallelize(range(1), 1).map(() => data.length);
  assert.equal(await rdd.first(), N);
  assert.equal(
    await rdd
      .map((x): [number, number] => [x, 1])
      .groupByKey()
      .count(),
    1,
  );
  const a = sc.parallelize(range(10000)).map((i) => "*".repeat(i % 500));
  const b = sc.parallelize(range(10000, 20000)).map((i) => "*".repeat(i % 500));
  assert.equal(await a.zip(b).count(), 10000);
  const five = sc.parallelize(range(5), 2);
  assert.throws(() => five.zip(sc.parallelize(range(100, 106), 3)));
  await assert.rejects(five.zip(sc.parallelize(range(100, 104), 2)).count());
  await assert.rejects(five.zip(sc.parallelize(range(100, 106), 2)).count());
  const x = sc.parallelize([2, 3], 2).flatMap((n) => range(n));
  const y = sc.parallelize([3, 2], 2).flatMap((n) => range(n));
  assert.equal(await x.count(), await y.count());
  await assert.rejects(x.zip(y).count());
});

test("test_count_approx_distinct", async () => {
  const rdd = sc.parallelize(range(1000));
  const within = (n: number, lo: number, hi: number) => assert.ok(lo < n && n < hi, `${n} not in ${lo}..${hi}`);
  within(await rdd.countApproxDistinct(0.03), 950, 1050);
  within(await rdd.map((x) => x + 0.5).countApproxDistinct(0.03), 950, 1050);
  within(await rdd.map(String).countApproxDistinct(0.03), 950, 1050);
  within(await rdd.map((x) => [x, -x]).countApproxDistinct(0.03), 950, 1050);
  const twenty = sc.parallelize(
    range(1000).map((i) => i % 20),
    7,
  );
  within(await twenty.countApproxDistinct(), 18, 22);
  within(await twenty.map(String).countApproxDistinct(), 18, 22);
  within(await twenty.map((x) => [x, -x]).countApproxDistinct(), 18, 22);
  await assert.rejects(twenty.countApproxDistinct(0.00000001));
});

test("test_histogram", async () => {
  const h = async (data: (number | null)[], buckets: number | number[]) =>
    (await sc.parallelize(data as number[]).histogram(buckets))[1];
  assert.deepEqual(await h([], [0, 10]), [0]);
  assert.deepEqual(await h([], [0, 4, 10]), [0, 0]);
  await assert.rejects(h([], 1));
  assert.deepEqual(await h([10.01, -0.01], [0, 10]), [0]);
  assert.deepEqual(await h([10.01, -0.01], [0, 4, 10]), [0, 0]);
  assert.deepEqual(await h(range(1, 5), [0, 10]), [4]);
  assert.deepEqual(await h(range(1, 5), [0, 4, 10]), [3, 1]);
  assert.deepEqual(await h(range(1, 5), [1, 4]), [4]);
  assert.deepEqual(await h([10.01, -0.01], [0, 5, 10]), [0, 0]);
  assert.deepEqual(await h([1, 2, 3, 5, 6], [0, 5, 10]), [3, 2]);
  assert.deepEqual(await h([1, 2, 3, 5, 6, null, NaN], [0, 5, 10]), [3, 2]);
  assert.deepEqual(await h([1, 2, 3, 5, 6], [0, 5, 11]), [3, 2]);
  assert.deepEqual(await h([-0.01, 0.0, 1, 2, 3, 5, 6, 11.0, 11.01], [0, 5, 11]), [4, 3]);
  const mixed = [-0.01, 0.0, 1, 2, 3, 5, 6, 11.01, 12.0, 199.0, 200.0, 200.1];
  assert.deepEqual(await h(mixed, [0.0, 5.0, 11.0, 12.0, 200.0]), [4, 2, 1, 3]);
  assert.deepEqual(await h([...mixed, null, NaN], [0.0, 5.0, 11.0, 12.0, 200.0]), [4, 2, 1, 3]);
  assert.deepEqual(await h([10.01, -0.01, NaN, Infinity], [-Infinity, 0, Infinity]), [1, 2]);
  await assert.rejects(h([1], []));
  await assert.rejects(h([1], [1]));
  await assert.rejects(h([1], 0));
  assert.deepEqual(await sc.parallelize(range(1, 5)).histogram(1), [[1, 4], [4]]);
  assert.deepEqual(await sc.parallelize([1]).histogram(1), [[1, 1], [1]]);
  assert.deepEqual(await sc.parallelize([1, 1, 1, 1]).histogram(1), [[1, 1], [4]]);
  assert.deepEqual(await sc.parallelize(range(1, 5)).histogram(2), [
    [1, 2.5, 4],
    [2, 2],
  ]);
  const [buckets, counts] = await sc.parallelize([1, 2]).histogram(5);
  assert.deepEqual(
    buckets.map((b) => Math.round(b * 1e9) / 1e9),
    range(6).map((i) => Math.round((1 + 0.2 * i) * 1e9) / 1e9),
  );
  assert.deepEqual(counts, [1, 0, 0, 0, 1]);
  await assert.rejects(sc.parallelize([1, Infinity]).histogram(2));
  await assert.rejects(sc.parallelize([NaN]).histogram(2));
  const strings = sc.parallelize(["ab", "ac", "b", "bd", "ef"], 2);
  assert.deepEqual((await strings.histogram(["a", "b", "c"]))[1], [2, 2]);
});

test("test_repartitionAndSortWithinPartitions_asc/_desc, test_repartition_no_skewed, test_distinct, test_sort_on_empty_rdd", async () => {
  const rdd = sc.parallelize<[number, number]>(
    [
      [0, 5],
      [3, 8],
      [2, 6],
      [0, 8],
      [3, 8],
      [1, 3],
    ],
    2,
  );
  const asc = await rdd
    .repartitionAndSortWithinPartitions(2, (k) => k % 2, true)
    .glom()
    .collect();
  assert.deepEqual(asc[0], [
    [0, 5],
    [0, 8],
    [2, 6],
  ]);
  assert.deepEqual(asc[1], [
    [1, 3],
    [3, 8],
    [3, 8],
  ]);
  const desc = await rdd
    .repartitionAndSortWithinPartitions(2, (k) => k % 2, false)
    .glom()
    .collect();
  assert.deepEqual(desc[0], [
    [2, 6],
    [0, 5],
    [0, 8],
  ]);
  assert.deepEqual(desc[1], [
    [3, 8],
    [3, 8],
    [1, 3],
  ]);
  const a = sc.parallelize(range(1000), 2);
  for (const parts of [await a.repartition(20).glom().collect(), await a.coalesce(20, true).glom().collect()])
    assert.equal(parts.filter((p) => p.length === 0).length, 0);
  const thirty = sc.parallelize(
    [...Array(10)].flatMap(() => [1, 2, 3]),
    10,
  );
  assert.equal(thirty.getNumPartitions(), 10);
  assert.equal(await thirty.distinct().count(), 3);
  const five = thirty.distinct(5);
  assert.equal(five.getNumPartitions(), 5);
  assert.equal(await five.count(), 3);
  assert.deepEqual(await sc.parallelize<[number, number]>([]).sortByKey().collect(), []);
});

test("test_sample, test_sortByKey_uses_all_partitions_not_only_first_and_last", async () => {
  const rdd = sc.parallelize(range(0, 100), 4);
  const set = async (r: Promise<number[]>) => new Set(await r);
  assert.deepEqual(await set(rdd.sample(false, 0.1, 2).collect()), await set(rdd.sample(false, 0.1, 2).collect()));
  assert.deepEqual(await set(rdd.sample(true, 0.2, 5).collect()), await set(rdd.sample(true, 0.2, 5).collect()));
  assert.notDeepEqual(await set(rdd.sample(false, 0.3, 10).collect()), await set(rdd.sample(false, 0.3, 20).collect()));
  assert.notDeepEqual(await set(rdd.sample(true, 0.4, 11).collect()), await set(rdd.sample(true, 0.4, 21).collect()));
  const seq = range(101).map((i): [number, number] => [(i * 59) % 101, i]);
  for (const ascending of [true, false]) {
    const sort = sc.parallelize(seq).sortByKey(ascending, 5);
    const expected = [...seq].sort((p, q) => (ascending ? p[0] - q[0] : q[0] - p[0]));
    assert.deepEqual(await sort.collect(), expected);
    for (const size of await sort
      .glom()
      .map((p) => p.length)
      .collect())
      assert.ok(size > 0);
  }
});

test("test_pipe_functions, test_pipe_unicode, test_to_local_iterator_failure", async () => {
  const rdd = sc.parallelize(["1", "2", "3"]);
  assert.deepEqual(await rdd.pipe("cc-that-is-not-there 2>/dev/null").collect(), []);
  await assert.rejects(rdd.pipe("cc-that-is-not-there 2>/dev/null", undefined, true).collect());
  assert.deepEqual((await rdd.pipe("cat").collect()).sort(), ["1", "2", "3"]);
  await assert.rejects(rdd.pipe("grep 4", undefined, true).collect());
  assert.deepEqual(await rdd.pipe("grep 4").collect(), []);
  assert.deepEqual(await sc.parallelize(["\u6d4b\u8bd5", "1"]).pipe("cat").collect(), ["\u6d4b\u8bd5", "1"]);
  const failing = sc.range(0, 10).map((): number => {
    throw new Error("local iterator error");
  });
  await assert.rejects(async () => {
    for await (const x of failing.toLocalIterator()) void x;
  }, /local iterator error/);
});
