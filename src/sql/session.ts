import { resolve } from "node:path";
import { SparkConf } from "../core/conf.js";
import { SparkContext } from "../core/context.js";
import { IllegalArgumentError } from "../util/errors.js";
import { RDD } from "../core/rdd.js";
import { DataFrame, type Plan, type Row, type Source } from "./dataframe.js";
import { ident, literal, SqlEngine, type Result } from "./engine.js";
import { checkRows, SqlError, type StructType, type SqlTypeName } from "./types.js";

let nextTable = 0;
const ACTIVE = Symbol.for("sluice.activeSparkSession");
const registry = globalThis as unknown as { [ACTIVE]?: SparkSession };

/**
 * DataFrames and SQL over the SparkContext's data, on DuckDB. One session per process, made
 * with `SparkSession.builder.appName(...).getOrCreate()`; it shares the active SparkContext.
 * @example const spark = SparkSession.builder.appName("sql").getOrCreate(); (await spark.sql("select 1 AS x")).show()
 */
export class SparkSession {
  readonly engine = new SqlEngine();
  private readonly views = new Map<string, DataFrame>();
  private readonly loaded = new Set<string>();
  /** The columns each temp view's rows last had (an empty batch without a schema borrows them). */
  private readonly viewColumns = new Map<string, string[]>();
  /** Loaded tables that had no rows and no schema (so no columns to name). */
  private readonly columnless = new Set<string>();
  /** Where `show` prints; stdout by default. */
  out: (text: string) => void = (t) => void process.stdout.write(t);

  private constructor(readonly sparkContext: SparkContext) {}

  /** `SparkSession.builder.appName(n).master(m).config(k, v).getOrCreate()`. */
  static get builder(): SessionBuilder {
    return new SessionBuilder();
  }

  static getActiveSession(): SparkSession | undefined {
    const s = registry[ACTIVE];
    return s && !s.sparkContext.isStopped ? s : undefined;
  }

  /** @internal used by the builder */
  static forContext(sc: SparkContext): SparkSession {
    const active = SparkSession.getActiveSession();
    if (active && active.sparkContext === sc) return active;
    const session = new SparkSession(sc);
    registry[ACTIVE] = session;
    return session;
  }

  /**
   * A DataFrame of objects (columns from their keys), of arrays with `schema` naming the
   * columns, or of an RDD of either. With a `StructType`, every row is checked against it.
   */
  createDataFrame(data: RDD<unknown> | readonly unknown[], schema?: StructType | string[]): DataFrame {
    const struct = Array.isArray(schema) ? undefined : (schema as StructType | undefined);
    const names = Array.isArray(schema) ? schema : struct?.names;
    const toRow = (x: unknown, i: number): Row => {
      if (Array.isArray(x)) {
        if (!names) throw new IllegalArgumentError(`row ${i} is an array: give the column names as the schema`);
        return Object.fromEntries(names.map((n, j) => [n, x[j] ?? null]));
      }
      if (x === null || typeof x !== "object") {
        if (names?.length === 1) return { [names[0]!]: x };
        throw new IllegalArgumentError(`row ${i} is ${JSON.stringify(x)}, not an object or an array: createDataFrame needs records`);
      }
      return x as Row;
    };
    const collectRows = async (): Promise<Row[]> => {
      const raw = data instanceof RDD ? await data.collect() : [...data];
      const rows = raw.map(toRow);
      if (struct) checkRows(rows, struct);
      return rows;
    };
    const source: Source = { table: `__sluice_df_${nextTable++}`, rows: collectRows, schema: struct, columns: names };
    return new DataFrame(this, { sql: `SELECT * FROM ${ident(source.table)}`, sources: [source] });
  }

  /** Runs `query` over the registered temp views when an action needs its rows. */
  sql(query: string): DataFrame {
    return new DataFrame(this, { sql: query, sources: [] });
  }

  get read(): DataFrameReader {
    return new DataFrameReader(this);
  }

  /** @internal */
  registerView(name: string, df: DataFrame): void {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new IllegalArgumentError(`temp view name "${name}" must be a plain identifier`);
    const old = this.views.get(name);
    this.views.set(name, df);
    if (old) void this.dropUnused(old);
  }

  /** Drops the tables of a replaced view no other view uses (a stream replaces its view every batch). */
  private async dropUnused(old: DataFrame): Promise<void> {
    const inUse = new Set([...this.views.values()].flatMap((v) => v.plan.sources.map((s) => s.table)));
    for (const s of old.plan.sources) {
      if (inUse.has(s.table) || !this.loaded.has(s.table)) continue;
      this.loaded.delete(s.table);
      this.columnless.delete(s.table);
      await this.engine.serially(() => this.engine.query(`DROP TABLE IF EXISTS ${ident(s.table)}`));
    }
  }

  /** Loads what a plan needs (its sources, the views its query names), then runs it. */
  execute(plan: Plan): Promise<Result> {
    return this.engine.serially(async () => {
      const emptyViews: string[] = [];
      for (const [name, df] of this.views) {
        if (!new RegExp(`\\b${name}\\b`, "i").test(plan.sql)) continue;
        // an empty batch with no schema borrows the columns the view's rows had before (as text)
        const single = df.plan.sources.length === 1 ? df.plan.sources[0]! : undefined;
        const empty = await this.load(df.plan.sources, single ? this.viewColumns.get(name) : undefined);
        if (empty) emptyViews.push(name);
        else if (single && !this.columnless.has(single.table)) this.viewColumns.set(name, (await this.engine.query(`SELECT * FROM ${ident(single.table)} LIMIT 0`)).columns);
        await this.engine.query(`CREATE OR REPLACE TEMP VIEW ${ident(name)} AS ${df.plan.sql}`);
      }
      await this.load(plan.sources);
      try {
        return await this.engine.query(plan.sql);
      } catch (err) {
        // an empty batch with no schema has no columns to name: its queries give no rows
        if (err instanceof SqlError && emptyViews.length > 0) return { columns: [], rows: [] };
        throw err;
      }
    });
  }

  /** Loads sources not loaded yet; true when one of them had no rows, no schema and no `fallbackColumns`. */
  private async load(sources: readonly Source[], fallbackColumns?: readonly string[]): Promise<boolean> {
    let emptyWithoutSchema = false;
    for (const s of sources) {
      if (this.loaded.has(s.table)) {
        if (this.columnless.has(s.table)) emptyWithoutSchema = true;
        continue;
      }
      const rows = await s.rows();
      const columns = s.columns ?? (rows.length === 0 && !s.schema ? fallbackColumns : undefined);
      if (rows.length === 0 && !s.schema && !columns) {
        emptyWithoutSchema = true;
        this.columnless.add(s.table);
      }
      await this.engine.loadRows(s.table, rows, s.schema, columns);
      this.loaded.add(s.table);
    }
    return emptyWithoutSchema;
  }

  async stop(): Promise<void> {
    if (registry[ACTIVE] === this) delete registry[ACTIVE];
    await this.engine.close();
    await this.sparkContext.stop();
  }
}

/** `spark.read.json/csv/parquet(path)`: a file, a directory of part files, or a glob. */
export class DataFrameReader {
  constructor(private readonly session: SparkSession) {}

  private from(fn: string, path: string, ext: string): DataFrame {
    const abs = resolve(path);
    const pattern = /[*?]/.test(path) || abs.endsWith(`.${ext}`) ? abs : `${abs}/*.${ext}`;
    return new DataFrame(this.session, { sql: `SELECT * FROM ${fn}(${literal(pattern)})`, sources: [] });
  }

  json(path: string): DataFrame {
    return this.from("read_json_auto", path, "json");
  }

  csv(path: string): DataFrame {
    return this.from("read_csv_auto", path, "csv");
  }

  parquet(path: string): DataFrame {
    return this.from("read_parquet", path, "parquet");
  }
}

/** Builds or finds the session (and its SparkContext). */
export class SessionBuilder {
  private readonly conf = new SparkConf();

  appName(name: string): this {
    this.conf.setAppName(name);
    return this;
  }

  master(master: string): this {
    this.conf.setMaster(master);
    return this;
  }

  config(key: string, value: string | number | boolean): this {
    this.conf.set(key, value);
    return this;
  }

  getOrCreate(): SparkSession {
    return SparkSession.forContext(SparkContext.getOrCreate(this.conf));
  }
}

export type { SqlTypeName };
