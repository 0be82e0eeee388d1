import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { tempDir } from "../helpers/context.js";

const dir = tempDir();

function sluice(...args: string[]) {
  return spawnSync(process.execPath, ["bin/sluice.js", ...args], {
    encoding: "utf8",
    env: { ...process.env, SLUICE_CONF: "" },
  });
}

test("sluice submit runs the batch word count example with its argument", () => {
  const text = "the cat and the hat\nThe end\n\nand the rest\n";
  const path = join(dir, "words.txt");
  writeFileSync(path, text);
  const counts = new Map<string, number>();
  for (const w of text.split(/\s+/).filter(Boolean))
    counts.set(w.toLowerCase(), (counts.get(w.toLowerCase()) ?? 0) + 1);
  const top = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 10);
  const r = sluice("submit", "--master", "local[2]", "examples/wordcount-batch.ts", path);
  assert.equal(r.status, 0, r.stderr);
  const expected = [
    `${counts.size} distinct words in ${path}; the 10 most frequent:`,
    ...top.map(([w, n]) => `${String(n).padStart(6)}  ${w}`),
  ];
  assert.deepEqual(r.stdout.trimEnd().split("\n"), expected);
});

test("sluice submit hands --master and --conf to the job's SparkConf, and arguments after the job to it", () => {
  const job = join(dir, "conf-job.mts");
  writeFileSync(
    job,
    `import { SparkContext } from "sluice";
const sc = new SparkContext();
console.log(JSON.stringify({ master: sc.master, par: sc.defaultParallelism, x: sc.conf.get("spark.x"), args: process.argv.slice(2) }));
await sc.stop();
`,
  );
  const r = sluice("submit", "--master", "local[3]", "--conf", "spark.x=1=2", job, "--not-ours", "a");
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { master: "local[3]", par: 3, x: "1=2", args: ["--not-ours", "a"] });
});

test("a .ts job in a folder of its own (no package.json) runs as an ES module: imports, a local helper, top-level await", () => {
  const folder = tempDir("sluice-user-folder-");
  writeFileSync(join(folder, "helpers.ts"), `export const tokens = (line: string) => line.split(" ");\n`);
  const job = join(folder, "job.ts");
  writeFileSync(
    job,
    `import { SparkContext } from "sluice";
import { tokens } from "./helpers.ts";
const sc = new SparkContext("local[1]", "own-folder");
const counts = await sc.parallelize(["a b", "b"]).flatMap(tokens).countByValue();
console.log(JSON.stringify([...counts].sort()));
await sc.stop();
`,
  );
  const r = sluice("submit", job);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(
    r.stdout.trim(),
    JSON.stringify([
      ["a", 1],
      ["b", 2],
    ]),
  );
});

test("sluice submit reports a missing job file, a bad --conf and a failing job with non-zero codes", () => {
  const missing = sluice("submit", join(dir, "nope.ts"));
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /nope\.ts does not exist/);
  const badConf = sluice("submit", "--conf", "novalue", "examples/wordcount-batch.ts");
  assert.equal(badConf.status, 2);
  assert.match(badConf.stderr, /--conf takes key=value, got "novalue"/);
  const failing = join(dir, "fail.ts");
  writeFileSync(failing, `throw new Error("job exploded");\n`);
  const f = sluice("submit", failing);
  assert.equal(f.status, 1);
  assert.match(f.stderr, /Error: job exploded/);
});

test("a job that does not await awaitTermination (as in Python) still fails with sluice's report: the message and the job's own line, no internal stack", () => {
  const job = join(dir, "unawaited-fail.mjs");
  writeFileSync(
    job,
    `import { SparkContext, StreamingContext } from "sluice";
const ssc = new StreamingContext(new SparkContext("local[1]", "unawaited"), 0.1);
const parse = (x) => { if (x === 3) throw new TypeError("cannot parse " + x); return x; };
ssc.queueStream([[1, 2], [3]]).map(parse).foreachRDD((rdd) => rdd.collect());
ssc.start();
ssc.awaitTermination();
`,
  );
  const r = spawnSync(process.execPath, ["bin/sluice.js", "submit", "--conf", "spark.task.maxFailures=1", job], {
    encoding: "utf8",
    env: { ...process.env, SLUICE_CONF: "", SLUICE_LOG_LEVEL: "OFF" },
  });
  assert.equal(r.status, 1, r.stderr);
  assert.match(
    r.stderr,
    /sluice submit: job .*unawaited-fail\.mjs failed: .*TypeError: cannot parse 3\n {4}at .*unawaited-fail\.mjs:3:\d+\n/,
  );
  assert.doesNotMatch(r.stderr, /node:internal|\/src\/|Unhandled/, "no raw stack");
});

test("Ctrl-C stops a job that does not await awaitTermination gracefully: the batches it received are processed", async () => {
  const job = join(dir, "unawaited-run.mjs");
  writeFileSync(
    job,
    `import { SparkContext, StreamingContext } from "sluice";
const ssc = new StreamingContext(new SparkContext("local[1]", "unawaited-run"), 0.2);
ssc.queueStream([["a"], ["b"], ["c"]]).foreachRDD(async (rdd) => console.log("batch", (await rdd.collect()).join()));
ssc.start();
ssc.awaitTermination();
`,
  );
  const child = spawn(process.execPath, ["bin/sluice.js", "submit", job], {
    env: { ...process.env, SLUICE_CONF: "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  let interrupted = false;
  child.stdout.on("data", (d: Buffer) => {
    out += d;
    // One Ctrl-C only: a second one means "exit now", as the job says.
    if (!interrupted && out.includes("batch a")) {
      interrupted = true;
      child.kill("SIGINT");
    }
  });
  child.stderr.on("data", (d: Buffer) => void (err += d));
  const [code] = (await once(child, "exit")) as [number | null];
  assert.match(err, /SIGINT: stopping gracefully/);
  assert.equal(code, 0, err);
});
