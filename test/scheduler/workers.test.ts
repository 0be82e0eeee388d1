import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { SparkContext, TaskFailedError, type RDD } from "../../src/index.js";
import { planMapTask } from "../../src/scheduler/task-plan.js";
import { stderrDuring } from "../helpers/log.js";
import { sorted, tempDir } from "../helpers/context.js";

const dir = tempDir("sluice-workers-");
const textPath = join(dir, "text.txt");
const lines = Array.from({ length: 3000 }, (_, i) => `w${i % 97} ñ${i % 13} ${i % 7 === 0 ? "" : "x"} 😀${i % 5}`);
writeFileSync(textPath, lines.join("\n") + "\n");

/** Jobs whose results must not depend on the number of threads. */
const jobs: Record<string, (sc: SparkContext) => Promise<unknown>> = {
  "word count from a text file": (sc) =>
    sc
      .textFile(textPath, 4)
      .flatMap((l) => l.split(" "))
      .filter((w) => w.length > 0)
      .map((w): [string, number] => [w, 1])
      .reduceByKey((a, b) => a + b)
      .collect()
      .then(sorted),
  "groupByKey of tuples (slices big enough to ship)": (sc) =>
    sc
      .parallelize(
        Array.from({ length: 90_000 }, (_, i) => [[i % 7, `k${i % 3}`], i] as [[number, string], number]),
        3,
      )
      .groupByKey(3)
      .mapValues((vs) => vs.reduce((a, b) => a + b, 0))
      .collect()
      .then(sorted),
  "join and distinct": (sc) => {
    const a = sc.parallelize(
      Array.from({ length: 300 }, (_, i): [number, number] => [i % 50, i]),
      4,
    );
    const b = sc.parallelize(
      Array.from({ length: 100 }, (_, i): [number, string] => [i % 60, `v${i}`]),
      3,
    );
    return a.join(b).keys().distinct().collect().then(sorted);
  },
  "sortBy (range partitioner, on the driver)": (sc) =>
    sc
      .parallelize(
        Array.from({ length: 400 }, (_, i) => (i * 7919) % 1009),
        4,
      )
      .sortBy((x) => x, true, 3)
      .collect(),
  "a function reading its closure": (sc) => {
    const bonus = new Map([["x", 100]]);
    return sc
      .textFile(textPath, 4)
      .flatMap((l) => l.split(" "))
      .map((w): [string, number] => [w, bonus.get(w) ?? 1])
      .reduceByKey((a, b) => a + b)
      .collect()
      .then(sorted);
  },
  "aggregateByKey with a zero (closure)": (sc) =>
    sc
      .parallelize(
        Array.from({ length: 200 }, (_, i): [number, number] => [i % 9, i]),
        4,
      )
      .aggregateByKey(
        [] as number[],
        (acc, v) => (acc.push(v), acc),
        (x, y) => x.concat(y),
      )
      .mapValues((l) => l.length)
      .collect()
      .then(sorted),
};

test("results are identical with local[1], local[2] and local[*]", async () => {
  const results: Record<string, unknown[]> = {};
  for (const master of ["local[1]", "local[2]", "local[*]"]) {
    const sc = new SparkContext(master, "threads");
    try {
      for (const [name, job] of Object.entries(jobs)) (results[name] ??= []).push(await job(sc));
    } finally {
      await sc.stop();
    }
  }
  for (const [name, [one, ...others]] of Object.entries(results))
    for (const other of others) assert.deepEqual(other, one, name);
  // and against a plain loop, for the word count
  const counts = new Map<string, number>();
  for (const l of lines) for (const w of l.split(" ")) if (w) counts.set(w, (counts.get(w) ?? 0) + 1);
  assert.deepEqual(results["word count from a text file"]![0], sorted(counts));
});

test("a map stage of shippable steps over a text split or a slice becomes a plain-data plan; others say why not", () => {
  const sc = new SparkContext("local[2]", "plans");
  try {
    const depOf = (rdd: RDD<[unknown, unknown]>) => rdd.node.dependencies[0] as Parameters<typeof planMapTask>[0];
    const wc = sc
      .textFile(textPath, 2)
      .flatMap((l) => l.split(" "))
      .map((w): [string, number] => [w, 1])
      .reduceByKey((a, b) => a + b);
    const plan = planMapTask(depOf(wc), 1);
    assert.ok(!("reason" in plan));
    assert.deepEqual(
      plan.ops.map((o) => o.kind),
      ["flatMap", "map"],
    );
    assert.equal(plan.source.kind, "textSplit");
    const mergeValue = plan.aggregator?.mergeValue;
    assert.ok(mergeValue && "f" in mergeValue);
    assert.match(
      plan.code[mergeValue.f]!.src,
      /^\(\(a, ?b\) ?=> ?a ?\+ ?b\)$/,
      "the reduce function travels as source",
    );
    assert.doesNotThrow(() => structuredClone(plan), "a plan is plain data");
    const small = sc
      .parallelize([1, 2])
      .map((x): [number, number] => [x, x])
      .reduceByKey((a, b) => a + b);
    assert.match(
      (planMapTask(depOf(small), 0) as { reason: string }).reason,
      /fewer than the 20000 worth copying to a thread/,
    );
    const cached = sc
      .parallelize([1, 2])
      .map((x): [number, number] => [x, x])
      .cache()
      .reduceByKey((a, b) => a + b);
    assert.match((planMapTask(depOf(cached), 0) as { reason: string }).reason, /cached on the driver/);
    const partitions = sc
      .parallelize([1, 2])
      .mapPartitions((it) => it.map((x): [number, number] => [x, x]))
      .reduceByKey((a, b) => a + b);
    assert.match((planMapTask(depOf(partitions), 0) as { reason: string }).reason, /needs the whole partition/);
    const method = {
      f(a: number, b: number) {
        return a + b;
      },
    };
    const shorthand = sc.parallelize([[1, 1]] as [number, number][]).reduceByKey(method.f);
    assert.match((planMapTask(depOf(shorthand), 0) as { reason: string }).reason, /fewer than/, "a method ships");
    const bound = sc.parallelize([[1, 1]] as [number, number][]).reduceByKey(method.f.bind(null));
    assert.match((planMapTask(depOf(bound), 0) as { reason: string }).reason, /native or bound function/);
  } finally {
    void sc.stop();
  }
});

test("a user error in a worker is tried again on the driver, retried there, then reported with the RDD that threw and its partition", async () => {
  const sc = new SparkContext("local[2]", "worker-errors");
  try {
    const bad = sc.parallelize([...Array.from({ length: 50_000 }, (_, i) => String(i)), "x", "4"], 2).map((s) => {
      if (s === "x") throw new TypeError(`not a number: ${s}`);
      return s;
    });
    await assert.rejects(
      bad
        .map((s): [string, number] => [s, 1])
        .reduceByKey((a, b) => a + b)
        .collect(),
      (err: unknown) => {
        assert.ok(err instanceof TaskFailedError);
        assert.equal(err.rddId, bad.id);
        assert.equal(err.partition, 1);
        assert.equal(err.attempts, 4);
        assert.match(err.message, /TypeError: not a number: x/);
        return true;
      },
    );
  } finally {
    await sc.stop();
  }
});

test("--verbose (INFO) says why a stage stays on the driver", async () => {
  const sc = new SparkContext("local[2]", "verbose");
  const offset = 10;
  const messages = await stderrDuring(async () => {
    await sc
      .parallelize(
        Array.from({ length: 50_000 }, (_, i) => i),
        2,
      )
      .mapPartitions((xs) => xs.map((x): [number, number] => [x % 2, x + offset]))
      .reduceByKey((a, b) => a + b)
      .collect();
  }, "INFO");
  await sc.stop();
  assert.ok(
    messages.some((m) => /runs on the driver's thread: MapPartitionsRDD .* needs the whole partition/.test(m)),
    messages.join(""),
  );
});

test("task events count records the same in a worker thread as on the driver", async () => {
  const perTask = async (master: string) => {
    const sc = new SparkContext(master, "task-records");
    const tasks: { executor: string; recordsIn: number; recordsOut: number; kind: string }[] = [];
    const kinds = new Map<number, string>();
    sc.addSparkListener({
      onStageSubmitted: (s) => void kinds.set(s.stageId, s.kind),
      onTaskEnd: (t) =>
        void tasks.push({
          executor: t.executor,
          recordsIn: t.recordsIn,
          recordsOut: t.recordsOut,
          kind: kinds.get(t.stageId)!,
        }),
    });
    await sc
      .textFile(textPath, 2)
      .flatMap((l) => l.split(" "))
      .map((w): [string, number] => [w, 1])
      .reduceByKey((a, b) => a + b)
      .count();
    await sc.stop();
    return tasks;
  };
  const words = new Set(lines.flatMap((l) => l.split(" ")));
  for (const master of ["local[1]", "local[2]"]) {
    const tasks = await perTask(master);
    const map = tasks.filter((t) => t.kind === "ShuffleMapStage");
    const result = tasks.filter((t) => t.kind === "ResultStage");
    if (master === "local[2]")
      assert.ok(
        map.every((t) => t.executor === "worker"),
        "map tasks ran in workers",
      );
    assert.equal(
      map.reduce((n, t) => n + t.recordsIn, 0),
      lines.length,
      `${master}: the map tasks read every line once`,
    );
    const written = map.reduce((n, t) => n + t.recordsOut, 0);
    assert.ok(
      written >= words.size && written <= 2 * words.size,
      `${master}: at most one record per distinct word per task (${written})`,
    );
    assert.equal(
      result.reduce((n, t) => n + t.recordsIn, 0),
      written,
      `${master}: the reduce side read what was written`,
    );
    assert.equal(
      result.reduce((n, t) => n + t.recordsOut, 0),
      words.size,
      `${master}: one count per distinct word`,
    );
  }
});
