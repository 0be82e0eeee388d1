// Backlog: an I/O-bound job (its sink takes 1 ms per 50 lines, so it keeps about CAPACITY
// lines/s) offered three times that for OVERLOAD seconds, then nothing. With backpressure on,
// the scheduling delay (batch start − batch time, as Spark measures it) reaches the rate
// estimator, which slows the receiver: the queue stays short and drains once the overload ends.
// Reported: the longest queue, the largest scheduling delay, and how long after the overload the
// queue took to empty. Run: npm run bench -- backlog   (BENCH_SECONDS: the overload; default 20)
import { spawn } from "node:child_process";
import { once } from "node:events";
import { SparkConf, SparkContext, StreamingContext, type RDD } from "../src/index.js";
import { writeResult } from "./harness.js";

const OVERLOAD = Number(process.env.BENCH_SECONDS ?? 20);
const CAPACITY = 50_000;

async function trial(backpressure: boolean, port: number) {
  const sender = spawn(
    process.execPath,
    ["bench/socket-sender.mjs", String(port), String(3 * CAPACITY), String(OVERLOAD)],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  await once(sender.stdout, "data");
  const conf = new SparkConf()
    .setMaster("local[1]")
    .setAppName("bench-backlog")
    .set("spark.streaming.backpressure.enabled", backpressure)
    .set("spark.ui.enabled", "false");
  const ssc = new StreamingContext(new SparkContext(conf), 1);
  ssc.socketTextStream("127.0.0.1", port).foreachRDD(async (rdd: RDD<string>) => {
    const n = await rdd.count();
    await new Promise((r) => setTimeout(r, n / 50)); // a slow sink: 1 ms per 50 lines
  });
  let maxQueue = 0;
  let maxDelay = 0;
  ssc.addStreamingListener({ onBatchStarted: (b) => void (maxDelay = Math.max(maxDelay, b.schedulingDelay ?? 0)) });
  const sampler = setInterval(() => (maxQueue = Math.max(maxQueue, ssc.scheduler.queuedBatches)), 200);
  ssc.start();
  await once(sender, "exit");
  const overloadEnd = performance.now();
  let drainedAfter: number | undefined;
  while (performance.now() - overloadEnd < 120_000) {
    if (ssc.scheduler.queuedBatches === 0) {
      drainedAfter = (performance.now() - overloadEnd) / 1000;
      break;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  clearInterval(sampler);
  await ssc.stop(true, false);
  return {
    backpressure,
    maxQueuedBatches: maxQueue,
    maxSchedulingDelayMs: maxDelay,
    drainedSecondsAfterOverload: drainedAfter,
  };
}

const port = 21000 + Math.floor(Math.random() * 1000);
const on = await trial(true, port);
console.log(JSON.stringify(on));
const off = await trial(false, port + 1);
console.log(JSON.stringify(off));
writeResult("backlog", {
  overloadSeconds: OVERLOAD,
  capacityLinesPerSecond: CAPACITY,
  withBackpressure: on,
  without: off,
});
