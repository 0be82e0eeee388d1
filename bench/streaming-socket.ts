// Scenario 2: streaming word count from a local socket at increasing offered rates. A rate is
// sustainable when, after a warm-up, batches finish within the batch interval (p99) and the
// scheduling delay does not build up. End-to-end latency: a line's send time to the end of its
// batch's output. Batch intervals 1 s and 100 ms. The sender is a separate process.
// Run: npm run bench -- streaming-socket
import { spawn } from "node:child_process";
import { once } from "node:events";
import { SparkContext, StreamingContext, type BatchInfo, type RDD } from "../src/index.js";
import { percentile, writeResult } from "./harness.js";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);

async function trial(batchSeconds: number, rate: number, port: number) {
  const sender = spawn(process.execPath, ["bench/socket-sender.mjs", String(port), String(rate), String(SECONDS)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  await once(sender.stdout, "data");
  const sc = new SparkContext(process.env.BENCH_MASTER ?? "local[2]", "bench-socket");
  const ssc = new StreamingContext(sc, batchSeconds);
  const latencies: number[] = [];
  const batches: BatchInfo[] = [];
  let records = 0;
  const lines = ssc.socketTextStream("127.0.0.1", port);
  lines
    .flatMap((l) => l.split(" "))
    .map((w): [string, number] => [w, 1])
    .reduceByKey((a, b) => a + b)
    .foreachRDD(async (rdd: RDD<[string, number]>) => {
      const counts = await rdd.collect();
      const done = Date.now();
      for (const [w] of counts) if (w.startsWith("ts:")) latencies.push(done - Number.parseInt(w.slice(3)));
    });
  ssc.addStreamingListener({
    onBatchCompleted: (b) => {
      batches.push(b);
      records += b.numRecords;
    },
  });
  ssc.start();
  await once(sender, "exit");
  await ssc.stop(true, true);
  const steady = batches.slice(Math.floor(batches.length / 3)).filter((b) => b.processingDelay !== undefined);
  const proc = steady.map((b) => b.processingDelay!);
  const sched = steady.map((b) => b.schedulingDelay ?? 0);
  const intervalMs = batchSeconds * 1000;
  const sustainable = steady.length > 0 && percentile(proc, 99) < intervalMs && sched[sched.length - 1]! < intervalMs;
  return {
    offeredLinesPerSecond: rate,
    receivedRecords: records,
    batches: batches.length,
    processingMs: { p50: percentile(proc, 50), p99: percentile(proc, 99) },
    lastSchedulingDelayMs: sched[sched.length - 1] ?? null,
    latencyMs: latencies.length ? { p50: percentile(latencies, 50), p99: percentile(latencies, 99) } : null,
    sustainable,
  };
}

const results: Record<string, unknown[]> = {};
let port = 19000 + Math.floor(Math.random() * 1000);
for (const batchSeconds of [1, 0.1]) {
  const rows: Awaited<ReturnType<typeof trial>>[] = [];
  for (const rate of (process.env.BENCH_RATES ?? "50000,200000,400000,800000,1600000").split(",").map(Number)) {
    const row = await trial(batchSeconds, rate, port++);
    rows.push(row);
    console.log(`batch ${batchSeconds}s, ${rate} lines/s: ${JSON.stringify(row)}`);
    if (!row.sustainable) break;
  }
  results[`${batchSeconds}s`] = rows;
}
const best = (rows: { sustainable: boolean; offeredLinesPerSecond: number }[]) =>
  Math.max(0, ...rows.filter((r) => r.sustainable).map((r) => r.offeredLinesPerSecond));
writeResult("streaming-socket", {
  secondsPerTrial: SECONDS,
  wordsPerLine: 3,
  trials: results,
  sustainableLinesPerSecond: Object.fromEntries(
    Object.entries(results).map(([k, rows]) => [
      k,
      best(rows as { sustainable: boolean; offeredLinesPerSecond: number }[]),
    ]),
  ),
});
