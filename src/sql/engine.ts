import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { plainInteger } from "../util/formats/columns.js";
import { lazyModule } from "../util/lazy.js";

const duckdb = lazyModule<typeof import("@duckdb/node-api")>("@duckdb/node-api");
import { SQL_TYPES, SqlError, inferColumns, type StructType } from "./types.js";

/** A result: column names in order and one plain object per row. */
export interface Result {
  readonly columns: string[];
  readonly rows: Record<string, unknown>[];
}

/** Quotes an identifier for SQL. */
export const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;
/** Quotes a string literal for SQL. */
export const literal = (s: string) => `'${s.replace(/'/g, "''")}'`;

/**
 * The SQL engine under DataFrames: one in-memory DuckDB database per session, queries run
 * one at a time. Rows from JS are loaded through newline-delimited JSON files.
 */
export class SqlEngine {
  private connection: Promise<DuckDBConnection> | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private readonly dir = mkdtempSync(join(tmpdir(), "sluice-sql-"));
  private files = 0;

  private connect(): Promise<DuckDBConnection> {
    this.connection ??= duckdb()
      .DuckDBInstance.create(":memory:")
      .then((db) => db.connect());
    return this.connection;
  }

  /** Runs `work` after every earlier query. */
  serially<T>(work: () => Promise<T>): Promise<T> {
    const next = this.chain.then(work);
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** Runs a query (inside `serially`), turning engine errors into `SqlError` with the query. */
  async query(sql: string): Promise<Result> {
    const con = await this.connect();
    try {
      const reader = await con.runAndReadAll(sql);
      return { columns: reader.columnNames(), rows: reader.getRowObjectsJS().map(toPlainRow) };
    } catch (err) {
      throw new SqlError(sql, err);
    }
  }

  /**
   * Creates table `table` from rows: with a schema, exactly its columns and types; otherwise
   * the columns and types found in the rows (timestamps kept as timestamps).
   */
  async loadRows(
    table: string,
    rows: readonly Record<string, unknown>[],
    schema?: StructType,
    names?: readonly string[],
  ): Promise<void> {
    if (rows.length === 0) {
      const cols = schema
        ? schema.fields.map((f) => `${ident(f.name)} ${SQL_TYPES[f.dataType]}`)
        : (names ?? ["__empty"]).map((n) => `${ident(n)} VARCHAR`);
      await this.query(`CREATE OR REPLACE TABLE ${ident(table)} (${cols.join(", ")})`);
      return;
    }
    const path = join(this.dir, `rows-${this.files++}.json`);
    writeFileSync(
      path,
      rows.map((r) => JSON.stringify(r, (_k, v) => (typeof v === "bigint" ? Number(v) : v))).join("\n") + "\n",
    );
    try {
      if (schema) {
        const fields = schema.fields.map((f) => `${literal(f.name)}: ${literal(SQL_TYPES[f.dataType])}`);
        const columns = `{${fields.join(", ")}}`;
        await this.query(
          `CREATE OR REPLACE TABLE ${ident(table)} AS SELECT * FROM read_json(${literal(path)}, ` +
            `format='newline_delimited', records=true, columns=${columns})`,
        );
      } else {
        const types = inferColumns(rows);
        const stamps = [...types]
          .filter(([, t]) => t === "timestamp")
          .map(([n]) => `CAST(${ident(n)} AS TIMESTAMP) AS ${ident(n)}`);
        const select = stamps.length ? `* REPLACE (${stamps.join(", ")})` : "*";
        await this.query(
          `CREATE OR REPLACE TABLE ${ident(table)} AS SELECT ${select} FROM read_json(${literal(path)}, ` +
            `format='newline_delimited', records=true, sample_size=-1)`,
        );
      }
    } finally {
      rmSync(path, { force: true });
    }
  }

  async close(): Promise<void> {
    const con = this.connection;
    this.connection = undefined;
    if (con) (await con).closeSync();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** DuckDB's JS values made plain: safe BIGINTs become numbers. */
function toPlainRow(row: Record<string, unknown>): Record<string, unknown> {
  for (const [k, v] of Object.entries(row)) row[k] = plain(v);
  return row;
}

function plain(v: unknown): unknown {
  if (typeof v === "bigint") return plainInteger(v);
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === "object" && !(v instanceof Date)) {
    for (const [k, x] of Object.entries(v)) (v as Record<string, unknown>)[k] = plain(x);
  }
  return v;
}
