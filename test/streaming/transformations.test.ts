import assert from "node:assert/strict";
import { test } from "node:test";
import type { DStream, RDD } from "../../src/index.js";
import { groupPlain, sorted } from "../helpers/context.js";
import { collectBatches, runBatches, streamingFixture } from "../helpers/streaming.js";

const f = streamingFixture(1);
const { ssc, sc } = f;

// Three batches of lines, then an empty one.
const input = [["to be or", "not to be"], ["ñandú 😀 to", ""], ["be"], []];
const lines = ssc.queueStream(input.map((b) => [...b]));
const words = lines.flatMap((l) => l.split(" "));
const pairs = words.map((w): [string, number] => [w, 1]);

const plainWords = input.map((b) => b.flatMap((l) => l.split(" ")));
const plainCounts = plainWords.map((ws) =>
  Array.from(
    groupPlain(ws.map((w): [string, number] => [w, 1])).values(),
    (g) => [g.key, g.values.length] as [string, number],
  ),
);

type Check = { name: string; batches: [number, unknown[]][]; expected: unknown[][]; ordered?: boolean };
const checks: Check[] = [];
function check<T>(name: string, stream: DStream<T>, expected: unknown[][], ordered = false): void {
  checks.push({ name, batches: collectBatches(stream) as [number, unknown[]][], expected, ordered });
}

check(
  "map",
  words.map((w) => w.length),
  plainWords.map((ws) => ws.map((w) => w.length)),
  true,
);
check("flatMap", words, plainWords, true);
check(
  "filter",
  words.filter((w) => w.startsWith("b")),
  plainWords.map((ws) => ws.filter((w) => w.startsWith("b"))),
  true,
);
check(
  "mapPartitions",
  words.mapPartitions((it) => [it.length]).reduce((a, b) => a + b),
  plainWords.map((ws) => [ws.length]),
);
// queued arrays are parallelized into defaultParallelism (2) slices
check(
  "glom",
  lines.glom().map((p) => p.length),
  input.map((b) => [Math.floor(b.length / 2), b.length - Math.floor(b.length / 2)]),
  true,
);
check(
  "count",
  words.count(),
  plainWords.map((ws) => [ws.length]),
);
check("countByValue", words.countByValue(), plainCounts);
check(
  "reduce",
  words.map((w) => w.length).reduce((a, b) => a + b),
  plainWords.map((ws) => (ws.length ? [ws.reduce((a, w) => a + w.length, 0)] : [])),
);
check("repartition", words.repartition(3), plainWords);
check(
  "union",
  words.union(words.map((w) => w.toUpperCase())),
  plainWords.map((ws) => [...ws, ...ws.map((w) => w.toUpperCase())]),
);
check(
  "transform (rdd)",
  words.transform((rdd: RDD<string>) => rdd.distinct()),
  plainWords.map((ws) => [...new Set(ws)]),
);
check(
  "transform (time, rdd)",
  words.transform((time: Date, rdd: RDD<string>) => rdd.map((w) => `${time.getTime()}:${w}`)),
  plainWords.map((ws, i) => ws.map((w) => `${(i + 1) * 1000}:${w}`)),
);
check(
  "mapValues",
  pairs.mapValues((v) => v * 10),
  plainWords.map((ws) => ws.map((w) => [w, 10])),
  true,
);
check(
  "flatMapValues",
  pairs.flatMapValues((v) => [v, v + 1]),
  plainWords.map((ws) =>
    ws.flatMap((w) => [
      [w, 1],
      [w, 2],
    ]),
  ),
  true,
);
check(
  "reduceByKey",
  pairs.reduceByKey((a, b) => a + b),
  plainCounts,
);
check(
  "groupByKey",
  pairs.groupByKey().mapValues((vs) => vs.length),
  plainCounts,
);
check(
  "combineByKey",
  pairs.combineByKey(
    (v) => v,
    (c, v) => c + v,
    (a, b) => a + b,
    2,
  ),
  plainCounts,
);
check(
  "partitionBy",
  pairs.partitionBy(2),
  plainWords.map((ws) => ws.map((w) => [w, 1])),
);

const lengths = words.map((w): [string, number] => [w, w.length]);
const joinPlain = (how: "inner" | "left" | "right" | "full") =>
  plainWords.map((ws) => {
    const left = ws.map((w): [string, number] => [w, 1]);
    const right = ws.filter((w) => w.length > 2).map((w): [string, number] => [w, w.length]);
    const out: unknown[] = [];
    for (const [k, v] of left) {
      const matches = right.filter(([k2]) => k2 === k);
      for (const [, w] of matches) out.push([k, [v, w]]);
      if (matches.length === 0 && (how === "left" || how === "full")) out.push([k, [v, null]]);
    }
    if (how === "right" || how === "full")
      for (const [k, w] of right) if (!left.some(([k2]) => k2 === k)) out.push([k, [null, w]]);
    return out;
  });
const longOnes = lengths.filter(([w]) => w.length > 2);
check("join", pairs.join(longOnes), joinPlain("inner"));
check("leftOuterJoin", pairs.leftOuterJoin(longOnes), joinPlain("left"));
check("rightOuterJoin", pairs.rightOuterJoin(longOnes), joinPlain("right"));
check("fullOuterJoin", pairs.fullOuterJoin(longOnes), joinPlain("full"));
check(
  "cogroup",
  pairs.cogroup(longOnes).mapValues(([a, b]) => [a.length, b.length]),
  plainWords.map((ws) =>
    Array.from(groupPlain(ws.map((w): [string, number] => [w, 1])).values(), (g) => [
      g.key,
      [g.values.length, g.key.length > 2 ? g.values.length : 0],
    ]),
  ),
);
check(
  "transformWith",
  words.transformWith(
    (a: RDD<string>, b: RDD<string>) => a.subtract(b),
    words.filter((w) => w === "to"),
  ),
  plainWords.map((ws) => ws.filter((w) => w !== "to")),
);
check(
  "ssc.union",
  ssc.union(words, words),
  plainWords.map((ws) => [...ws, ...ws]),
);
check(
  "ssc.transform",
  ssc.transform([words as DStream<unknown>, lines as DStream<unknown>], (rdds) =>
    (rdds[0] as RDD<string>).union(rdds[1] as RDD<string>),
  ),
  plainWords.map((ws, i) => [...ws, ...input[i]!]),
);

const cached = words.map((w) => w).cache();
check("cache", cached, plainWords, true);

test("every per-batch transformation equals a plain loop over the same batches", async () => {
  ssc.start();
  await runBatches(f, 4);
  for (const c of checks) {
    assert.deepEqual(
      c.batches.map(([t]) => t),
      [1000, 2000, 3000, 4000],
      `${c.name}: one result per batch`,
    );
    const got = c.batches.map(([, r]) => (c.ordered ? r : sorted(r)));
    const want = c.expected.map((r) => (c.ordered ? r : sorted(r)));
    assert.deepEqual(got, want, c.name);
  }
});

test("slice returns the remembered RDDs between two times, floored to the slide", async () => {
  const got = await Promise.all(words.slice(3.5, 4.2).map((r) => r.collect()));
  assert.deepEqual(got, [plainWords[2], plainWords[3]].slice(1), "only the last batch is remembered by default");
  assert.equal(sc.defaultParallelism, 2);
});
