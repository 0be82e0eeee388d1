import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { DEFAULT_COMPILER_OPTIONS } from "./check.js";

// `sluice init [dir]`: a runnable streaming job, its test and a tsconfig.json, so a new user
// starts from something that works and is tested.

const JOB = `// A streaming word count. Run it beside a line server:
//   npx sluice nc -lk 10001           (then type lines), or: nc -lk 10001
//   npx sluice submit job.ts          (Ctrl-C stops it gracefully)
import { pathToFileURL } from "node:url";
import { SparkContext, StreamingContext, type DStream } from "sluice";

/** The job's logic, apart from its source and output, so that a test can feed it. */
export function wordCounts(lines: DStream<string>) {
  return lines
    .flatMap((line) => line.split(" "))
    .filter((word) => word.length > 0)
    .map((word) => [word, 1])
    .reduceByKey((a, b) => a + b);
}

// run as the job (sluice submit job.ts), not when a test imports it
if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const [host = "localhost", port = "10001"] = process.argv.slice(2);
  const sc = new SparkContext(undefined, "wordcount");
  sc.setLogLevel("ERROR");
  const ssc = new StreamingContext(sc, 3);
  wordCounts(ssc.socketTextStream(host, Number(port))).pprint();
  ssc.start();
  await ssc.awaitTermination();
}
`;

const TEST = `// Run with: npx sluice test
import assert from "node:assert/strict";
import { test } from "node:test";
import { ManualClock, SparkConf, SparkContext, StreamingContext } from "sluice";
import { wordCounts } from "./job.ts";

test("counts the words of each batch", async () => {
  const conf = new SparkConf().setMaster("local[2]").setAppName("job-test").set("spark.ui.enabled", "false");
  const clock = new ManualClock(0);
  const ssc = new StreamingContext(new SparkContext(conf), 3, { clock });
  const batches: [string, number][][] = [];
  wordCounts(ssc.queueStream([["a b a", ""], ["b"]])).foreachRDD(async (rdd) => {
    batches.push((await rdd.collect()).sort());
  });
  ssc.start();
  for (let i = 0; i < 2; i++) {
    clock.advance(3000);
    await ssc.scheduler.whenIdle();
  }
  await ssc.stop();
  assert.deepEqual(batches, [
    [["a", 2], ["b", 1]],
    [["b", 1]],
  ]);
});
`;

/** Writes the starter files into `dir` (created if needed); never overwrites. Returns what it wrote. */
export function init(dir = ".", say: (s: string) => void = (s) => process.stdout.write(s)): number {
  const root = resolve(dir);
  mkdirSync(root, { recursive: true });
  const files: [string, string][] = [
    ["job.ts", JOB],
    ["job.test.ts", TEST],
    ["tsconfig.json", JSON.stringify({ compilerOptions: DEFAULT_COMPILER_OPTIONS, include: ["*.ts"] }, null, 2) + "\n"],
  ];
  const existing = files.filter(([name]) => existsSync(join(root, name))).map(([name]) => name);
  if (existing.length > 0) {
    say(`sluice init: ${existing.join(", ")} already in ${root}; nothing written\n`);
    return 1;
  }
  for (const [name, text] of files) writeFileSync(join(root, name), text);
  say(
    `sluice init: wrote job.ts, job.test.ts and tsconfig.json in ${root}\n` +
      `  npx sluice nc -lk 10001      a line server: type words in it\n` +
      `  npx sluice submit job.ts     the job: counts every 3 s\n` +
      `  npx sluice test              runs job.test.ts\n` +
      `  npx sluice check job.ts      type-checks (needs: npm install -D typescript @types/node)\n`,
  );
  return 0;
}
