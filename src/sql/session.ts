import { analysisError } from "./analysis.js";
import { resolve } from "node:path";
import { SparkConf } from "../core/conf.js";
import { SparkContext } from "../core/context.js";
import { IllegalArgumentError } from "../util/errors.js";
import { RDD } from "../core/rdd.js";
import { DataFrame, type Plan, type Row, type Source } from "./dataframe.js";
import { ident, literal, SqlEngine, type Result } from "./engine.js";
import { checkRows, SqlError, type StructType, type SqlTypeName } from "./types.js";
import { findViewRefs, renameViews, type ViewRefs } from "./views.js";

/** What one query run met: views whose batch had no rows and no schema (no columns to name). */
interface RunState {
  emptyViews: number;
  /** Engine view name → the temp view's name, for messages. */
  readonly names: Map<string, string>;
}

/** `err` as the user wrote the query: their text and their views' names, not the bound ones. */
function inUserTerms(err: SqlError, bound: string, query: string, names: ReadonlyMap<string, string>): SqlError {
  const fix = (text: string) => {
    let out = text.split(bound).join(query);
    for (const [made, name] of names) out = out.split(made).join(name);
    return out;
  };
  const cause = err.cause instanceof Error ? err.cause : new Error(String(err.cause));
  return new SqlError(fix(err.query), new Error(fix(cause.message), { cause }));
}

let nextTable = 0;

/**
 * DataFrames and SQL over the SparkContext's data, on DuckDB. One session per process, made
 * with `SparkSession.builder.appName(...).getOrCreate()`; it shares the active SparkContext.
 * @example const spark = SparkSession.builder.appName("sql").getOrCreate(); (await spark.sql("select 1 AS x")).show()
 */
export class SparkSession {
  /** The session of this process, if any. */
  private static active: SparkSession | undefined;
  readonly engine = new SqlEngine();
  /** Temp views by lower-case name (SQL names are case-insensitive). */
  private readonly views = new Map<string, DataFrame>();
  /** The engine view made for each bound DataFrame, under a name of its own. */
  private readonly madeViews = new WeakMap<DataFrame, string>();
  /** The bound views each plan's query reads, once parsed. */
  private readonly reads = new WeakMap<Plan, DataFrame[]>();
  private nextView = 0;
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
    const s = SparkSession.active;
    return s && !s.sparkContext.isStopped ? s : undefined;
  }

  /** @internal used by the builder */
  static forContext(sc: SparkContext): SparkSession {
    const active = SparkSession.getActiveSession();
    if (active && active.sparkContext === sc) return active;
    const session = new SparkSession(sc);
    SparkSession.active = session;
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
        throw new IllegalArgumentError(
          `row ${i} is ${JSON.stringify(x)}, not an object or an array: createDataFrame needs records`,
        );
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

  /**
   * `query` over the temp views as they are now (a view replaced later, by the next batch say,
   * does not change this DataFrame), run when an action needs its rows.
   */
  sql(query: string): DataFrame {
    return new DataFrame(this, { sql: query, sources: [], views: new Map(this.views) });
  }

  get read(): DataFrameReader {
    return new DataFrameReader(this);
  }

  /** @internal */
  registerView(name: string, df: DataFrame): void {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new IllegalArgumentError(`temp view name "${name}" must be a plain identifier`);
    }
    const key = name.toLowerCase();
    const old = this.views.get(key);
    this.views.set(key, df);
    if (old && old !== df) void this.dropUnused(old);
  }

  /** Drops the tables of a replaced view that no view still bound (directly or through others) uses. */
  private dropUnused(old: DataFrame): Promise<void> {
    return this.engine.serially(async () => {
      const inUse = new Set<string>();
      const seen = new Set<DataFrame>();
      for (const df of this.views.values()) await this.collectTables(df, inUse, seen);
      const gone = new Set<string>();
      await this.collectTables(old, gone, new Set());
      for (const table of gone) {
        if (inUse.has(table) || !this.loaded.has(table)) continue;
        this.loaded.delete(table);
        this.columnless.delete(table);
        await this.engine.query(`DROP TABLE IF EXISTS ${ident(table)}`);
      }
    });
  }

  /** The tables `df` reads, through the views it is bound to, transitively. */
  private async collectTables(df: DataFrame, out: Set<string>, seen: Set<DataFrame>): Promise<void> {
    if (seen.has(df)) return;
    seen.add(df);
    for (const s of df.plan.sources) out.add(s.table);
    for (const dep of await this.readsOf(df.plan)) await this.collectTables(dep, out, seen);
  }

  /** The bound views `plan`'s query reads, from its parse tree. */
  private async readsOf(plan: Plan): Promise<DataFrame[]> {
    const views = plan.views;
    if (!views || views.size === 0) return [];
    let deps = this.reads.get(plan);
    if (!deps) {
      const found = await findViewRefs(this.engine, plan.sql, new Set(views.keys()));
      deps = this.remember(plan, found);
    }
    return deps;
  }

  /**
   * Loads what a plan needs (its sources, the views its query reads, transitively), then runs
   * it, inside `wrap` when given (`SELECT count(*) FROM (query)`).
   */
  execute(plan: Plan, wrap: (query: string) => string = (q) => q): Promise<Result> {
    return this.engine.serially(async () => {
      const run: RunState = { emptyViews: 0, names: new Map() };
      const bound = await this.bind(plan, run);
      await this.load(plan.sources);
      try {
        return await this.engine.query(wrap(bound));
      } catch (err) {
        // an empty batch with no schema has no columns to name: its queries give no rows
        if (err instanceof SqlError && run.emptyViews > 0) return { columns: [], rows: [] };
        if (!(err instanceof SqlError)) throw err;
        const named = bound !== plan.sql ? inUserTerms(err, bound, plan.sql, run.names) : err;
        throw analysisError(named, named.query, plan.sql, [...this.views.keys()]);
      }
    });
  }

  /** `plan`'s query with each view it reads replaced by the engine view of the DataFrame bound to it. */
  /** Keeps (and returns) the bound DataFrames `plan`'s query reads, as its parse tree found them. */
  private remember(plan: Plan, found: ViewRefs): DataFrame[] {
    const deps = [...new Set(found.refs.map((r) => plan.views!.get(r.view)!))];
    this.reads.set(plan, deps);
    return deps;
  }

  private async bind(plan: Plan, run: RunState): Promise<string> {
    const views = plan.views;
    if (!views || views.size === 0) return plan.sql;
    const found = await findViewRefs(this.engine, plan.sql, new Set(views.keys()));
    this.remember(plan, found);
    if (found.refs.length === 0) return plan.sql;
    const names = new Map<string, string>();
    for (const view of new Set(found.refs.map((r) => r.view)))
      names.set(view, await this.viewFor(view, views.get(view)!, run));
    return renameViews(this.engine, found, (v) => names.get(v)!);
  }

  /** Loads `df`'s data and makes its engine view (once); `name` is the temp view's name. */
  private async viewFor(name: string, df: DataFrame, run: RunState): Promise<string> {
    // an empty batch with no schema borrows the columns the view's rows had before (as text)
    const single = df.plan.sources.length === 1 ? df.plan.sources[0]! : undefined;
    const empty = await this.load(df.plan.sources, single ? this.viewColumns.get(name) : undefined);
    if (empty) run.emptyViews++;
    else if (single && !this.columnless.has(single.table)) {
      this.viewColumns.set(name, (await this.engine.query(`SELECT * FROM ${ident(single.table)} LIMIT 0`)).columns);
    }
    const inner = await this.bind(df.plan, run);
    let made = this.madeViews.get(df);
    if (!made) {
      made = `__sluice_view_${this.nextView++}`;
      await this.engine.query(`CREATE OR REPLACE TEMP VIEW ${ident(made)} AS ${inner}`);
      this.madeViews.set(df, made);
    }
    run.names.set(made, name);
    return made;
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
    if (SparkSession.active === this) SparkSession.active = undefined;
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
