// The web UI under a flood: a streaming job's batch processing time with nobody watching, with
// 64 clients polling the REST API back to back, and with those plus 300 pages that never read
// their event stream. Rounds are interleaved; the figure is each flood's processing time as a
// ratio of the quiet one (the target: under 1.10). The event streams are capped at the default 32 pages.
// Run: npm run bench -- ui-flood   (BENCH_ROUNDS sets the rounds; default 3)
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { ManualClock, SparkConf, SparkContext, StreamingContext, webUi, type RDD } from "../src/index.js";
import { writeResult } from "./harness.js";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const BATCHES = 20;
const RECORDS = 50_000;

/** Mean processing time (ms) of BATCHES batches of a word count, with `load` (pollers, idle pages) on the UI. */
async function trial(pollers: number, idle: number): Promise<number> {
  const conf = new SparkConf()
    .setMaster("local[1]")
    .setAppName("bench-ui-flood")
    .set("spark.ui.enabled", "true")
    .set("spark.ui.port", "0");
  const sc = new SparkContext(conf);
  const clock = new ManualClock(0);
  const ssc = new StreamingContext(sc, 1, { clock, out: () => {} });
  const words = Array.from({ length: RECORDS }, (_, i) => `w${i % 997} w${i % 13}`);
  ssc
    .queueStream(Array.from({ length: BATCHES + 1 }, () => words))
    .flatMap((l) => l.split(" "))
    .map((w): [string, number] => [w, 1])
    .reduceByKey((a, b) => a + b)
    .foreachRDD(async (rdd: RDD<[string, number]>) => void (await rdd.count()));
  const times: number[] = [];
  ssc.start();
  const ui = (await webUi(sc))!;
  let load: ChildProcess | undefined;
  if (pollers + idle > 0) {
    load = spawn(process.execPath, ["bench/ui-load.mjs", new URL(ui.url).port, String(pollers), String(idle)], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    await once(load.stdout!, "data");
    await new Promise((r) => setTimeout(r, 500)); // the clients are connected and polling
  }
  for (let i = 0; i <= BATCHES; i++) {
    const start = performance.now(); // wall time: the batches follow a manual clock
    clock.advance(1000);
    await ssc.scheduler.whenIdle();
    times.push(performance.now() - start);
    await new Promise((r) => setTimeout(r, 20)); // the event loop serves the UI between batches
  }
  load?.kill();
  await ssc.stop();
  const measured = times.slice(1); // the first batch warms up
  return measured.reduce((a, b) => a + b, 0) / measured.length;
}

const quiet: number[] = [];
const polled: number[] = [];
const flooded: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  quiet.push(await trial(0, 0));
  polled.push(await trial(64, 0));
  flooded.push(await trial(64, 300));
}
const best = (xs: number[]) => Math.min(...xs);
writeResult("ui-flood", {
  batches: BATCHES,
  recordsPerBatch: RECORDS,
  rounds: ROUNDS,
  processingMs: {
    quiet: quiet.map((x) => +x.toFixed(1)),
    polled: polled.map((x) => +x.toFixed(1)),
    flooded: flooded.map((x) => +x.toFixed(1)),
  },
  ratioPolled: +(best(polled) / best(quiet)).toFixed(2),
  ratioFlooded: +(best(flooded) / best(quiet)).toFixed(2),
  note: "best of the rounds; 64 clients polling the REST API, and 300 pages that never read /events",
});
