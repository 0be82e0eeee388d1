// Map outputs are kept for the next action over the same shuffle, as Spark keeps its shuffle
// files: the reduce side must never merge into them.
import assert from "node:assert/strict";
import { test } from "node:test";
import { SparkContext } from "../../src/index.js";

test("a second action over a shuffle with mutable combiners reads what the first read (map outputs are not merged into)", async () => {
  for (const master of ["local[1]", "local[2]"]) {
    const sc = new SparkContext(master, "shuffle-reuse");
    try {
      const data = Array.from({ length: 40_000 }, (_, i): [string, number] => [`k${i % 3}`, i]);
      const lists = sc.parallelize(data, 2).combineByKey(
        (v) => [v],
        (c: number[], v) => (c.push(v), c),
        (a, b) => (a.push(...b), a),
      );
      const first = (await lists.mapValues((vs) => vs.length).collect()).sort();
      const second = (await lists.mapValues((vs) => vs.length).collect()).sort();
      assert.deepEqual(first, [
        ["k0", 13334],
        ["k1", 13333],
        ["k2", 13333],
      ]);
      assert.deepEqual(second, first, master);
      const joined = sc.parallelize(data, 2).cogroup(sc.parallelize([["k0", "x"]] as [string, string][], 1));
      const sizes = async () => (await joined.mapValues(([a, b]) => [a.length, b.length]).collect()).sort();
      assert.deepEqual(await sizes(), await sizes(), `cogroup on ${master}`);
    } finally {
      await sc.stop();
    }
  }
});
