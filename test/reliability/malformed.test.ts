// T14: 5% malformed records of every kind among 100,000, through fileStream's JSON reader with a
// dead-letter sink: each malformed one dead-lettered exactly once, every valid one read.
import assert from "node:assert/strict";
import { mkdirSync, renameSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { ManualClock, SparkContext, StreamingContext, type RDD } from "../../src/index.js";
import { MAX_RECORD_BYTES } from "../../src/streaming/dstream/record-formats.js";
import { tempDir } from "../helpers/context.js";

const N = 100_000;
const BAD: Record<string, () => Buffer> = {
  "truncated JSON": () => Buffer.from('{"id":"x","v":'),
  "invalid UTF-8": () => Buffer.concat([Buffer.from('{"id":"x","v":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]),
  "a __proto__ key": () => Buffer.from('{"id":"x","__proto__":{"polluted":true}}'),
  NaN: () => Buffer.from('{"id":"x","v":NaN}'),
  "deep nesting": () => Buffer.from(`{"id":"x","v":${"[".repeat(150)}${"]".repeat(150)}}`),
  "not an object": () => Buffer.from("[1,2,3]"),
};

test("T14: 5% malformed records among 100,000 are each dead-lettered once; every valid record is read", async () => {
  const root = tempDir("sluice-malformed-");
  const dir = join(root, "in");
  mkdirSync(dir);
  const kinds = Object.keys(BAD);
  const lines: Buffer[] = [];
  const injected = new Map<string, number>();
  const valid = new Set<number>();
  for (let i = 0; i < N; i++) {
    if (i % 20 === 7) {
      const kind = kinds[((i / 20) % kinds.length) | 0]!;
      injected.set(kind, (injected.get(kind) ?? 0) + 1);
      lines.push(BAD[kind]!());
    } else {
      valid.add(i);
      lines.push(Buffer.from(JSON.stringify({ id: i, v: `ñ${i}` })));
    }
  }
  // and one record over the size limit, in a file of its own
  const T0 = 1_800_000_000_000;
  const put = (name: string, content: Buffer) => {
    writeFileSync(join(root, name), content);
    utimesSync(join(root, name), (T0 + 500) / 1000, (T0 + 500) / 1000);
    renameSync(join(root, name), join(dir, name));
  };
  put("a.jsonl", Buffer.concat(lines.flatMap((l) => [l, Buffer.from("\n")])));
  put(
    "b.jsonl",
    Buffer.concat([Buffer.from('{"id":"big","v":"'), Buffer.alloc(MAX_RECORD_BYTES, 97), Buffer.from('"}\n')]),
  );
  const clock = new ManualClock(T0);
  const ssc = new StreamingContext(new SparkContext("local[2]", "malformed"), 1, { clock, out: () => {} });
  const dead: { source: string; error: string }[] = [];
  const stream = ssc.fileStream(dir, {
    format: "json",
    deadLetter: (_record, error, source) => void dead.push({ source, error: error.message }),
  });
  const seen: number[] = [];
  stream.foreachRDD(async (rdd: RDD<Record<string, unknown>>) => {
    for (const r of await rdd.collect()) seen.push(r.id as number);
  });
  ssc.start();
  clock.advance(1000);
  await ssc.scheduler.whenIdle();
  await ssc.stop();
  const total = [...injected.values()].reduce((a, b) => a + b, 0) + 1;
  assert.equal(stream.malformedRecords(), total, "every malformed record counted, none twice");
  assert.equal(dead.length, total, "every malformed record dead-lettered");
  assert.equal(new Set(dead.map((d) => d.source)).size, total, "each at its own file:line");
  assert.deepEqual(
    seen.sort((a, b) => a - b),
    [...valid],
    "valid records lost: none",
  );
  const why = (re: RegExp) => dead.filter((d) => re.test(d.error)).length;
  assert.equal(why(/not valid UTF-8/), injected.get("invalid UTF-8"));
  assert.equal(why(/__proto__/), injected.get("a __proto__ key"));
  assert.equal(why(/nested deeper than 100/), injected.get("deep nesting"));
  assert.equal(why(/over 16777216/), 1);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});
