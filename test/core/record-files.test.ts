import assert from "node:assert/strict";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { RecordFormatError, SparkSession, inferAvroSchema } from "../../src/index.js";
import { sharedContext, sorted, tempDir } from "../helpers/context.js";

const sc = sharedContext("local[2]");
const dir = tempDir("sluice-formats-");

/**
 * Rows with every kind a writer types: text (unicode), integers, doubles, booleans, nulls, dates, bytes, nested values.
 */
const rows = Array.from({ length: 50 }, (_, i) => ({
  id: i,
  word: i % 3 === 0 ? "ñandú" : `w${i % 7}`,
  score: i / 4,
  even: i % 2 === 0,
  note: i % 5 === 0 ? null : `n${i}`,
  at: new Date(1_700_000_000_000 + i * 1000),
  raw: new Uint8Array([i, i + 1]),
  tags: { list: [i, i * 2], label: `t${i}` },
}));

test("saveAsParquetFile then parquetFile gives back every record with its types; one file per non-empty partition", async () => {
  const path = join(dir, "parquet");
  await sc.parallelize(rows, 3).saveAsParquetFile(path);
  assert.deepEqual(readdirSync(path).sort(), [
    "_SUCCESS",
    "part-00000.parquet",
    "part-00001.parquet",
    "part-00002.parquet",
  ]);
  const back = sc.parquetFile(path);
  assert.equal(back.getNumPartitions(), 3);
  const got = await back.collect();
  // bytes come back as Uint8Array, nested values as JSON
  assert.deepEqual(
    got.map((r) => ({ ...r, raw: Array.from(r.raw as Uint8Array) })),
    rows.map((r) => ({ ...r, raw: Array.from(r.raw) })),
  );
  // empty partitions write nothing
  const sparse = join(dir, "sparse");
  await sc.parallelize([{ a: 1 }], 4).saveAsParquetFile(sparse);
  assert.deepEqual(readdirSync(sparse).sort(), ["_SUCCESS", "part-00003.parquet"]);
});

test("Parquet written by Sluice reads in DuckDB with the column types, and DuckDB's Parquet reads in Sluice", async () => {
  const path = join(dir, "for-duckdb");
  await sc
    .parallelize(
      rows.map(({ raw: _r, tags: _t, ...r }) => r),
      2,
    )
    .saveAsParquetFile(path);
  const spark = SparkSession.builder.getOrCreate();
  const df = spark.read.parquet(path);
  spark.read.parquet(path).createOrReplaceTempView("pq");
  const types = await spark.sql("select column_name, column_type from (describe pq)").collect();
  assert.deepEqual(types, [
    { column_name: "id", column_type: "BIGINT" },
    { column_name: "word", column_type: "VARCHAR" },
    { column_name: "score", column_type: "DOUBLE" },
    { column_name: "even", column_type: "BOOLEAN" },
    { column_name: "note", column_type: "VARCHAR" },
    { column_name: "at", column_type: "TIMESTAMP" },
  ]);
  // the same aggregate by SQL and by a plain loop
  const byWord = new Map<string, number>();
  for (const r of rows) byWord.set(r.word, (byWord.get(r.word) ?? 0) + r.score);
  const sql = await spark.sql("select word, sum(score) as s from pq group by word order by word").collect();
  assert.deepEqual(
    sql,
    [...byWord].sort(([a], [b]) => (a < b ? -1 : 1)).map(([word, s]) => ({ word, s })),
  );
  assert.equal(await df.count(), rows.length);
  const duck = join(dir, "from-duckdb");
  await spark
    .createDataFrame([
      { k: "x", v: 1 },
      { k: "y", v: 2 },
    ])
    .write.parquet(duck);
  assert.deepEqual(sorted(await sc.parquetFile(duck).collect()), [
    { k: "x", v: 1 },
    { k: "y", v: 2 },
  ]);
});

test("saveAsAvroFile then avroFile: inferred schema in the file header, records back as written; schema evolution on read", async () => {
  const path = join(dir, "avro");
  await sc.parallelize(rows, 2).saveAsAvroFile(path);
  const files = readdirSync(path).filter((f) => f.endsWith(".avro"));
  assert.equal(files.length, 2);
  assert.equal(readFileSync(join(path, files[0]!)).subarray(0, 4).toString("latin1"), "Obj\x01");
  const got = await sc.avroFile(path).collect();
  assert.deepEqual(
    got.map((r) => ({ ...r, raw: Array.from(r.raw as Uint8Array) })),
    rows.map((r) => ({ ...r, raw: Array.from(r.raw) })),
  );
  const schema = inferAvroSchema(rows, "rows") as { fields: { name: string; type: unknown }[] };
  assert.deepEqual(schema.fields.find((f) => f.name === "note")!.type, ["null", "string"]);
  assert.deepEqual(schema.fields.find((f) => f.name === "at")!.type, { type: "long", logicalType: "timestamp-millis" });
  // a reader schema with fewer fields and a new defaulted one
  const reader = {
    type: "record",
    name: "Record",
    fields: [
      { name: "word", type: "string" },
      { name: "country", type: "string", default: "es" },
    ],
  };
  const projected = await sc.avroFile(path, reader as never).collect();
  assert.deepEqual(
    projected,
    rows.map((r) => ({ word: r.word, country: "es" })),
  );
  // an explicit writer schema is checked record by record
  const strict = {
    type: "record",
    name: "W",
    fields: [
      { name: "word", type: "string" },
      { name: "n", type: "long" },
    ],
  };
  await assert.rejects(
    sc
      .parallelize(
        [
          { word: "a", n: 1 },
          { word: "b", n: "two" },
        ],
        1,
      )
      .saveAsAvroFile(join(dir, "bad-avro"), strict as never),
    /record 1: field 'n' = "two" does not fit the schema/,
  );
  const ok = join(dir, "strict");
  await sc.parallelize([{ word: "a", n: 1 }], 1).saveAsAvroFile(ok, strict as never);
  assert.deepEqual(await sc.avroFile(ok).collect(), [{ word: "a", n: 1 }]);
});

test("saveAsJsonFile then jsonFile round-trips objects; a bad line names file:line", async () => {
  const path = join(dir, "json");
  const data = [{ a: 1, b: ["x", { c: null }] }, { a: 2 }, { a: 3, big: 2n ** 40n }];
  await sc.parallelize(data, 2).saveAsJsonFile(path);
  assert.deepEqual(
    sorted(await sc.jsonFile(path).collect()),
    sorted([{ a: 1, b: ["x", { c: null }] }, { a: 2 }, { a: 3, big: 2 ** 40 }]),
  );
  writeFileSync(join(path, "part-00009.json"), '{"a":9}\n{oops\n');
  await assert.rejects(
    sc.jsonFile(path).count(),
    (err: Error) => err instanceof RecordFormatError && /part-00009\.json:2 is not JSON/.test(err.message),
  );
});

test("writers refuse records they cannot type, naming the partition, the record and the field", async () => {
  await assert.rejects(
    sc.parallelize([["a", 1]], 1).saveAsParquetFile(join(dir, "tuples")),
    /partition 0 of .*tuples: record 0 is an array, not an object with named fields/,
  );
  await assert.rejects(
    sc.parallelize([{ a: 1 }, { a: "x" }], 1).saveAsParquetFile(join(dir, "mixed")),
    /field 'a' mixes long and string values/,
  );
  await assert.rejects(
    sc.parallelize([{ "bad name": 1 }], 1).saveAsAvroFile(join(dir, "names")),
    /'bad name' is not a valid Avro name/,
  );
  writeFileSync(join(dir, "junk.parquet"), "not parquet at all");
  await assert.rejects(
    sc.parquetFile(join(dir, "junk.parquet")).collect(),
    /junk\.parquet is not a readable Parquet file/,
  );
  assert.throws(() => sc.parquetFile(join(dir, "missing")), /Input path .*missing does not exist/);
});

test("avroFile reads a container written by avsc's own encoder (null codec, several blocks), and refuses a truncated one", async () => {
  const { default: avro } = await import("avsc");
  const type = avro.Type.forSchema({
    type: "record",
    name: "P",
    fields: [
      { name: "k", type: "string" },
      { name: "v", type: ["null", "double"] },
    ],
  });
  const written = Array.from({ length: 3000 }, (_, i) => ({ k: `k${i % 11}`, v: i % 4 === 0 ? null : i / 3 }));
  const encoder = new avro.streams.BlockEncoder(type, { codec: "null", blockSize: 4096 });
  const chunks: Buffer[] = [];
  encoder.on("data", (c: Buffer) => chunks.push(c));
  const done = new Promise((r) => encoder.on("end", r));
  for (const r of written) encoder.write(r);
  encoder.end();
  await done;
  const file = Buffer.concat(chunks);
  const path = join(dir, "by-avsc.avro");
  writeFileSync(path, file);
  assert.deepEqual(await sc.avroFile(path).collect(), written);
  writeFileSync(path, file.subarray(0, file.length - 100));
  await assert.rejects(
    sc.avroFile(path).collect(),
    /by-avsc\.avro is not a readable Avro file: (truncated block|bad sync marker)/,
  );
});
