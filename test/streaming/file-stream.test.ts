import assert from "node:assert/strict";
import { mkdirSync, readFileSync, renameSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { stderrDuring } from "../helpers/log.js";
import { ManualClock, SparkContext, StreamingContext, StreamingJobError } from "../../src/index.js";
import { tempDir } from "../helpers/context.js";
import { collectBatches, runBatches } from "../helpers/streaming.js";

const root = tempDir();
const staging = join(root, "staging");
mkdirSync(staging);

/** Writes a file elsewhere, stamps its modification time, then renames it into `dir` (atomic). */
function drop(dir: string, name: string, content: string | Buffer, mtimeMs: number): void {
  const tmp = join(staging, name);
  writeFileSync(tmp, content);
  utimesSync(tmp, mtimeMs / 1000, mtimeMs / 1000);
  renameSync(tmp, join(dir, name));
}

function contexts(start: number) {
  const sc = SparkContext.getOrCreate();
  const clock = new ManualClock(start);
  const ssc = new StreamingContext(sc, 2, { clock, out: () => {} });
  return { sc, ssc, clock };
}

test("textFileStream takes each new file once, in the batch its modification time falls in", async () => {
  const dir = join(root, "in");
  mkdirSync(dir);
  const start = 1_700_000_000_000; // a multiple of the 2 s interval
  drop(dir, "old.txt", "too old\n", start - 5000);
  const f = contexts(start);
  const batches = collectBatches(f.ssc.textFileStream(dir));
  f.ssc.start();
  drop(dir, "a.txt", "uno\ndos\n", start + 500);
  drop(dir, ".hidden", "never\n", start + 600);
  drop(dir, "b.txt.tmp", "never\n", start + 700);
  drop(dir, "_temporary", "never\n", start + 700);
  await runBatches(f, 1);
  drop(dir, "c.txt", "ñandú\r\ntres", start + 3000);
  drop(dir, "late.txt", "seen later\n", start + 4100);
  await runBatches(f, 1);
  await runBatches(f, 1);
  await runBatches(f, 1);
  assert.deepEqual(batches, [
    [start + 2000, ["uno", "dos"]],
    [start + 4000, ["ñandú", "tres"]],
    [start + 6000, ["seen later"]],
    [start + 8000, []],
  ]);
  await f.ssc.stop(false);
});

test("textFileStream on a directory that does not exist yet warns once, keeps polling, and reads it once it appears", async () => {
  const dir = join(root, "appears-later");
  const start = 1_700_000_000_000;
  const f = contexts(start);
  const batches = collectBatches(f.ssc.textFileStream(dir));
  const warnings = await stderrDuring(async () => {
    f.ssc.start();
    await runBatches(f, 3);
    mkdirSync(dir);
    drop(dir, "a.txt", "at last\n", start + 6500);
    await runBatches(f, 1);
  });
  await f.ssc.stop(false);
  assert.deepEqual(batches, [
    [start + 2000, []],
    [start + 4000, []],
    [start + 6000, []],
    [start + 8000, ["at last"]],
  ]);
  const about = warnings.filter((w) => w.includes("appears-later"));
  assert.equal(about.length, 1, about.join(""));
  assert.match(
    about[0]!,
    /WARN the directory .*appears-later of a file stream does not exist \(yet\); the stream keeps looking/,
  );
});

test("binaryRecordsStream cuts files into fixed-length records; a wrong size fails the batch naming the file", async () => {
  const dir = join(root, "bin");
  mkdirSync(dir);
  const start = 1_700_000_100_000;
  const f = contexts(start);
  const records = f.ssc.binaryRecordsStream(dir, 3);
  const batches = collectBatches(records.map((r) => Array.from(r)));
  f.ssc.start();
  drop(dir, "r1.bin", Buffer.from([1, 2, 3, 4, 5, 6]), start + 100);
  await runBatches(f, 1);
  assert.deepEqual(batches, [
    [
      start + 2000,
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
    ],
  ]);
  const failure = assert.rejects(
    f.ssc.awaitTermination(),
    (e: unknown) =>
      e instanceof StreamingJobError && /r2\.bin has 4 bytes, not a multiple of the record length 3/.test(e.message),
  );
  drop(dir, "r2.bin", Buffer.from([1, 2, 3, 4]), start + 2100);
  await runBatches(f, 1);
  await failure;
  await f.ssc.stop(false);
  assert.throws(
    () => new StreamingContext(SparkContext.getOrCreate(), 1).binaryRecordsStream(dir, 0),
    /recordLength must be a whole number > 0/,
  );
});

test("fileStream parses JSON lines and CSV with a header; malformed records are counted and dead-lettered, never fatal", async () => {
  const jsonDir = join(root, "json");
  const csvDir = join(root, "csv");
  mkdirSync(jsonDir);
  mkdirSync(csvDir);
  const start = 1_700_000_200_000;
  const f = contexts(start);
  const dead: string[] = [];
  const json = f.ssc.fileStream(jsonDir, {
    format: "json",
    deadLetter: (record, err, where) => dead.push(`${where}: ${record} (${err.message.split("\n")[0]})`),
  });
  const csv = f.ssc.fileStream(csvDir, {
    format: "csv",
    deadLetter: (record, err, where) => dead.push(`${where}: ${record} (${err.message.split("\n")[0]})`),
  });
  const jsonBatches = collectBatches(json);
  const csvBatches = collectBatches(csv);
  f.ssc.start();
  drop(
    jsonDir,
    "a.json",
    '{"user":"ana","n":1}\n{"user":"bo",\n[1,2]\n{"user":"cy","n":2.5,"tags":["x"]}\n',
    start + 100,
  );
  // a wrong field count and a quoting error: those lines are dead-lettered, the others kept
  drop(csvDir, "a.csv", 'user,n\nana,1\nbo,2,extra\n"dee"x,4\ncy,3\n', start + 100);
  await runBatches(f, 1);
  assert.deepEqual(jsonBatches[0]![1], [
    { user: "ana", n: 1 },
    { user: "cy", n: 2.5, tags: ["x"] },
  ]);
  assert.deepEqual(csvBatches[0]![1], [
    { user: "ana", n: 1 },
    { user: "cy", n: 3 },
  ]);
  assert.equal(json.malformedRecords(), 2);
  assert.equal(csv.malformedRecords(), 2);
  assert.equal(dead.length, 4);
  const jsonDead = dead.filter((d) => d.includes("a.json"));
  const csvDead = dead.filter((d) => d.includes("a.csv")).sort();
  assert.match(jsonDead[0]!, /a\.json:2: \{"user":"bo", \(/);
  assert.match(jsonDead[1]!, /a\.json:3: \[1,2\] \(not a JSON object\)/);
  assert.match(csvDead[0]!, /a\.csv:3: bo,2,extra \(row has 3 fields, the header 2\)/);
  assert.match(csvDead[1]!, /a\.csv:4: "dee"x,4 \(Invalid Closing Quote/);
  assert.throws(
    () => f.ssc.fileStream(jsonDir, { format: "xml" as "json" }),
    /format must be one of "json", "csv", "avro", "parquet"; got "xml"/,
  );
  await f.ssc.stop(false);
});

test("fileStream reads Avro and Parquet files; an undecodable file or an Avro schema that does not resolve is dead-lettered, never fatal", async () => {
  const avroDir = join(root, "avro");
  const parquetDir = join(root, "parquet");
  mkdirSync(avroDir);
  mkdirSync(parquetDir);
  const start = 1_700_000_400_000;
  const f = contexts(start);
  // files written by the batch writers, then dropped into the watched directories
  const events = [
    { user: "ana", n: 1 },
    { user: "bo", n: 2 },
    { user: "ana", n: 3 },
  ];
  const other = [{ city: "Madrid" }];
  const written = join(root, "written");
  await f.sc.parallelize(events, 1).saveAsAvroFile(join(written, "events-avro"));
  await f.sc.parallelize(other, 1).saveAsAvroFile(join(written, "other-avro"));
  await f.sc.parallelize(events, 1).saveAsParquetFile(join(written, "events-parquet"));
  const dead: string[] = [];
  const reader = {
    type: "record",
    name: "Event",
    aliases: ["Record"],
    fields: [
      { name: "user", type: "string" },
      { name: "n", type: "long" },
    ],
  };
  const avroStream = f.ssc.fileStream(avroDir, {
    format: "avro",
    schema: reader as never,
    deadLetter: (_r, err, where) =>
      dead.push(`${where.split("/").pop()}: ${err.message.split(":").slice(-1)[0]!.trim()}`),
  });
  const parquetStream = f.ssc.fileStream(parquetDir, {
    format: "parquet",
    deadLetter: (_r, _e, where) => dead.push(`${where.split("/").pop()}`),
  });
  // per batch: the sum of n per user, as a plain loop over the same records would give
  const sums = collectBatches(
    parquetStream.map((r): [string, number] => [r.user as string, r.n as number]).reduceByKey((a, b) => a + b),
  );
  const avroBatches = collectBatches(avroStream);
  f.ssc.start();
  drop(avroDir, "a.avro", readFileSync(join(written, "events-avro", "part-00000.avro")), start + 100);
  drop(avroDir, "b.avro", readFileSync(join(written, "other-avro", "part-00000.avro")), start + 200);
  drop(avroDir, "c.avro", Buffer.from("Obj\x01 truncated"), start + 300);
  drop(parquetDir, "a.parquet", readFileSync(join(written, "events-parquet", "part-00000.parquet")), start + 100);
  drop(parquetDir, "b.parquet", Buffer.from("PAR1 no footer"), start + 100);
  await runBatches(f, 1);
  assert.deepEqual(avroBatches[0]![1], events);
  const expected = new Map<string, number>();
  for (const e of events) expected.set(e.user, (expected.get(e.user) ?? 0) + e.n);
  assert.deepEqual(new Map(sums[0]![1]), expected);
  assert.equal(avroStream.malformedRecords(), 2);
  assert.equal(parquetStream.malformedRecords(), 1);
  assert.equal(dead.length, 3);
  assert.match(dead.join("\n"), /b\.avro: .*user/);
  assert.match(dead.join("\n"), /c\.avro/);
  assert.match(dead.join("\n"), /b\.parquet/);
  assert.throws(
    () => f.ssc.fileStream(avroDir, { format: "json", schema: reader as never }),
    /schema option is for format "avro", not "json"/,
  );
  await f.ssc.stop(false);
});

test("saveAsParquetFiles and saveAsAvroFiles write one directory per batch, read back equal to the batch", async () => {
  const start = 1_700_000_600_000;
  const f = contexts(start);
  const out = join(root, "out");
  const batches = [
    [
      { w: "a", c: 1 },
      { w: "b", c: 2 },
    ],
    [{ w: "c", c: 3 }],
  ];
  const stream = f.ssc.queueStream(batches.map((b) => f.sc.parallelize(b, 2)));
  stream.saveAsParquetFiles(join(out, "pq"), "parquet");
  stream.saveAsAvroFiles(join(out, "av"));
  stream.saveAsJsonFiles(join(out, "js"));
  f.ssc.start();
  await runBatches(f, 2);
  for (const [i, b] of batches.entries()) {
    const t = start + 2000 * (i + 1);
    assert.deepEqual(await f.sc.parquetFile(join(out, `pq-${t}.parquet`)).collect(), b);
    assert.deepEqual(await f.sc.avroFile(join(out, `av-${t}`)).collect(), b);
    assert.deepEqual(await f.sc.jsonFile(join(out, `js-${t}`)).collect(), b);
  }
  await f.ssc.stop(false);
});
