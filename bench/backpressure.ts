// Backpressure: the job can process about CAPACITY lines/s (a fixed amount of work per line);
// the sender offers three times that for 60 s. With spark.streaming.backpressure.enabled the
// receiver slows down (the socket is paused, TCP pushes back on the sender) and the heap stays
// flat; without it, received blocks pile up. Heap is sampled every second.
// Run: npm run bench -- backpressure   (BENCH_SECONDS sets the duration; default 60)
import { spawn } from "node:child_process";
import { once } from "node:events";
import { SparkConf, SparkContext, StreamingContext, type RDD } from "../src/index.js";
import { heapUsedMB, writeResult } from "./harness.js";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const CAPACITY = 20_000;
/** Iterations of busy work per line so that one core processes about CAPACITY lines/s (calibrated here). */
let sink = 0; // results are kept so the work cannot be optimised away

function busy(n: number, seed: number): number {
  let h = seed;
  for (let i = 0; i < n; i++) h = (h * 31 + i) | 0;
  return h;
}
const WORK_PER_LINE = (() => {
  // warm up first, as the job's loop will be: the first calls run before V8 optimises them
  for (let i = 0; i < 20_000; i++) sink ^= busy(5_000, i);
  const probe = 100_000_000;
  const start = performance.now();
  for (let i = 0; i < 100; i++) sink ^= busy(probe / 100, i);
  const perSecond = probe / ((performance.now() - start) / 1000);
  return Math.round(perSecond / CAPACITY);
})();

async function trial(backpressure: boolean, port: number) {
  const sender = spawn(
    process.execPath,
    ["bench/socket-sender.mjs", String(port), String(3 * CAPACITY), String(SECONDS)],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  await once(sender.stdout, "data");
  const conf = new SparkConf()
    .setMaster("local[1]")
    .setAppName("bench-backpressure")
    .set("spark.streaming.backpressure.enabled", backpressure);
  const sc = new SparkContext(conf);
  const ssc = new StreamingContext(sc, 1);
  let processed = 0;
  ssc.socketTextStream("127.0.0.1", port).foreachRDD(async (rdd: RDD<string>) => {
    // a fixed amount of CPU work per line caps how fast the job can go
    const work = WORK_PER_LINE;
    const hashes = await rdd.map((line) => busy(work, line.length)).collect();
    for (const h of hashes) sink ^= h;
    processed += hashes.length;
  });
  const heap: number[] = [];
  const sampler = setInterval(() => heap.push(Math.round(heapUsedMB())), 1000);
  ssc.start();
  await once(sender, "exit");
  clearInterval(sampler);
  const queued = ssc.scheduler.queuedBatches;
  await ssc.stop(true, false);
  const third = Math.max(1, Math.floor(heap.length / 3));
  const early = heap.slice(0, third).reduce((a, b) => a + b, 0) / third;
  const late = heap.slice(-third).reduce((a, b) => a + b, 0) / third;
  return {
    backpressure,
    offeredLinesPerSecond: 3 * CAPACITY,
    processedLines: processed,
    queuedBatchesAtEnd: queued,
    heapMB: {
      first: heap[0],
      peak: Math.max(...heap),
      last: heap[heap.length - 1],
      growthLastThirdVsFirstThird: +(late / early).toFixed(2),
    },
    heapSamples: heap,
  };
}

const port = 20000 + Math.floor(Math.random() * 1000);
const on = await trial(true, port);
console.log(JSON.stringify({ ...on, heapSamples: undefined }));
const off = await trial(false, port + 1);
console.log(JSON.stringify({ ...off, heapSamples: undefined }));
writeResult("backpressure", {
  seconds: SECONDS,
  capacityLinesPerSecond: CAPACITY,
  withBackpressure: on,
  without: off,
  checksum: sink,
});
