import assert from "node:assert/strict";
import { after, test } from "node:test";
import { Connections } from "../../src/util/connections.js";
import pg from "pg";
import { ManualClock, SparkContext, StreamingContext } from "../../src/index.js";
import { writeBatchToPostgres } from "../../src/connectors/postgres.js";
import { POSTGRES_URL, postgresOrSkip } from "../helpers/services.js";

const URL = POSTGRES_URL;
const conns = new Connections(); // what a context would own
after(() => conns.closeAll());

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
  await client.query(`DROP TABLE IF EXISTS "${table}"`);
  await client.query(`DELETE FROM sluice_commits WHERE job_id = $1`, [table]).catch(() => undefined);
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
  for (let i = 0; i < 3; i++) {
    clock.advance(1000);
    await ssc.scheduler.whenIdle();
  }
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
  await writeBatchToPostgres(conns, append, batch, 1000, 0, { url: URL, mode: "append" });
  await writeBatchToPostgres(conns, append, batch, 1000, 0, { url: URL, mode: "append" });
  await writeBatchToPostgres(conns, append, [{ id: 3, word: "otra" }], 2000, 0, { url: URL, mode: "append" });
  assert.deepEqual(
    (await rows(append, "id")).map((r) => [Number(r.id), r.word]),
    [
      [1, "hola"],
      [2, "mundo"],
      [3, "otra"],
    ],
  );
  await writeBatchToPostgres(conns, upsert, [{ k: "x", v: 2 }], 2000, 0, { url: URL, mode: "upsert", key: ["k"] });
  await writeBatchToPostgres(conns, upsert, [{ k: "x", v: 1 }], 1000, 0, { url: URL, mode: "upsert", key: ["k"] });
  assert.deepEqual(
    (await rows(upsert, "k")).map((r) => Number(r.v)),
    [2],
  );
  await assert.rejects(
    writeBatchToPostgres(conns, upsert, [], 1, 0, { url: URL, mode: "upsert" }),
    /needs key columns/,
  );
  await drop(append);
  await drop(upsert);
});
