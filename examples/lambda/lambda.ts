// The lambda architecture on Sluice: a batch layer recomputes totals over every stored event
// (Parquet files), a speed layer keeps totals of the events that arrived since, and a serving
// query merges the two. At the end the batch layer runs again over everything, and the merged
// answer must equal that full recomputation.
// Run: npx sluice submit examples/lambda/lambda.ts [workDir]
import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { SparkSession, StreamingContext, type RDD } from "sluice";

const work = resolve(process.argv[2] ?? "lambda-data");
const master = join(work, "master"); // the immutable master dataset (Parquet parts)
const incoming = join(work, "incoming"); // where new events land
rmSync(work, { recursive: true, force: true });
mkdirSync(incoming, { recursive: true });

const spark = SparkSession.builder.appName("lambda").getOrCreate();
spark.sparkContext.setLogLevel("ERROR");
const users = ["ana", "bo", "cy", "di"];
const event = (i: number) => ({ id: i, user: users[(i * 7) % 4]!, amount: (i * 13) % 50 });

// history: 1,000 events already in the master dataset
await spark.createDataFrame(Array.from({ length: 1000 }, (_, i) => event(i))).write.parquet(master);

/** Batch layer: totals over all of the master dataset, recomputed from scratch. */
async function batchLayer(): Promise<Map<string, number>> {
  const rows = await spark.read.parquet(master).groupBy("user").agg("sum(amount) AS total").collect();
  return new Map(rows.map((r) => [r.user as string, Number(r.total)]));
}
const batchView = await batchLayer();

// Speed layer: a stream over new event files keeps totals since the batch view was computed,
// and appends each batch's events to the master dataset for the next batch run.
const ssc = new StreamingContext(spark.sparkContext, 1);
ssc.checkpoint(join(work, "checkpoint"));
const events = ssc.textFileStream(incoming).map((line) => JSON.parse(line) as { id: number; user: string; amount: number });
events.foreachRDD(async (rdd: RDD<{ id: number; user: string; amount: number }>) => {
  if (!(await rdd.isEmpty())) await spark.createDataFrame(rdd).write.mode("append").parquet(master);
});
let speedView = new Map<string, number>();
events.map((e) => [e.user, e.amount]).updateStateByKey((amounts, total) => amounts.reduce((a, b) => a + b, total ?? 0))
  .foreachRDD(async (rdd) => {
    speedView = new Map(await rdd.collect());
  });

/** Serving layer: batch view + speed view. */
function serve(): Map<string, number> {
  const merged = new Map(batchView);
  for (const [u, t] of speedView) merged.set(u, (merged.get(u) ?? 0) + t);
  return merged;
}
const show = (m: Map<string, number>) => [...m].sort().map(([u, t]) => `${u}=${t}`).join(" ");

ssc.start();
let next = 1000;
for (let round = 0; round < 3; round++) {
  // 100 new events arrive (written elsewhere, then moved in atomically)
  const lines = Array.from({ length: 100 }, () => JSON.stringify(event(next++))).join("\n") + "\n";
  const tmp = join(work, `new-${round}.json`);
  writeFileSync(tmp, lines);
  renameSync(tmp, join(incoming, `events-${round}.json`));
  await new Promise((r) => setTimeout(r, 1500)); // a demo: let the next batch take the file
  console.log(`after ${next} events  served: ${show(serve())}`);
}
await ssc.stop(false, true);

const recomputed = await batchLayer();
console.log(`full recomputation:  ${show(recomputed)}`);
const same = show(recomputed) === show(serve());
console.log(same ? "the merged answer equals the full recomputation" : "MISMATCH between the merged answer and the recomputation");
await spark.stop();
process.exitCode = same ? 0 : 1;
