import assert from "node:assert/strict";
import { after, test } from "node:test";
import { Connections } from "../../src/util/connections.js";
import pg from "pg";
import { ManualClock, SparkContext, StreamingContext } from "../../src/index.js";
import { writeBatchToPostgres } from "../../src/connectors/postgres.js";
import type { SinkBatch } from "../../src/streaming/sink.js";
import { RecordErrorPolicy } from "../../src/util/record-errors.js";
import { POSTGRES_URL as URL, postgresOrSkip } from "../helpers/services.js";
import { tempDir } from "../helpers/context.js";
import { runFor } from "../helpers/source-jobs.js";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const conns = new Connections(); // what a context would own
after(() => conns.closeAll());

/** This run's job id: batch markers of earlier runs of these tests stay in sluice_commits. */
const RUN = `job-${process.pid}-${Date.now()}`;

/** A batch as a sink gets it, for job `jobId`, under the record-error policy `policy`. */
function batchOf(
  records: Record<string, unknown>[],
  time: number,
  policy = new RecordErrorPolicy("fail"),
  jobId = RUN,
): SinkBatch<Record<string, unknown>> {
  return { records, time, outputId: 0, connections: conns, jobId, recordErrors: policy };
}

async function rows(table: string, order: string): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: URL });
  await client.connect();
  try {
    return (await client.query(`SELECT * FROM "${table}" ORDER BY ${order}`)).rows;
  } finally {
    await client.end();
  }
}

async function drop(table: string): Promise<void> {
  const client = new pg.Client({ connectionString: URL });
  await client.connect();
  await client.query(
    `DROP TABLE IF EXISTS ${table
      .split(".")
      .map((p) => `"${p}"`)
      .join(".")}`,
  );
  await client.end();
}

test("saveToPostgres upserts each batch's rows by key: the table holds the latest values", async (t) => {
  if (!(await postgresOrSkip(URL, t))) return;
  const table = `sluice_upsert_${process.pid}`;
  await drop(table);
  const sc = new SparkContext("local[2]", "pg");
  const clock = new ManualClock(0);
  const ssc = new StreamingContext(sc, 1, { clock, out: () => {} });
  const batches = [
    [
      { user: "ana", total: 1 },
      { user: "bo", total: 2 },
    ],
    [{ user: "ana", total: 5 }],
    [
      { user: "cy", total: 7 },
      { user: "bo", total: 3 },
    ],
  ];
  ssc.queueStream(batches.map((b) => [...b])).saveToPostgres(table, { url: URL, mode: "upsert", key: ["user"] });
  ssc.start();
  await runFor(ssc, clock, 3);
  await ssc.stop();
  assert.deepEqual(
    (await rows(table, '"user"')).map((r) => [r.user, Number(r.total), Number(r._batch_time)]),
    [
      ["ana", 5, 2000],
      ["bo", 3, 3000],
      ["cy", 7, 3000],
    ],
  );
  await drop(table);
});

test("a batch written again (a re-run after a crash) adds nothing in append mode, and an older batch never overwrites a newer one", async (t) => {
  if (!(await postgresOrSkip(URL, t))) return;
  const append = `sluice_append_${process.pid}`;
  const upsert = `sluice_upsert2_${process.pid}`;
  await drop(append);
  await drop(upsert);
  const batch = [
    { id: 1, word: "hola" },
    { id: 2, word: "mundo", meta: { n: 1 } },
  ];
  const job = `job-${process.pid}-${Date.now()}`;
  await writeBatchToPostgres(append, batchOf(batch, 1000, undefined, job), { url: URL, mode: "append" });
  await writeBatchToPostgres(append, batchOf(batch, 1000, undefined, job), { url: URL, mode: "append" });
  await writeBatchToPostgres(append, batchOf([{ id: 3, word: "otra" }], 2000, undefined, job), {
    url: URL,
    mode: "append",
  });
  assert.deepEqual(
    (await rows(append, "id")).map((r) => [Number(r.id), r.word, r.meta]),
    [
      [1, "hola", null],
      [2, "mundo", { n: 1 }],
      [3, "otra", null],
    ],
  );
  const up = { url: URL, mode: "upsert", key: ["k"] } as const;
  await writeBatchToPostgres(upsert, batchOf([{ k: "x", v: 2 }], 2000, undefined, job), up);
  await writeBatchToPostgres(upsert, batchOf([{ k: "x", v: 1 }], 1000, undefined, job), up);
  assert.deepEqual(
    (await rows(upsert, "k")).map((r) => Number(r.v)),
    [2],
  );
  await assert.rejects(writeBatchToPostgres(upsert, batchOf([], 1), { url: URL, mode: "upsert" }), /needs key columns/);
  await drop(append);
  await drop(upsert);
});

/** Runs `n` batches of a job appending `{ job, i }` rows to `table`, with its own checkpoint. */
async function appendingJob(name: string, table: string, n: number): Promise<void> {
  const clock = new ManualClock(0);
  const ssc = new StreamingContext(new SparkContext("local[1]", name), 1, { clock, out: () => {} });
  ssc.checkpoint(tempDir(`sluice-pg-${name}-`));
  ssc
    .queueStream(Array.from({ length: n }, (_, i) => [{ job: name, i }]))
    .saveToPostgres(table, { url: URL, mode: "append" });
  ssc.start();
  for (let i = 0; i < n; i++) {
    clock.advance(1000);
    await ssc.scheduler.whenIdle();
  }
  await ssc.stop();
}

test("two jobs appending to one table with the same batch times each write all their batches", async (t) => {
  if (!(await postgresOrSkip(URL, t))) return;
  const table = `sluice_two_jobs_${process.pid}`;
  await drop(table);
  await appendingJob("first", table, 6);
  await appendingJob("second", table, 6);
  const got = (await rows(table, "job, i")).map((r) => `${r.job}:${r.i}`);
  const expected = ["first", "second"].flatMap((j) => Array.from({ length: 6 }, (_, i) => `${j}:${i}`));
  assert.deepEqual(got, expected);
  await drop(table);
});

test("fields the table lacks are an error naming them, or added with addColumns; schema-qualified names work", async (t) => {
  if (!(await postgresOrSkip(URL, t))) return;
  const schema = `sluice_schema_${process.pid}`;
  const table = `${schema}.events`;
  const client = new pg.Client({ connectionString: URL });
  await client.connect();
  await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
  try {
    const opts = { url: URL, mode: "append" } as const;
    // the first batch's rows differ: the table gets every field of every row
    await writeBatchToPostgres(table, batchOf([{ a: 1 }, { a: 2, b: "x" }], 1000), opts);
    await assert.rejects(writeBatchToPostgres(table, batchOf([{ a: 3, c: true, d: 1.5 }], 2000), opts), (e: Error) => {
      assert.match(e.message, /has no column "c", "d" for fields of this batch's rows/);
      return true;
    });
    await writeBatchToPostgres(table, batchOf([{ a: 3, c: true, d: 1.5 }], 2000), { ...opts, addColumns: true });
    const got = (await client.query(`SELECT * FROM "${schema}".events ORDER BY a`)).rows;
    assert.deepEqual(
      got.map((r) => [Number(r.a), r.b, r.c, r.d]),
      [
        [1, null, null, null],
        [2, "x", null, null],
        [3, null, true, 1.5],
      ],
    );
  } finally {
    await client.query(`DROP SCHEMA "${schema}" CASCADE`);
    await client.end();
  }
});

test("rows PostgreSQL refuses, and fields with an empty or over-long name, go to the record-error policy; the rest are written", async (t) => {
  if (!(await postgresOrSkip(URL, t))) return;
  const table = `sluice_bad_rows_${process.pid}`;
  await drop(table);
  const opts = { url: URL, mode: "append" } as const;
  await writeBatchToPostgres(table, batchOf([{ id: 1, n: 10 }], 1000, undefined, `${RUN}-bad`), opts);
  const rowsIn = [
    { id: 2, n: 20 },
    { id: 3, n: "not a number" },
    { id: 4, n: 40 },
    { id: 5, "": 1 },
    { id: 6, ["x".repeat(64)]: 1 },
    { id: 7, n: 70 },
  ];
  // under the default policy the batch fails, naming the record and the cause
  await assert.rejects(
    writeBatchToPostgres(table, batchOf(rowsIn, 2000, undefined, `${RUN}-bad`), opts),
    /refused the record \{"id":5,"":1\}: a field has an empty name/,
  );
  await assert.rejects(
    writeBatchToPostgres(table, batchOf(rowsIn.slice(0, 3), 2000, undefined, `${RUN}-bad`), opts),
    /saveToPostgres sluice_bad_rows_\d+ refused the record \{"id":3,"n":"not a number"\}: invalid input syntax for type bigint/,
  );
  // dead-lettered: the others are written, each refused row is in the dead-letter file with why
  const dir = tempDir("sluice-pg-dead-");
  const policy = new RecordErrorPolicy("deadLetter", join(dir, "dead.jsonl"));
  await writeBatchToPostgres(table, batchOf(rowsIn, 2000, policy, `${RUN}-bad`), opts);
  assert.deepEqual(
    (await rows(table, "id")).map((r) => [Number(r.id), Number(r.n)]),
    [
      [1, 10],
      [2, 20],
      [4, 40],
      [7, 70],
    ],
  );
  const letters = readFileSync(join(dir, "dead.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
  assert.deepEqual(
    letters.map((l) => [JSON.parse(l.payload).id, l.source]).sort(),
    [3, 5, 6].map((id) => [id, `saveToPostgres ${table}`]),
  );
  assert.match(letters.find((l) => JSON.parse(l.payload).id === 5).error, /empty name/);
  assert.equal(policy.total, 3);
  await drop(table);
});
