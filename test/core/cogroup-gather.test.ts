// What crosses a cogroup's shuffle (and the thread boundary, when map tasks run in workers):
// one record per distinct key and map task, with the key's values gathered in order.
import assert from "node:assert/strict";
import { test } from "node:test";
import { SparkContext } from "../../src/index.js";

test("a cogroup's map side gathers a key's values: one shuffle record per key and map task, in workers as on the driver, values in order", async () => {
  for (const master of ["local[1]", "local[2]"]) {
    const ctx = new SparkContext(master, "gather");
    try {
      const written: number[] = [];
      const executors = new Set<string>();
      ctx.addSparkListener({
        onTaskEnd: (t) => {
          written.push(t.recordsOut);
          executors.add(t.executor);
        },
      });
      // 2 map tasks of 30,000 records (enough to go to workers), over 3 keys
      const left = ctx.range(0, 60_000, 1, 2).map((i): [number, number] => [i % 3, i]);
      const right = ctx.parallelize([[0, "zero"] as [number, string]], 1);
      const grouped = await left.cogroup(right, 2).collect();
      const mapRecords = written.slice(0, 3).reduce((a, b) => a + b, 0);
      assert.equal(mapRecords, 2 * 3 + 1, `${master}: records written by the map tasks`);
      const byKey = new Map(grouped.map(([k, [vs, ws]]) => [k, [vs, ws]]));
      for (let k = 0; k < 3; k++) {
        const expected: number[] = [];
        for (let i = k; i < 60_000; i += 3) expected.push(i);
        assert.deepEqual(byKey.get(k)![0], expected, `${master}: key ${k}'s values, in order`);
      }
      assert.deepEqual(byKey.get(0)![1], ["zero"]);
      assert.ok(executors.has(master === "local[1]" ? "driver" : "worker"), `${master} ran on ${[...executors]}`);
    } finally {
      await ctx.stop();
    }
  }
});
