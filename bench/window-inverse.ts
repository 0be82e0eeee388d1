// Scenario 3: reduceByKeyAndWindow over a 60-batch window, with and without the inverse
// function: time per slide once the window is full. Both results are checked equal first.
// Run: npm run bench -- window-inverse
import { ManualClock, SparkContext, StreamingContext, type RDD } from "../src/index.js";
import { percentile, writeResult } from "./harness.js";

const BATCHES = 90;
const WINDOW = 60;
const PER_BATCH = Number(process.env.BENCH_RECORDS ?? 20_000);
const KEYS = 2_000;

async function run(inverse: boolean): Promise<{ msPerSlide: number[]; last: [string, number][] }> {
  const sc = new SparkContext("local[1]", "bench-window");
  const clock = new ManualClock();
  const ssc = new StreamingContext(sc, 1, { clock, out: () => {} });
  ssc.checkpoint(`/tmp/sluice-bench-window-${inverse}`);
  let x = 7;
  const rand = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) % KEYS;
  const batches = Array.from({ length: BATCHES }, () =>
    sc.parallelize(
      Array.from({ length: PER_BATCH }, (): [string, number] => [`k${rand()}`, 1]),
      4,
    ),
  );
  const pairs = ssc.queueStream(batches);
  const counts = pairs.reduceByKeyAndWindow(
    (a, b) => a + b,
    inverse ? (a, b) => a - b : null,
    WINDOW,
    1,
    4,
    inverse ? ([, n]) => n > 0 : undefined,
  );
  let last: [string, number][] = [];
  counts.foreachRDD(async (rdd: RDD<[string, number]>) => {
    last = await rdd.collect();
  });
  ssc.start();
  const times: number[] = [];
  for (let i = 0; i < BATCHES; i++) {
    const start = performance.now();
    clock.advance(1000);
    await ssc.scheduler.whenIdle();
    if (i >= WINDOW) times.push(performance.now() - start);
  }
  await ssc.stop();
  return { msPerSlide: times, last: last.sort() };
}

const withInverse = await run(true);
const without = await run(false);
if (JSON.stringify(withInverse.last) !== JSON.stringify(without.last))
  throw new Error("the two forms disagree on the last window");
const summary = (t: number[]) => ({ p50: +percentile(t, 50).toFixed(1), p99: +percentile(t, 99).toFixed(1) });
writeResult("window-inverse", {
  batchRecords: PER_BATCH,
  windowBatches: WINDOW,
  keys: KEYS,
  msPerSlide: { withInverse: summary(withInverse.msPerSlide), recomputed: summary(without.msPerSlide) },
  speedup: +(percentile(without.msPerSlide, 50) / percentile(withInverse.msPerSlide, 50)).toFixed(2),
});
