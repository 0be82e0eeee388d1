// Scenario 5: a shuffle-heavy job (groupByKey, then join) at 1M and 10M pairs in a 512 MB heap:
// time and peak heap, to show that cost grows with the input and memory with the budget (shuffles
// spill past it). The result is checked against the count worked out by hand. Each size runs in
// its own process (--max-old-space-size=512), sizes interleaved over rounds; the best round counts.
// Run: npm run bench -- shuffle   (BENCH_SIZES=1000000,10000000 BENCH_ROUNDS=2 BENCH_HEAP_MB=512)
import { spawnSync } from "node:child_process";
import { SparkContext } from "../src/index.js";
import { writeResult } from "./harness.js";

const child = process.env.SLUICE_SHUFFLE_CHILD;
if (child) {
  const [n, master] = [Number(child), process.env.SLUICE_SHUFFLE_MASTER ?? "local[1]"];
  const sc = new SparkContext(master, "bench-shuffle");
  const keys = Math.max(1, Math.floor(n / 10));
  const pairs = sc.range(0, n, 1, 8).map((i): [number, number] => [(i * 7919) % keys, i % 100]);
  const names = sc.range(0, keys, 1, 4).map((k): [number, string] => [k, `name-${k}`]);
  // the heap, and the heap with array buffers (encoded shuffle outputs live in buffers)
  let peak = 0;
  let peakWithBuffers = 0;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peak = Math.max(peak, m.heapUsed);
    peakWithBuffers = Math.max(peakWithBuffers, m.heapUsed + m.arrayBuffers);
  }, 10);
  let spills = 0;
  const start = performance.now();
  const joined = pairs
    .groupByKey(8)
    .mapValues((vs) => vs.length)
    .join(names, 8);
  const total = await joined.aggregate(
    0,
    (acc, [, [count]]) => acc + count,
    (a, b) => a + b,
  );
  const ms = performance.now() - start;
  clearInterval(sampler);
  const folder = sc.shuffleManager.spillDir.folder;
  if (folder) spills = (await import("node:fs")).readdirSync(folder).length;
  await sc.stop();
  // every pair is grouped under its key once, and every key has a name: the counts sum to n
  if (total !== n) throw new Error(`expected ${n} values grouped, got ${total}`);
  console.log(
    JSON.stringify({
      ms,
      peakHeapMB: peak / 2 ** 20,
      peakWithBuffersMB: peakWithBuffers / 2 ** 20,
      budgetMB: sc.memory.bytes / 2 ** 20,
      spillFiles: spills,
    }),
  );
  process.exit(0);
}

const sizes = (process.env.BENCH_SIZES ?? "1000000,10000000").split(",").map(Number);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const HEAP = Number(process.env.BENCH_HEAP_MB ?? 512);
const MASTERS = (process.env.BENCH_MASTERS ?? "local[1],local[2]").split(",");
const runs = new Map<
  string,
  { ms: number; peakHeapMB: number; peakWithBuffersMB: number; budgetMB: number; spillFiles: number }[]
>();
for (let round = 0; round < ROUNDS; round++)
  for (const master of MASTERS)
    for (const n of sizes) {
      const r = spawnSync(process.execPath, [`--max-old-space-size=${HEAP}`, "--import", "tsx", "bench/shuffle.ts"], {
        env: { ...process.env, SLUICE_SHUFFLE_CHILD: String(n), SLUICE_SHUFFLE_MASTER: master },
        encoding: "utf8",
      });
      if (r.status !== 0) throw new Error(`${n} pairs on ${master} failed (${r.status}):\n${r.stderr}`);
      const line = r.stdout.trim().split("\n").pop()!;
      const key = `${master} ${n}`;
      (runs.get(key) ?? runs.set(key, []).get(key)!).push(JSON.parse(line));
      console.log(key, line);
    }
const rows = [...runs].map(([key, rs]) => {
  const [master, n] = key.split(" ");
  const best = rs.reduce((a, b) => (b.ms < a.ms ? b : a));
  return {
    master,
    pairs: Number(n),
    keys: Math.floor(Number(n) / 10),
    ms: Math.round(best.ms),
    pairsPerSecond: Math.round(Number(n) / (best.ms / 1000)),
    peakHeapMB: Math.round(Math.max(...rs.map((x) => x.peakHeapMB))),
    peakWithBuffersMB: Math.round(Math.max(...rs.map((x) => x.peakWithBuffersMB))),
    budgetMB: Math.round(best.budgetMB),
    spillFiles: best.spillFiles,
  };
});
console.table(rows);
const growth = Object.fromEntries(
  MASTERS.map((m) => {
    const [small, large] = rows.filter((r) => r.master === m);
    return [
      m,
      small && large
        ? { inputRatio: large.pairs / small.pairs, timeRatio: +(large.ms / small.ms).toFixed(2) }
        : undefined,
    ];
  }),
);
writeResult("shuffle", { heapLimitMB: HEAP, rounds: ROUNDS, rows, growth });
