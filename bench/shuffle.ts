// Scenario 5: a shuffle-heavy job (groupByKey, then join) at 1M and 10M pairs: time and peak
// heap, to show how cost grows with input size. The result is checked against a plain loop.
// Run: npm run bench -- shuffle   (BENCH_SIZES=1000000,10000000)
import { SparkContext } from "../src/index.js";
import { writeResult } from "./harness.js";

const sizes = (process.env.BENCH_SIZES ?? "1000000,10000000").split(",").map(Number);
const rows: Record<string, unknown>[] = [];
for (const n of sizes) {
  const sc = new SparkContext("local[1]", "bench-shuffle");
  const keys = Math.max(1, Math.floor(n / 10));
  const pairs = sc.range(0, n, 1, 8).map((i): [number, number] => [(i * 7919) % keys, i % 100]);
  const names = sc.range(0, keys, 1, 4).map((k): [number, string] => [k, `name-${k}`]);
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 20);
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
  await sc.stop();
  if (total !== n) throw new Error(`expected ${n} values grouped, got ${total}`);
  rows.push({
    pairs: n,
    keys,
    ms: Math.round(ms),
    pairsPerSecond: Math.round(n / (ms / 1000)),
    peakHeapMB: Math.round(peak / 2 ** 20),
  });
  console.log(rows[rows.length - 1]);
}
const [small, large] = rows as { pairs: number; ms: number }[];
writeResult("shuffle", {
  rows,
  growth:
    large && small
      ? { inputRatio: large.pairs / small.pairs, timeRatio: +(large.ms / small.ms).toFixed(2) }
      : undefined,
});
