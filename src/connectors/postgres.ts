import type pg from "pg";
import type { BatchSink } from "../streaming/sink.js";
import type { Connections } from "../util/connections.js";
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
  /** Identifies the job in the `sluice_commits` table (default: the table name). */
  readonly jobId?: string;
}

type Row = Record<string, unknown>;
const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;

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

/**
 * Writes one batch's rows to a PostgreSQL table in one transaction, idempotently, keyed by the
 * batch time: `append` records (job, output, batch time) in `sluice_commits` and writes rows
 * only if that record is new, so a re-run batch adds nothing; `upsert` replaces rows by key
 * and never lets an older batch overwrite a newer one. The table is created from the first
 * rows' columns when missing.
 */
export async function writeBatchToPostgres(
  conns: Connections,
  table: string,
  rows: readonly Row[],
  batchTime: number,
  outputId: number,
  opts: PostgresSinkOptions,
): Promise<void> {
  checkPostgresOptions(table, opts);
  const pool = await conns.get(
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
      opts.jobId ?? table,
      outputId,
      batchTime,
    ]);
    if (marker.rowCount === 0 && opts.mode === "append") {
      await client.query("ROLLBACK"); // this batch was written before: nothing to do
      return;
    }
    if (rows.length > 0) {
      const cols = Object.keys(rows[0]!);
      const defs = cols.map((c) => `${ident(c)} ${pgType(rows.find((r) => r[c] !== null && r[c] !== undefined)?.[c])}`);
      const extra =
        opts.mode === "upsert" ? `, "_batch_time" BIGINT, PRIMARY KEY (${opts.key!.map(ident).join(", ")})` : "";
      await client.query(`CREATE TABLE IF NOT EXISTS ${ident(table)} (${defs.join(", ")}${extra})`);
      const allCols = opts.mode === "upsert" ? [...cols, "_batch_time"] : cols;
      for (let start = 0; start < rows.length; start += 500) {
        const chunk = rows.slice(start, start + 500);
        const values: unknown[] = [];
        const tuples = chunk.map((r) => {
          const vs = cols.map((c) => {
            const v = r[c];
            return v !== null && typeof v === "object" && !(v instanceof Date) ? JSON.stringify(v) : v;
          });
          if (opts.mode === "upsert") vs.push(batchTime);
          return `(${vs.map((v) => `$${values.push(v)}`).join(", ")})`;
        });
        let sql = `INSERT INTO ${ident(table)} (${allCols.map(ident).join(", ")}) VALUES ${tuples.join(", ")}`;
        if (opts.mode === "upsert") {
          const sets = allCols
            .filter((c) => !opts.key!.includes(c))
            .map((c) => `${ident(c)} = EXCLUDED.${ident(c)}`)
            .join(", ");
          sql +=
            ` ON CONFLICT (${opts.key!.map(ident).join(", ")}) DO UPDATE SET ${sets} WHERE ` +
            `${ident(table)}."_batch_time" <= EXCLUDED."_batch_time"`;
        }
        await client.query(sql, values);
      }
    }
    await client.query("COMMIT");
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

function checkPostgresOptions(table: string, opts: PostgresSinkOptions): void {
  if (opts.mode === "upsert" && !opts.key?.length)
    throw new IllegalArgumentError(`saveToPostgres("${table}") in upsert mode needs key columns`);
}

/** `stream.saveToPostgres(table, opts)` as a sink: each batch's rows written once, by batch time. */
export function postgresSink(table: string, opts: PostgresSinkOptions): BatchSink<Row> {
  checkPostgresOptions(table, opts);
  return {
    name: "saveToPostgres",
    write: (b) => writeBatchToPostgres(b.connections, table, b.records, b.time, b.outputId, opts),
  };
}
