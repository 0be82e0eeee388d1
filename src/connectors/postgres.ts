import type pg from "pg";
import type { BatchSink, SinkBatch } from "../streaming/sink.js";
import { IllegalArgumentError, SluiceError } from "../util/errors.js";
import { lazyModule } from "../util/lazy.js";

const pgLib = lazyModule<typeof import("pg")>("pg");

/** Options of `saveToPostgres`. */
export interface PostgresSinkOptions {
  /** A connection string, such as `postgres://postgres@127.0.0.1:5432/test`. */
  readonly url: string;
  /** `upsert`: rows replace earlier rows with the same key (needs `key`); `append`: rows are added once per batch. */
  readonly mode: "upsert" | "append";
  /** Key columns for `upsert`. */
  readonly key?: readonly string[];
  /**
   * Identifies the job in the `sluice_commits` table. Default: the job's own id, kept in its
   * checkpoint (so two jobs writing one table never take each other's batches for their own).
   */
  readonly jobId?: string;
  /** Add columns the table lacks for fields the rows have (default: such a batch is an error naming them). */
  readonly addColumns?: boolean;
}

type Row = Record<string, unknown>;
const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;
/** PostgreSQL's longest identifier, in bytes (NAMEDATALEN - 1). */
const MAX_IDENT_BYTES = 63;

/** `table` or `schema.table`, quoted part by part, and its parts. */
function tableName(table: string): { sql: string; schema: string | undefined; name: string } {
  const parts = table.split(".");
  if (parts.length > 2 || parts.some((p) => p === "")) {
    throw new IllegalArgumentError(`saveToPostgres table must be "table" or "schema.table", got "${table}"`);
  }
  const [schema, name] = parts.length === 2 ? [parts[0], parts[1]!] : [undefined, parts[0]!];
  return { sql: parts.map(ident).join("."), schema, name };
}

function pgType(v: unknown): string {
  switch (typeof v) {
    case "number":
      return Number.isInteger(v) ? "BIGINT" : "DOUBLE PRECISION";
    case "boolean":
      return "BOOLEAN";
    case "bigint":
      return "NUMERIC";
    case "string":
      return "TEXT";
    default:
      return v instanceof Date ? "TIMESTAMPTZ" : "JSONB";
  }
}

/** Why a row cannot be a table row (an empty or over-long field name), or undefined. */
function rowProblem(row: unknown): string | undefined {
  if (row === null || typeof row !== "object" || Array.isArray(row)) return "a row must be an object of columns";
  for (const key of Object.keys(row)) {
    if (key === "") return "a field has an empty name";
    if (Buffer.byteLength(key) > MAX_IDENT_BYTES) {
      return `the field name "${key.slice(0, 20)}…" is longer than PostgreSQL's ${MAX_IDENT_BYTES} bytes`;
    }
  }
  return undefined;
}

const sqlValue = (v: unknown) => (v !== null && typeof v === "object" && !(v instanceof Date) ? JSON.stringify(v) : v);

/**
 * Writes one batch's rows to a PostgreSQL table in one transaction, idempotently, keyed by the
 * job and the batch time: `append` records (job, output, batch time) in `sluice_commits` and
 * writes rows only if that record is new, so a re-run batch adds nothing; `upsert` replaces rows
 * by key and never lets an older batch overwrite a newer one. The table is created from the
 * rows' fields when missing; fields it lacks are an error naming them (or added, with
 * `addColumns`). A row PostgreSQL refuses (a value of the wrong type, say) is found by halving
 * the failing insert and handed to the record-error policy (`spark.sluice.onRecordError`).
 */
export async function writeBatchToPostgres(
  table: string,
  batch: SinkBatch<Row>,
  opts: PostgresSinkOptions,
): Promise<void> {
  checkPostgresOptions(table, opts);
  const target = tableName(table);
  const where = `saveToPostgres ${table}`;
  const rows: Row[] = [];
  for (const r of batch.records) {
    const problem = rowProblem(r);
    if (problem) await batch.recordErrors.refuse(r, new Error(problem), where);
    else rows.push(r);
  }
  const pool = await batch.connections.get(
    `postgres ${opts.url}`,
    () => new (pgLib().Pool)({ connectionString: opts.url, max: 2 }),
    (p: pg.Pool) => p.end(),
  );
  const client = await pool.connect().catch((err: Error) => {
    throw new SluiceError(`cannot reach PostgreSQL at ${opts.url}: ${err.message}`, { cause: err });
  });
  try {
    await client.query("BEGIN");
    await client.query(
      `CREATE TABLE IF NOT EXISTS sluice_commits (job_id TEXT, output_id INT, batch_time BIGINT, PRIMARY KEY ` +
        `(job_id, output_id, batch_time))`,
    );
    const marker = await client.query(`INSERT INTO sluice_commits VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, [
      opts.jobId ?? batch.jobId,
      batch.outputId,
      batch.time,
    ]);
    if (marker.rowCount === 0 && opts.mode === "append") {
      await client.query("ROLLBACK"); // this batch was written before: nothing to do
      return;
    }
    if (rows.length > 0) {
      const cols = await prepareTable(client, target, rows, opts);
      const insert = insertSql(target.sql, cols, opts, batch.time);
      await insertRows(client, rows, insert, (row, err) => batch.recordErrors.refuse(row, err, where));
    }
    await client.query("COMMIT");
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/** Creates the table from the rows' fields, or checks (and with `addColumns` adds) the columns they need. */
async function prepareTable(
  client: pg.PoolClient,
  target: ReturnType<typeof tableName>,
  rows: readonly Row[],
  opts: PostgresSinkOptions,
): Promise<string[]> {
  const cols: string[] = [];
  const seen = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r)) if (!seen.has(k)) (seen.add(k), cols.push(k));
  const typeOf = (c: string) => pgType(rows.find((r) => r[c] !== null && r[c] !== undefined)?.[c]);
  const existing = await client.query<{ column_name: string }>(
    `SELECT column_name FROM information_schema.columns WHERE table_name = $1 AND table_schema = ` +
      `${target.schema === undefined ? "current_schema()" : "$2"}`,
    target.schema === undefined ? [target.name] : [target.name, target.schema],
  );
  if (existing.rows.length === 0) {
    const defs = cols.map((c) => `${ident(c)} ${typeOf(c)}`);
    const extra =
      opts.mode === "upsert" ? `, "_batch_time" BIGINT, PRIMARY KEY (${opts.key!.map(ident).join(", ")})` : "";
    await client.query(`CREATE TABLE IF NOT EXISTS ${target.sql} (${defs.join(", ")}${extra})`);
    return cols;
  }
  const have = new Set(existing.rows.map((r) => r.column_name));
  const missing = cols.filter((c) => !have.has(c));
  if (missing.length > 0 && !opts.addColumns) {
    throw new SluiceError(
      `saveToPostgres: table ${target.sql} has no column ${missing.map((c) => `"${c}"`).join(", ")} for fields of ` +
        `this batch's rows; add the column(s), drop the fields, or pass { addColumns: true }`,
    );
  }
  for (const c of missing)
    await client.query(`ALTER TABLE ${target.sql} ADD COLUMN IF NOT EXISTS ${ident(c)} ${typeOf(c)}`);
  return cols;
}

/** The INSERT of `n` rows' values (numbered from $1), for `cols`. */
function insertSql(table: string, cols: readonly string[], opts: PostgresSinkOptions, batchTime: number) {
  const allCols = opts.mode === "upsert" ? [...cols, "_batch_time"] : [...cols];
  return (chunk: readonly Row[]): { sql: string; values: unknown[] } => {
    const values: unknown[] = [];
    const tuples = chunk.map((r) => {
      const vs = cols.map((c) => sqlValue(r[c] ?? null));
      if (opts.mode === "upsert") vs.push(batchTime);
      return `(${vs.map((v) => `$${values.push(v)}`).join(", ")})`;
    });
    let sql = `INSERT INTO ${table} (${allCols.map(ident).join(", ")}) VALUES ${tuples.join(", ")}`;
    if (opts.mode === "upsert") {
      const sets = allCols
        .filter((c) => !opts.key!.includes(c))
        .map((c) => `${ident(c)} = EXCLUDED.${ident(c)}`)
        .join(", ");
      sql +=
        ` ON CONFLICT (${opts.key!.map(ident).join(", ")}) DO UPDATE SET ${sets} WHERE ` +
        `${table}."_batch_time" <= EXCLUDED."_batch_time"`;
    }
    return { sql, values };
  };
}

/**
 * Inserts `rows` 500 at a time, each chunk under a savepoint; a chunk PostgreSQL refuses is
 * halved until the refused rows are found, and each is handed to `refuse` (which throws under
 * the `fail` policy, failing the batch with the row named).
 */
async function insertRows(
  client: pg.PoolClient,
  rows: readonly Row[],
  insert: (chunk: readonly Row[]) => { sql: string; values: unknown[] },
  refuse: (row: Row, err: Error) => Promise<void>,
): Promise<void> {
  const attempt = async (chunk: readonly Row[]): Promise<void> => {
    const { sql, values } = insert(chunk);
    await client.query("SAVEPOINT sluice_chunk");
    try {
      await client.query(sql, values);
      await client.query("RELEASE SAVEPOINT sluice_chunk");
    } catch (err) {
      await client.query("ROLLBACK TO SAVEPOINT sluice_chunk");
      if (chunk.length === 1) return refuse(chunk[0]!, err as Error);
      const half = Math.ceil(chunk.length / 2);
      await attempt(chunk.slice(0, half));
      await attempt(chunk.slice(half));
    }
  };
  for (let start = 0; start < rows.length; start += 500) await attempt(rows.slice(start, start + 500));
}

function checkPostgresOptions(table: string, opts: PostgresSinkOptions): void {
  if (opts.mode === "upsert" && !opts.key?.length)
    throw new IllegalArgumentError(`saveToPostgres("${table}") in upsert mode needs key columns`);
  tableName(table);
}

/** `stream.saveToPostgres(table, opts)` as a sink: each batch's rows written once, by job and batch time. */
export function postgresSink(table: string, opts: PostgresSinkOptions): BatchSink<Row> {
  checkPostgresOptions(table, opts);
  return { name: "saveToPostgres", write: (b) => writeBatchToPostgres(table, b, opts) };
}
