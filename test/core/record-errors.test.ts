import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { stderrDuring } from "../helpers/log.js";
import { ManualClock, SparkConf, SparkContext, StreamingContext, TaskFailedError, type RDD } from "../../src/index.js";
import { sorted, tempDir } from "../helpers/context.js";
import { runFor } from "../helpers/source-jobs.js";

/** Numbers as text with poison records `"x"` at `poisonAt`; the parse throws on them. */
function input(n: number, poisonAt: number[]): string[] {
  const out = Array.from({ length: n }, (_, i) => String(i % 10));
  for (const at of poisonAt) out.splice(at, 0, "x");
  return out;
}

/** Counts of each digit in `input(n, …)`, worked out with a plain loop (the poison dropped). */
function reference(n: number): [string, number][] {
  const m = new Map<string, number>();
  for (let i = 0; i < n; i++) m.set(String(i % 10), (m.get(String(i % 10)) ?? 0) + 1);
  return sorted(m);
}

function parse(s: string): [string, number] {
  if (!/^\d+$/.test(s)) throw new TypeError(`not a number: ${s}`);
  return [s, 1];
}

const context = (master: string, conf: Record<string, string>) => {
  const c = new SparkConf().setMaster(master).setAppName("record-errors");
  for (const [k, v] of Object.entries(conf)) c.set(k, v);
  return new SparkContext(c);
};

test("by default a record whose function throws fails the job after the retries, each logged at WARN with the error", async () => {
  const sc = context("local[1]", { "spark.sluice.task.retryWaitSeconds": "0.001" });
  const warnings = await stderrDuring(() =>
    assert.rejects(
      sc
        .parallelize(input(100, [50]), 2)
        .map(parse)
        .reduceByKey((a, b) => a + b)
        .collect(),
      (e: unknown) => e instanceof TaskFailedError && /TypeError: not a number: x/.test(e.message),
    ),
  );
  await sc.stop();
  const retries = warnings.filter((w) =>
    /WARN task for partition 1 .* failed \(attempt \d of 4\): .*not a number: x; trying again in \d+ ms/.test(w),
  );
  assert.equal(retries.length, 3, warnings.join(""));
});

for (const master of ["local[1]", "local[2]"]) {
  test(`${master}: with spark.sluice.onRecordError=deadLetter the poison records go to the dead-letter file and the job goes on`, async () => {
    const dir = tempDir("sluice-record-errors-");
    const deadLetters = join(dir, "dead.jsonl");
    const sc = context(master, {
      "spark.sluice.onRecordError": "deadLetter",
      "spark.sluice.deadLetter.path": deadLetters,
    });
    const executors: string[] = [];
    sc.addSparkListener({ onTaskEnd: (t) => void executors.push(t.executor) });
    try {
      // 60,000 records in 2 partitions: under local[2] the map stage runs in worker threads
      const counts = await sc
        .parallelize(input(60_000, [7, 40_000]), 2)
        .map(parse)
        .reduceByKey((a, b) => a + b)
        .collect();
      assert.deepEqual(sorted(counts), reference(60_000));
      const letters = readFileSync(deadLetters, "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
      assert.equal(letters.length, 2);
      for (const l of letters) {
        assert.equal(l.payload, "x");
        assert.match(l.source, /^map \[RDD \d+\]$/);
        assert.match(l.error, /not a number: x/);
      }
      assert.equal(sc.recordErrors.total, 2);
      assert.equal(executors.filter((e) => e === "worker").length, master === "local[2]" ? 2 : 0);
    } finally {
      await sc.stop();
    }
  });
}

test("a checkpointed stream with a poison record and onRecordError=skip keeps running: its state equals the reference", async () => {
  const sc = context("local[1]", { "spark.sluice.onRecordError": "skip" });
  const clock = new ManualClock(0);
  const ssc = new StreamingContext(sc, 1, { clock, out: () => {} });
  ssc.checkpoint(tempDir("sluice-poison-ck-"));
  let last: [string, number][] = [];
  ssc
    .queueStream([input(10, [3]), input(10, []), ["x"]])
    .map(parse)
    .updateStateByKey((vs: number[], s: number | undefined) => vs.reduce((a, b) => a + b, s ?? 0))
    .foreachRDD(async (rdd: RDD<[string, number]>) => void (last = sorted(await rdd.collect())));
  ssc.start();
  await runFor(ssc, clock, 3);
  await ssc.stop();
  assert.deepEqual(
    last,
    reference(10).map(([k, n]): [string, number] => [k, 2 * n]),
  );
  assert.equal(sc.recordErrors.total, 2);
});
