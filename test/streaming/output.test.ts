import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { ManualClock, SparkContext, StreamingContext, type RDD } from "../../src/index.js";
import { formatBatchTime } from "../../src/streaming/pprint.js";
import { tempDir } from "../helpers/context.js";
import { runBatches, streamingFixture } from "../helpers/streaming.js";
import { warningsDuring } from "../helpers/log.js";

const RULER = "-------------------------------------------";

/** The local-time text Python's str(datetime) gives for a whole second, computed field by field. */
function pythonTime(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => (n < 10 ? "0" : "") + n;
  return (
    `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ` +
    `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`
  );
}

function contexts(batch: number, start = 0) {
  const sc = SparkContext.getOrCreate();
  const clock = new ManualClock(start);
  const printed: string[] = [];
  const ssc = new StreamingContext(sc, batch, { clock, out: (t) => printed.push(t) });
  return { sc, ssc, clock, printed };
}

test("pprint prints PySpark's format byte for byte, with ... past num and a blank line", async () => {
  const start = Date.UTC(2020, 4, 14, 10, 0, 0);
  const f = contexts(3, start);
  const stream = f.ssc.queueStream<unknown>(
    [
      [
        ["hello", 2],
        ["world", 1],
      ],
      ["a", "b", "c", "d"],
      [],
      [[1, [2, null]], true, 1.5, "it's"],
    ],
    true,
  );
  stream.pprint(3);
  f.ssc.start();
  await runBatches(f, 4);
  const t = (k: number) => pythonTime(start + k * 3000);
  assert.deepEqual(f.printed, [
    `${RULER}\nTime: ${t(1)}\n${RULER}\n('hello', 2)\n('world', 1)\n\n`,
    `${RULER}\nTime: ${t(2)}\n${RULER}\na\nb\nc\n...\n\n`,
    `${RULER}\nTime: ${t(3)}\n${RULER}\n\n`,
    `${RULER}\nTime: ${t(4)}\n${RULER}\n(1, (2, None))\nTrue\n1.5\n...\n\n`,
  ]);
  await f.ssc.stop(false);
});

test("batch times that are not whole seconds print microseconds, as Python does", () => {
  assert.equal(formatBatchTime(new Date(2020, 4, 14, 10, 0, 21, 500).getTime()), "2020-05-14 10:00:21.500000");
  assert.equal(formatBatchTime(new Date(2020, 4, 14, 10, 0, 21, 5).getTime()), "2020-05-14 10:00:21.005000");
  assert.equal(formatBatchTime(new Date(2020, 0, 2, 3, 4, 5).getTime()), "2020-01-02 03:04:05");
});

test("output operations run in registration order each batch; async foreachRDD is awaited before the next job", async () => {
  const f = contexts(1);
  const log: string[] = [];
  const s = f.ssc.queueStream([[1], [2]]);
  s.foreachRDD(async (rdd: RDD<number>) => {
    const xs = await rdd.collect();
    await new Promise((r) => setImmediate(r));
    log.push(`first ${xs}`);
  });
  s.map((x) => x * 10).foreachRDD((time: Date, rdd: RDD<number>) => {
    log.push(`second at ${time.getTime()} (${rdd.getNumPartitions()} partitions)`);
  });
  s.count().foreachRDD(async (rdd: RDD<number>) => log.push(`third ${await rdd.collect()}`));
  f.ssc.start();
  await runBatches(f, 2);
  assert.deepEqual(log, [
    "first 1",
    "second at 1000 (2 partitions)",
    "third 1",
    "first 2",
    "second at 2000 (2 partitions)",
    "third 1",
  ]);
  assert.throws(() => f.ssc.queueStream([[1]]), /after starting/);
  await f.ssc.stop(false);
});

test("foreachRDD and transform reject functions of the wrong arity", () => {
  const f = contexts(1);
  const s = f.ssc.queueStream([[1]]);
  assert.throws(
    () => s.foreachRDD((() => {}) as unknown as (rdd: RDD<number>) => void),
    /func should take one or two arguments, got 0/,
  );
  assert.throws(
    () => s.transform(((a: unknown, b: unknown, c: unknown) => a) as unknown as (rdd: RDD<number>) => RDD<number>),
    /one or two arguments, got 3/,
  );
});

test("saveAsTextFiles writes prefix-<timeMs>.suffix directories of part files per batch", async () => {
  const dir = tempDir();
  const f = contexts(2);
  f.ssc
    .queueStream(
      [
        [["a", 1]],
        [
          ["b", 2],
          ["c", 3],
        ],
      ] as [string, number][][],
      true,
    )
    .saveAsTextFiles(join(dir, "counts"), "txt");
  f.ssc.start();
  await runBatches(f, 2);
  assert.deepEqual(readdirSync(dir).sort(), ["counts-2000.txt", "counts-4000.txt"]);
  const read = (d: string) =>
    readdirSync(join(dir, d))
      .filter((n) => n.startsWith("part-"))
      .sort()
      .map((n) => readFileSync(join(dir, d, n), "utf8"))
      .join("");
  assert.equal(read("counts-2000.txt"), "('a', 1)\n");
  assert.equal(read("counts-4000.txt"), "('b', 2)\n('c', 3)\n");
  assert.ok(readdirSync(join(dir, "counts-4000.txt")).includes("_SUCCESS"));
  await f.ssc.stop();
});

test("an action whose Promise foreachRDD's function dropped (no await) is warned about once, naming the line, and ends within its batch", async () => {
  const f = streamingFixture(1);
  const written: string[] = [];
  const seen: number[][] = [];
  f.ssc.queueStream([[1, 2], [3], [4, 5]]).foreachRDD((rdd) => {
    const data = rdd.collect(); // the mistake: a Promise, written as if it were the data
    written.push(JSON.stringify(data));
    void data.then((d) => seen.push(d));
  });
  const fine: number[][] = [];
  f.ssc.queueStream([[7], [8]]).foreachRDD(async (rdd) => void fine.push(await rdd.collect()));
  const warnings = await warningsDuring(async () => {
    f.ssc.start();
    await runBatches(f, 3);
  });
  assert.deepEqual(written, ["{}", "{}", "{}"]);
  assert.deepEqual(seen, [[1, 2], [3], [4, 5]], "each dropped job finished before its batch was done");
  assert.deepEqual(fine, [[7], [8], []]);
  assert.equal(warnings.length, 1, warnings.join(""));
  assert.match(
    warnings[0]!,
    /foreachRDD at .*output\.test\.ts:\d+:\d+: an action started in its function .* had not finished when the function returned.*await rdd\.collect\(\)/,
  );
});
