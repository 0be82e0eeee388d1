import assert from "node:assert/strict";
import { test } from "node:test";
import { HashPartitioner } from "../../src/index.js";
import { groupPlain, sharedContext, sorted } from "../helpers/context.js";

const sc = sharedContext();

const text = "to be or not to be that is the question to ask ñ ñ 😀";
const pairs: [string, number][] = text.split(" ").map((w, i) => [w, i]);

function plainReduce<K, V>(input: [K, V][], f: (a: V, b: V) => V): [K, V][] {
  return Array.from(groupPlain(input).values(), ({ key, values }) => [key, values.reduce(f)] as [K, V]);
}

test("reduceByKey equals a plain fold per key, for several partition counts", async () => {
  for (const slices of [1, 2, 5, 20]) {
    for (const out of [undefined, 1, 3]) {
      const got = await sc
        .parallelize(pairs, slices)
        .reduceByKey((a, b) => a + b, out)
        .collect();
      assert.deepEqual(sorted(got), sorted(plainReduce(pairs, (a, b) => a + b)), `slices ${slices}, out ${out}`);
    }
  }
});

test("reduceByKey result is hash-partitioned by key value: equal keys in one partition", async () => {
  const rdd = sc.parallelize(pairs, 3).reduceByKey((a, b) => a + b, 4);
  const parts = await rdd.glom().collect();
  const p = new HashPartitioner(4);
  parts.forEach((part, i) => part.forEach(([k]) => assert.equal(p.getPartition(k), i)));
  assert.ok(rdd.partitioner?.equals(p));
});

test("tuple and object keys group by value, not identity", async () => {
  const input: [[string, number], number][] = [
    [["a", 1], 1],
    [["a", 1], 2],
    [["b", 1], 3],
    [["a", 2], 4],
    [["a", 1], 5],
  ];
  assert.deepEqual(
    sorted(
      await sc
        .parallelize(input, 3)
        .reduceByKey((a, b) => a + b)
        .collect(),
    ),
    sorted([
      [["a", 1], 8],
      [["b", 1], 3],
      [["a", 2], 4],
    ]),
  );
  const objs: [{ x: number; y: string }, number][] = [
    [{ x: 1, y: "p" }, 1],
    [{ y: "p", x: 1 }, 1],
    [{ x: 2, y: "p" }, 1],
  ];
  assert.deepEqual(
    sorted(
      await sc
        .parallelize(objs, 2)
        .reduceByKey((a, b) => a + b)
        .collect(),
    ),
    sorted([
      [{ x: 1, y: "p" }, 2],
      [{ x: 2, y: "p" }, 1],
    ]),
  );
});

test("groupByKey collects every value of a key; combineByKey, aggregateByKey and foldByKey agree with loops", async () => {
  const rdd = sc.parallelize(pairs, 4);
  const groups = groupPlain(pairs);
  const grouped = await rdd.groupByKey().collect();
  assert.deepEqual(
    sorted(grouped.map(([k, vs]) => [k, sorted(vs)])),
    sorted(Array.from(groups.values(), (g) => [g.key, sorted(g.values)])),
  );

  const avg = await rdd
    .combineByKey(
      (v) => [v, 1] as [number, number],
      (c, v) => [c[0] + v, c[1] + 1] as [number, number],
      (a, b) => [a[0] + b[0], a[1] + b[1]] as [number, number],
    )
    .mapValues(([s, n]) => s / n)
    .collect();
  assert.deepEqual(
    sorted(avg),
    sorted(Array.from(groups.values(), (g) => [g.key, g.values.reduce((a, b) => a + b) / g.values.length])),
  );

  // a mutable zero must be copied per key and partition
  const lists = await rdd
    .aggregateByKey(
      [] as number[],
      (acc, v) => (acc.push(v), acc),
      (a, b) => a.concat(b),
    )
    .mapValues((l) => sorted(l))
    .collect();
  assert.deepEqual(sorted(lists), sorted(Array.from(groups.values(), (g) => [g.key, sorted(g.values)])));

  // foldByKey uses zero once per key per partition: with zero 1 and *, it is the product
  const prod = await sc
    .parallelize(
      [
        ["a", 2],
        ["a", 3],
        ["b", 5],
      ] as [string, number][],
      3,
    )
    .foldByKey(1, (a, b) => a * b)
    .collect();
  assert.deepEqual(sorted(prod), [
    ["a", 6],
    ["b", 5],
  ]);
});

test("mapValues, flatMapValues, keys and values keep the partitioner where Spark does", async () => {
  const rdd = sc
    .parallelize(
      [
        ["a", 1],
        ["b", 2],
      ] as [string, number][],
      2,
    )
    .partitionBy(3);
  assert.ok(rdd.mapValues((v) => v + 1).partitioner?.equals(rdd.partitioner));
  assert.equal(rdd.map((kv) => kv).partitioner, undefined);
  assert.deepEqual(sorted(await rdd.flatMapValues((v) => Array(v).fill(v)).collect()), [
    ["a", 1],
    ["b", 2],
    ["b", 2],
  ]);
  assert.deepEqual(sorted(await rdd.keys().collect()), ["a", "b"]);
  assert.deepEqual(sorted(await rdd.values().collect()), [1, 2]);
});

test("partitionBy with a function places keys by it; a second partitionBy onto the same is a no-op", async () => {
  const rdd = sc
    .parallelize(
      [
        [1, "a"],
        [2, "b"],
        [3, "c"],
        [4, "d"],
      ] as [number, string][],
      1,
    )
    .partitionBy(2, (k) => k);
  assert.deepEqual(await rdd.glom().collect(), [
    [
      [2, "b"],
      [4, "d"],
    ],
    [
      [1, "a"],
      [3, "c"],
    ],
  ]);
  const hashed = sc.parallelize(pairs, 2).partitionBy(3);
  assert.equal(hashed.partitionBy(3), hashed);
});

test("reduceByKey over an already partitioned RDD does not shuffle again", async () => {
  const placed = sc.parallelize(pairs, 2).partitionBy(4);
  const reduced = placed.reduceByKey((a, b) => a + b, 4);
  assert.doesNotMatch(reduced.toDebugString().split("\n")[0]!, /ShuffledRDD/);
  assert.deepEqual(sorted(await reduced.collect()), sorted(plainReduce(pairs, (a, b) => a + b)));
});

test("sortByKey gives a total order over several partitions, ascending and descending, with keyfunc", async () => {
  const keys = Array.from({ length: 200 }, (_, i) => (i * 7919) % 211);
  const input = keys.map((k): [number, number] => [k, k * 2]);
  const asc = sc.parallelize(input, 5).sortByKey(true, 4);
  assert.equal(asc.getNumPartitions(), 4);
  assert.deepEqual(
    await asc.collect(),
    [...input].sort((a, b) => a[0] - b[0]),
  );
  const parts = await asc.glom().collect();
  assert.ok(parts.filter((p) => p.length > 0).length >= 3, "range partitioning spreads keys");
  assert.deepEqual(
    await sc.parallelize(input, 5).sortByKey(false, 3).keys().collect(),
    [...keys].sort((a, b) => b - a),
  );
  const words: [string, number][] = [
    ["b", 1],
    ["A", 2],
    ["c", 3],
    ["a", 4],
  ];
  assert.deepEqual(
    await sc
      .parallelize(words, 2)
      .sortByKey(true, 2, (k) => k.toLowerCase())
      .keys()
      .collect(),
    ["A", "a", "b", "c"],
  );
});

test("joins, cogroup and subtractByKey match nested loops, missing sides as null", async () => {
  const left: [string, number][] = [
    ["a", 1],
    ["a", 2],
    ["b", 3],
    ["c", 4],
  ];
  const right: [string, string][] = [
    ["a", "x"],
    ["b", "y"],
    ["b", "z"],
    ["d", "w"],
  ];
  const l = sc.parallelize(left, 2);
  const r = sc.parallelize(right, 3);
  const inner: [string, [number, string]][] = [];
  for (const [k, v] of left) for (const [k2, w] of right) if (k === k2) inner.push([k, [v, w]]);
  assert.deepEqual(sorted(await l.join(r).collect()), sorted(inner));
  assert.deepEqual(sorted(await l.leftOuterJoin(r).collect()), sorted([...inner, ["c", [4, null]]]));
  assert.deepEqual(sorted(await l.rightOuterJoin(r).collect()), sorted([...inner, ["d", [null, "w"]]]));
  assert.deepEqual(
    sorted(await l.fullOuterJoin(r, 2).collect()),
    sorted([...inner, ["c", [4, null]], ["d", [null, "w"]]]),
  );
  const cg = await l.cogroup(r).collect();
  assert.deepEqual(
    sorted(cg.map(([k, [vs, ws]]) => [k, [sorted(vs), sorted(ws)]])),
    sorted([
      ["a", [[1, 2], ["x"]]],
      ["b", [[3], ["y", "z"]]],
      ["c", [[4], []]],
      ["d", [[], ["w"]]],
    ]),
  );
  assert.deepEqual(sorted(await l.subtractByKey(r).collect()), [["c", 4]]);
});

test("shuffles of empty RDDs and of one element", async () => {
  assert.deepEqual(
    await sc
      .parallelize([] as [string, number][], 3)
      .reduceByKey((a, b) => a + b)
      .collect(),
    [],
  );
  assert.deepEqual(
    await sc
      .parallelize([["k", 1]] as [string, number][], 3)
      .groupByKey()
      .collect(),
    [["k", [1]]],
  );
  assert.deepEqual(
    await sc
      .emptyRDD<[string, number]>()
      .join(sc.parallelize([["k", 1]] as [string, number][]))
      .collect(),
    [],
  );
});
