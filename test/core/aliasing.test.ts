// Values handed to user code never alias what the engine keeps (PySpark unpickles fresh values
// from its cache and state; Sluice copies where it keeps them).
import assert from "node:assert/strict";
import { test } from "node:test";
import { SparkContext, StorageLevel } from "../../src/index.js";
import { collectBatches, runBatches, streamingFixture } from "../helpers/streaming.js";
import { sharedContext, tempDir } from "../helpers/context.js";

test("mutating a collected value does not change a cached RDD", async () => {
  const sc = sharedContext();
  const rdd = sc
    .parallelize([["a", [1]] as [string, number[]], ["b", [2]] as [string, number[]]], 2)
    .mapValues((v) => v);
  rdd.cache();
  const first = await rdd.collect();
  first[0]![1].push(99);
  first[1]![0] = "changed";
  assert.deepEqual(await rdd.collect(), [
    ["a", [1]],
    ["b", [2]],
  ]);
  // and a map over the cache that mutates its input leaves the cache as it was
  await rdd.map((kv) => (kv[1].push(7), kv)).collect();
  assert.deepEqual(await rdd.collect(), [
    ["a", [1]],
    ["b", [2]],
  ]);
});

test("a state updater that mutates its state in place does not rewrite earlier batches' output", async () => {
  const f = streamingFixture(1);
  f.ssc.checkpoint(tempDir());
  const states = f.ssc
    .queueStream([[["k", 1]], [["k", 2]], [["k", 3]]] as [string, number][][])
    .updateStateByKey((vs: number[], s: number[] | undefined) => {
      const state = s ?? [];
      state.push(...vs); // in place, as Python code often does
      return state;
    });
  const seen = collectBatches(states);
  f.ssc.start();
  await runBatches(f, 3);
  assert.deepEqual(
    seen.map(([, records]) => records),
    [[["k", [1]]], [["k", [1, 2]]], [["k", [1, 2, 3]]]],
  );
});

test("persist refuses to change an assigned level, as Spark; StorageLevel prints as PySpark's", () => {
  const sc = SparkContext.getOrCreate();
  const rdd = sc.parallelize([1]).persist(StorageLevel.MEMORY_AND_DISK);
  assert.doesNotThrow(() => rdd.persist(StorageLevel.MEMORY_AND_DISK));
  assert.throws(
    () => rdd.persist(StorageLevel.MEMORY_ONLY),
    /Cannot change storage level of an RDD after it was already assigned a level/,
  );
  rdd.unpersist().persist(StorageLevel.MEMORY_ONLY);
  assert.equal(String(StorageLevel.MEMORY_ONLY), "Memory Serialized 1x Replicated");
  assert.equal(String(StorageLevel.MEMORY_AND_DISK_2), "Disk Memory Serialized 2x Replicated");
  assert.equal(String(StorageLevel.DISK_ONLY), "Disk Serialized 1x Replicated");
  assert.equal(StorageLevel.MEMORY_ONLY.repr(), "StorageLevel(False, True, False, False, 1)");
});
