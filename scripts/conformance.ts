// Spark Streaming as the oracle: the same batches of words through the same DStream operations
// in Spark 4 (bench/peers, fetched and built by Maven) and in Sluice, each batch one queued RDD
// on both sides, per-batch outputs compared as multisets (rows and grouped values sorted).
// Usage: npm run conformance   (prints a line per operation; exit 1 on any difference)
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ManualClock,
  SparkConf,
  SparkContext,
  State,
  StateSpec,
  StreamingContext,
  type DStream,
} from "../src/index.js";
import { javaCommand } from "../bench/peers/jvm.js";

const work = mkdtempSync(join(tmpdir(), "sluice-conformance-"));

/** The recorded input: a line per batch (an empty line is an empty batch), and batches after it with none. */
const BATCHES = ["a b a c", "b b", "", "c a dd", "ee a", "a a a b", "dd"];
const EXTRA = 3;

type Outputs = Map<string, string[]>; // op → a JSON array of sorted rows per batch

function runSpark(input: string): Outputs {
  const [java, args] = javaCommand("spark", "SparkConformance", [input, join(work, "spark-ck"), String(EXTRA)], "1g");
  const r = spawnSync(java, args, { encoding: "utf8", maxBuffer: 64 << 20, timeout: 300_000 });
  if (r.status !== 0) throw new Error(`the Spark job failed (exit ${r.status}):\n${r.stderr.slice(-4000)}`);
  const out: Outputs = new Map();
  for (const line of r.stdout.split("\n").filter(Boolean)) {
    const [op, , rows] = line.split("\t");
    out.set(op!, [...(out.get(op!) ?? []), rows!]);
  }
  return out;
}

/** A value as the Java side writes it: tuples in place, grouped values sorted. */
function canon(x: unknown, grouped: boolean): string {
  if (Array.isArray(x)) {
    const parts = x.map((v) => canon(v, false));
    if (grouped) parts.sort();
    return `[${parts.join(",")}]`;
  }
  return x === null || x === undefined ? "null" : JSON.stringify(x);
}

async function runSluice(): Promise<Outputs> {
  const clock = new ManualClock(0);
  const conf = new SparkConf().setMaster("local[2]").setAppName("conformance").set("spark.ui.enabled", "false");
  const ssc = new StreamingContext(new SparkContext(conf), 1, { clock, out: () => {} });
  ssc.checkpoint(join(work, "sluice-ck"));
  const words = BATCHES.map((b) => b.split(" ").filter(Boolean));
  const queue = () => ssc.queueStream(words.map((b) => ssc.sparkContext.parallelize(b, 2)));
  const out: Outputs = new Map();
  /** Records `stream`'s batches; `shape` turns a record into the Java side's JSON. */
  const record = <T>(op: string, stream: DStream<T>, shape: (r: T) => string = (r) => canon(r, false)) => {
    const rows: string[] = [];
    out.set(op, rows);
    stream.foreachRDD(async (rdd) => void rows.push(`[${(await rdd.collect()).map(shape).sort().join(",")}]`));
  };
  const pairs = () => queue().map((w) => [w, 1]);
  const groupedValues = ([k, vs]: [string, number[]]) => `[${canon(k, false)},${canon(vs, true)}]`;
  record(
    "map",
    queue().map((w) => `${w}!`),
  );
  record(
    "flatMap",
    queue().flatMap((w) => [w, w.toUpperCase()]),
  );
  record(
    "filter",
    queue().filter((w) => w.length > 1),
  );
  record("count", queue().count());
  record("countByValue", queue().countByValue());
  record(
    "reduceByKey",
    pairs().reduceByKey((a, b) => a + b),
  );
  record("groupByKey", pairs().groupByKey(), groupedValues);
  record("window", queue().window(3, 1));
  record("countByWindow", queue().countByWindow(3, 1));
  record(
    "reduceByKeyAndWindow",
    pairs().reduceByKeyAndWindow((a, b) => a + b, null, 3, 1),
  );
  record(
    "reduceByKeyAndWindowInv",
    pairs().reduceByKeyAndWindow(
      (a, b) => a + b,
      (a, b) => a - b,
      3,
      1,
    ),
  );
  record("countByValueAndWindow", queue().countByValueAndWindow(3, 1));
  record("groupByKeyAndWindow", pairs().groupByKeyAndWindow(2, 1), groupedValues);
  record(
    "updateStateByKey",
    pairs().updateStateByKey((vs, s) => vs.reduce((a, b) => a + b, s ?? 0)),
  );
  const lens = queue().map((w) => [w, w.length]);
  record("join", lens.join(pairs().reduceByKey((a, b) => a + b)));
  const long = () => queue().filter((w) => w.length > 2);
  record(
    "leftOuterJoin",
    queue()
      .map((w) => [w, w.length])
      .leftOuterJoin(long().map((w) => [w, 1])),
  );
  record(
    "cogroup",
    pairs().cogroup(long().map((w) => [w, 2])),
    ([k, [a, b]]) => `[${canon(k, false)},[${canon(a, true)},${canon(b, true)}]]`,
  );
  record("union", queue().union(queue().map((w) => w.toUpperCase())));
  record(
    "transform",
    queue().transform((rdd) => rdd.distinct()),
  );
  record(
    "transformWith",
    queue().transformWith(
      (a, b) => a.union(b),
      queue().map((w) => w.toUpperCase()),
    ),
  );
  record(
    "mapWithState",
    pairs().mapWithState(
      StateSpec.function((k: string, v: number | undefined, s: State<number>) => {
        const t = (s.exists() ? s.get() : 0) + (v ?? 0);
        s.update(t);
        return [k, t];
      }),
    ),
  );
  const timingOut = () =>
    pairs().mapWithState(
      StateSpec.function((k: string, v: number | undefined, s: State<number>) => {
        if (s.isTimingOut()) return [k, `timeout ${s.get()}`];
        const t = (s.exists() ? s.get() : 0) + (v ?? 0);
        s.update(t);
        return [k, String(t)];
      }).timeout(2),
    );
  record("mapWithStateTimeout", timingOut());
  record("mapWithStateTimeoutDefault", timingOut());
  const lengths = () => queue().map((w) => w.length);
  record(
    "reduce",
    lengths().reduce((a, b) => a + b),
  );
  record(
    "reduceByWindow",
    lengths().reduceByWindow((a, b) => a + b, null, 3, 1),
  );
  record(
    "reduceByWindowInv",
    lengths().reduceByWindow(
      (a, b) => a + b,
      (a, b) => a - b,
      3,
      1,
    ),
  );
  record(
    "mapValues",
    pairs().mapValues((v) => v * 10),
  );
  record(
    "flatMapValues",
    lens.flatMapValues((n) => [n, n + 1]),
  );
  record(
    "rightOuterJoin",
    long()
      .map((w) => [w, 1])
      .rightOuterJoin(queue().map((w) => [w, w.length])),
  );
  record(
    "fullOuterJoin",
    queue()
      .filter((w) => w.length < 3)
      .map((w) => [w, w.length])
      .fullOuterJoin(long().map((w) => [w, 1])),
  );
  record(
    "mapPartitions",
    queue().mapPartitions((ws) => [ws.reduce((n, w) => n + w.length, 0)]),
  );
  record("repartition", queue().repartition(3));
  record(
    "combineByKey",
    pairs().combineByKey(
      (v) => v,
      (c, v) => c + v,
      (a, b) => a + b,
    ),
  );
  ssc.start();
  for (let i = 0; i < BATCHES.length + EXTRA; i++) {
    clock.advance(1000);
    await ssc.scheduler.whenIdle();
  }
  await ssc.stop();
  return out;
}

const input = join(work, "input.txt");
writeFileSync(input, BATCHES.join("\n") + "\n");
const began = performance.now();
const spark = runSpark(input);
const sparkMs = performance.now() - began;
const sluice = await runSluice();
/** Differences kept on purpose (README, "Differences from PySpark"): the operation and why. */
const DELIBERATE: Record<string, string> = {
  mapWithStateTimeoutDefault:
    "Sluice times an idle key out at the first batch past its timeout; Spark only looks for idle keys " +
    "in batches that checkpoint the state (every 10 batch intervals unless the stream's checkpoint " +
    "interval is set), so its timeouts come up to 10 batches late (mapWithStateTimeout, with Spark " +
    "checkpointing every batch, is the same)",
};
let differences = 0;
let deliberate = 0;
const total = BATCHES.length + EXTRA;
for (const [op, expected] of [...spark].sort()) {
  const got = sluice.get(op) ?? [];
  const diff: string[] = [];
  for (let b = 0; b < total; b++)
    if (expected[b] !== got[b]) diff.push(`batch ${b}: Spark ${expected[b]}, Sluice ${got[b]}`);
  const why = DELIBERATE[op];
  if (why && diff.length > 0) deliberate++;
  else differences += diff.length;
  const verdict = diff.length === 0 ? "same" : why ? "differs on purpose" : "DIFFERENT";
  console.log(
    `${verdict}  ${op} (${total} batches)${diff.map((d) => `\n    ${d}`).join("")}${why && diff.length ? `\n    why: ${why}` : ""}`,
  );
}
const missing = [...sluice.keys()].filter((op) => !spark.has(op));
if (missing.length > 0) console.log(`not compared (no Spark output): ${missing.join(", ")}`);
console.log(
  `${spark.size} operations, ${total} batches each, compared with Spark 4.2.0 (local[2], ${Math.round(sparkMs / 1000)} s): ` +
    `${differences} difference(s)${deliberate ? `, ${deliberate} operation(s) different on purpose` : ""}`,
);
process.exit(differences > 0 || missing.length > 0 ? 1 : 0);
