// Decides between the two worker-thread designs of ARCHITECTURE.md on scenario 1 (word count):
// (a) SPMD: workers import the job module and find its functions by id;
// (b) function shipping: workers compile the functions' source (Sluice's local[N]).
// Both run the same engine code per task; both are timed side by side, best of 5.
// Run: npm run bench -- multicore-designs
import { readFileSync, statSync, writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deserialize } from "node:v8";
import { Worker } from "node:worker_threads";
import { SparkContext } from "../src/index.js";
import type { MapTaskPlan } from "../src/scheduler/task-plan.js";
import { writeResult } from "./harness.js";
import { STOP_WORDS, stem } from "./spmd-job.js";

const dir = mkdtempSync(join(tmpdir(), "sluice-designs-"));
const path = join(dir, "words.txt");
{
  let x = 42;
  const rand = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const vocab = Array.from({ length: 5000 }, (_, i) => `w${i.toString(36)}`);
  const lines: string[] = [];
  for (let words = 0; words < 4_000_000;) {
    const line = Array.from({ length: 10 }, () => vocab[Math.floor(rand() ** 2 * 5000)]!);
    lines.push(line.join(" "));
    words += 10;
  }
  writeFileSync(path, lines.join("\n") + "\n");
}
const size = statSync(path).size;
const THREADS = 2;

function spmdPlan(split: number, closures = false): MapTaskPlan {
  const start = Math.floor((split * size) / THREADS);
  const end = Math.floor(((split + 1) * size) / THREADS);
  return {
    rddId: 0,
    source: { kind: "textSplit", path, start, end },
    code: [],
    ops: [
      { kind: "flatMap", fn: { d: "split" }, rddId: 1 },
      { kind: "filter", fn: { d: closures ? "keep" : "nonEmpty" }, rddId: 2 },
      { kind: "map", fn: { d: closures ? "stemPair" : "pair" }, rddId: 3 },
    ],
    numPartitions: THREADS,
    mapSideCombine: true,
    keepGoing: false,
    aggregator: { createCombiner: { d: "first" }, mergeValue: { d: "add" }, mergeCombiners: { d: "add" } },
    broadcasts: [],
  };
}

const here = import.meta.url;
const workers = Array.from({ length: THREADS }, () => new Worker(new URL("./spmd-bootstrap.mjs", here)));
async function spmd(closures = false): Promise<Map<string, number>> {
  const outputs = await Promise.all(
    workers.map(
      (w, i) =>
        new Promise<[string, number][][]>((resolve) => {
          w.once("message", (buf: ArrayBuffer) => resolve(deserialize(Buffer.from(buf)) as [string, number][][]));
          w.postMessage(spmdPlan(i, closures));
        }),
    ),
  );
  const counts = new Map<string, number>();
  for (const buckets of outputs)
    for (const bucket of buckets) for (const [w, n] of bucket) counts.set(w, (counts.get(w) ?? 0) + n);
  return counts;
}

const sc = new SparkContext(`local[${THREADS}]`, "designs");
/** The closure job, as users write it: the filter reads an imported Set, the map an imported helper. */
async function shippingClosures(): Promise<Map<string, number>> {
  return sc
    .textFile(path, THREADS)
    .flatMap((l) => l.split(" "))
    .filter((w) => w.length > 0 && !STOP_WORDS.has(w))
    .map((w): [string, number] => [stem(w), 1])
    .reduceByKey((a, b) => a + b)
    .collectAsMap();
}

async function shipping(): Promise<Map<string, number>> {
  return sc
    .textFile(path, THREADS)
    .flatMap((l) => l.split(" "))
    .filter((w) => w.length > 0)
    .map((w): [string, number] => [w, 1])
    .reduceByKey((a, b) => a + b)
    .collectAsMap();
}

const expected = new Map<string, number>();
for (const l of readFileSync(path, "utf8").split("\n"))
  for (const w of l.split(" ")) if (w) expected.set(w, (expected.get(w) ?? 0) + 1);
const expectedClosures = new Map<string, number>();
for (const l of readFileSync(path, "utf8").split("\n"))
  for (const w of l.split(" "))
    if (w && !STOP_WORDS.has(w)) expectedClosures.set(stem(w), (expectedClosures.get(stem(w)) ?? 0) + 1);
const same = (m: Map<string, number>, e: Map<string, number>) =>
  m.size === e.size && [...e].every(([w, n]) => m.get(w) === n);
const times: Record<string, number[]> = { spmd: [], shipping: [], spmdClosures: [], shippingClosures: [] };
for (let i = 0; i < 6; i++) {
  for (const [name, run] of [
    ["spmd", spmd],
    ["shipping", shipping],
    ["spmdClosures", () => spmd(true)],
    ["shippingClosures", shippingClosures],
  ] as const) {
    const t = performance.now();
    const counts = await run();
    const ms = performance.now() - t;
    if (!same(counts, name.endsWith("Closures") ? expectedClosures : expected))
      throw new Error(`${name} counted wrong`);
    if (i > 0) times[name]!.push(ms); // the first round warms the workers up
  }
}
await sc.stop();
await Promise.all(workers.map((w) => w.terminate()));
const best = (t: number[]) => Math.round(Math.min(...t));
writeResult("multicore-designs", {
  words: 4_000_000,
  threads: THREADS,
  bestMs: Object.fromEntries(Object.entries(times).map(([k, t]) => [k, best(t)])),
  wordsPerSecond: Object.fromEntries(Object.entries(times).map(([k, t]) => [k, Math.round(4e6 / (best(t) / 1000))])),
  note:
    "spmd: workers import the job module and find functions by id; shipping: Sluice's local[2], functions " +
    "compiled from source with their captured values (read through the inspector). *Closures: the job " +
    "whose filter reads an imported Set and whose map calls an imported helper",
});
