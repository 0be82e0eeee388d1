// Scenario: 1M distinct keys through updateStateByKey over 20 batches; time per batch and heap.
// Run with: npm run bench -- update-state
import { ManualClock, SparkContext, StreamingContext } from "../src/index.js";
import { heapUsedMB, percentile, writeResult } from "./harness.js";

const KEYS = Number(process.env.BENCH_KEYS ?? 1_000_000);
const BATCHES = 20;
const perBatchNew = KEYS / BATCHES;

const sc = new SparkContext("local[1]", "bench-update-state");
const clock = new ManualClock();
const ssc = new StreamingContext(sc, 1, { clock, out: () => {} });
ssc.checkpoint("/tmp/sluice-bench-checkpoint");

// batch i: perBatchNew new keys, and as many updates of keys seen before
const batches = Array.from({ length: BATCHES }, (_, i) => {
  const records: [string, number][] = [];
  for (let k = i * perBatchNew; k < (i + 1) * perBatchNew; k++) records.push([`key-${k}`, 1]);
  for (let j = 0; j < perBatchNew && i > 0; j++) records.push([`key-${(j * 7919) % (i * perBatchNew)}`, 1]);
  return sc.parallelize(records, 4);
});
const state = ssc.queueStream(batches).updateStateByKey((values: number[], old: number | undefined) => {
  let s = old ?? 0;
  for (const v of values) s += v;
  return s;
}, 4);
let liveKeys = 0;
state.foreachRDD(async (rdd) => {
  liveKeys = await rdd.count();
});

const heapBefore = heapUsedMB();
ssc.start();
const times: number[] = [];
const heaps: number[] = [];
for (let b = 0; b < BATCHES; b++) {
  const start = performance.now();
  clock.advance(1000);
  await ssc.scheduler.whenIdle();
  times.push(performance.now() - start);
  heaps.push(heapUsedMB());
}
await ssc.stop();

writeResult("update-state", {
  keys: KEYS,
  batches: BATCHES,
  liveKeysAtEnd: liveKeys,
  msPerBatch: { p50: percentile(times, 50), p99: percentile(times, 99), last: times[BATCHES - 1] },
  heapMB: { before: heapBefore, afterEachBatch: heaps.map((h) => Math.round(h)), peak: Math.max(...heaps) },
  bytesPerLiveKey: Math.round(((heaps[BATCHES - 1]! - heapBefore) * 2 ** 20) / liveKeys),
});
if (liveKeys !== KEYS) throw new Error(`expected ${KEYS} live keys, got ${liveKeys}`);
