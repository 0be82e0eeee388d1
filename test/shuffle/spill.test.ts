// Shuffles and aggregations under a memory budget (issue 20): past it they spill to local files,
// give what the in-memory run gives, and leave no files behind.
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { SparkConf, SparkContext } from "../../src/index.js";
import { ExternalCombineMap } from "../../src/shuffle/external-map.js";
import { SpillDir } from "../../src/shuffle/spill-files.js";
import { sorted, tempDir } from "../helpers/context.js";

const pairs = Array.from({ length: 40_000 }, (_, i): [string, number] => [`k${(i * 7919) % 5000}`, i]);
const other = Array.from({ length: 6_000 }, (_, i): [string, string] => [`k${i % 5500}`, `v${i}`]);

/** The jobs, each as plain sorted data. */
async function jobs(sc: SparkContext): Promise<Record<string, unknown>> {
  const rdd = sc.parallelize(pairs, 4);
  const grouped = rdd.groupByKey(3).mapValues((vs) => [vs.length, vs.reduce((a, b) => a + b, 0)]);
  return {
    groupByKey: sorted(await grouped.collect()),
    "groupByKey + join": sorted(
      await grouped
        .join(sc.parallelize(other, 3))
        .map(([k, [[n], v]]): [string, string] => [k, `${n}:${v}`])
        .collect(),
    ),
    reduceByKey: sorted(await rdd.reduceByKey((a, b) => a + b, 5).collect()),
    "cogroup with a missing side": sorted(
      await rdd
        .cogroup(sc.parallelize(other, 2))
        .mapValues(([a, b]) => [a.length, b.length])
        .collect(),
    ),
    "sortByKey (no aggregator)": await rdd.sortByKey(true, 3).keys().take(20),
  };
}

function contextWith(memoryBytes: number | undefined, localDir: string): SparkContext {
  const conf = new SparkConf().setMaster("local[1]").setAppName("spill").set("spark.local.dir", localDir);
  if (memoryBytes !== undefined) conf.set("spark.sluice.memory.bytes", memoryBytes);
  return new SparkContext(conf);
}

/** Counts spill files made while `f` runs. */
async function countingSpills<T>(f: () => Promise<T>): Promise<{ result: T; files: string[] }> {
  const files: string[] = [];
  const newFile = SpillDir.prototype.newFile;
  SpillDir.prototype.newFile = function (this: SpillDir, prefix: string) {
    const path = newFile.call(this, prefix);
    files.push(path);
    return path;
  };
  try {
    return { result: await f(), files };
  } finally {
    SpillDir.prototype.newFile = newFile;
  }
}

test("with a tiny memory budget, every shuffle spills and gives what the in-memory run gives; stop() leaves no files", async () => {
  const local = tempDir("sluice-spill-");
  const inMemory = contextWith(undefined, local);
  const { result: expected, files: none } = await countingSpills(() => jobs(inMemory));
  await inMemory.stop();
  assert.deepEqual(none, [], "the default budget holds this job");
  // and a plain loop for the first job
  const groups = new Map<string, number[]>();
  for (const [k, v] of pairs) groups.set(k, [...(groups.get(k) ?? []), v]);
  assert.deepEqual(
    expected.groupByKey,
    sorted(new Map([...groups].map(([k, vs]) => [k, [vs.length, vs.reduce((a, b) => a + b, 0)]]))),
  );

  const tiny = contextWith(64 * 1024, local);
  const { result, files } = await countingSpills(() => jobs(tiny));
  assert.deepEqual(result, expected);
  assert.ok(
    files.some((f) => /shuffle-/.test(f)),
    "map outputs spilled",
  );
  assert.ok(
    files.some((f) => /map-/.test(f)),
    "reduce-side maps spilled",
  );
  const folder = tiny.shuffleManager.spillDir.folder!;
  assert.ok(
    readdirSync(folder).every((f) => f.startsWith("shuffle-")),
    "reduce-side runs are deleted as soon as they are merged",
  );
  await tiny.stop();
  assert.equal(existsSync(folder), false, "stop() removes the spill folder");
  assert.deepEqual(readdirSync(local), []);
});

test("a job failing after spilling deletes the files of its failed stage and of its reduce-side runs", async () => {
  const local = tempDir("sluice-spill-fail-");
  const sc = contextWith(32 * 1024, local);
  try {
    const failing = sc
      .parallelize(pairs, 2)
      .map(([k, v]): [string, number] => {
        if (v === 39_999) throw new Error("bad record");
        return [k, v];
      })
      .groupByKey(2);
    await assert.rejects(failing.count(), /bad record/);
    const folder = sc.shuffleManager.spillDir.folder;
    assert.deepEqual(folder ? readdirSync(folder) : [], [], "nothing of the failed map stage is left");
    // a reduce side that fails half way through its input: the map sides merge 30,000 times
    // (2 slices of 20,000 records over 5,000 keys), the reduce side fails from its 1,000th merge on
    let seen = 0;
    const reduceFails = sc.parallelize(pairs, 2).reduceByKey((a, b) => {
      if (++seen > 31_000) throw new Error("reduce failed");
      return a + b;
    }, 2);
    await assert.rejects(reduceFails.count(), /reduce failed/);
    const left = readdirSync(sc.shuffleManager.spillDir.folder!);
    assert.ok(
      left.every((f) => f.startsWith("shuffle-")),
      `only the completed map stage's outputs are kept: ${left}`,
    );
  } finally {
    await sc.stop();
  }
  assert.deepEqual(readdirSync(local), []);
});

test("an external map merges a key's combiners across runs, keys with equal hashes kept apart", () => {
  const dir = new SpillDir(tempDir("sluice-spill-map-"));
  const map = new ExternalCombineMap<unknown, number>((a, b) => a + b, { dir, bytes: 2_000 });
  const expected = new Map<string, number>();
  // numbers, strings and tuples as keys; the same key comes back after several spills
  for (let i = 0; i < 5_000; i++) {
    const key = i % 3 === 0 ? i % 97 : i % 3 === 1 ? `s${i % 89}` : [i % 7, `t${i % 5}`];
    map.add(
      key,
      i,
      (v) => v,
      (c, v) => c + v,
    );
    const id = JSON.stringify(key);
    expected.set(id, (expected.get(id) ?? 0) + i);
  }
  assert.ok(map.spills > 3, `spilled ${map.spills} times`);
  const got = new Map<string, number>();
  map.forEach((c, k) => {
    const id = JSON.stringify(k);
    assert.equal(got.has(id), false, `${id} emitted once`);
    got.set(id, c);
  });
  assert.deepEqual(sorted(got), sorted(expected));
  assert.deepEqual(readdirSync(join(dir.folder!)), [], "runs deleted once merged");
  dir.remove();
});

test("map tasks in worker threads spill past their share of the budget; results match a plain loop", async () => {
  const local = tempDir("sluice-spill-workers-");
  const conf = new SparkConf()
    .setMaster("local[2]")
    .setAppName("spill-workers")
    .set("spark.local.dir", local)
    .set("spark.sluice.memory.bytes", 256 * 1024);
  const sc = new SparkContext(conf);
  const executors: string[] = [];
  sc.addSparkListener({ onTaskEnd: (t) => void executors.push(t.executor) });
  try {
    const { result, files } = await countingSpills(async () => {
      const sums = sc
        .range(0, 200_000, 1, 2)
        .map((i): [number, number] => [(i * 7919) % 5000, i % 100])
        .groupByKey(3)
        .mapValues((vs) => vs.reduce((a, b) => a + b, 0));
      return sorted(await sums.collect());
    });
    const expected = new Map<number, number>();
    for (let i = 0; i < 200_000; i++)
      expected.set((i * 7919) % 5000, (expected.get((i * 7919) % 5000) ?? 0) + (i % 100));
    assert.deepEqual(result, sorted(expected));
    assert.ok(executors.includes("worker"), "the map stage ran in workers");
    const folder = sc.shuffleManager.spillDir.folder!;
    assert.ok(
      readdirSync(folder).some((f) => /^shuffle-w\d+-/.test(f)),
      `workers spilled into the context's folder (${readdirSync(folder)}; driver files: ${files.length})`,
    );
  } finally {
    await sc.stop();
  }
  assert.deepEqual(readdirSync(local), []);
});
