import { existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { randomBytes } from "node:crypto";
import { IllegalArgumentError } from "../util/errors.js";
import { RDD } from "../core/rdd.js";
import type { RDDNode } from "../core/node.js";
import { mergeBindings, type ViewBindings } from "./views.js";
import { ident, literal } from "./engine.js";
import type { SparkSession } from "./session.js";
import { formatShow } from "./show.js";

/** A row of a DataFrame: column name → value. */
export type Row = Record<string, unknown>;

/** Rows still to be loaded into the engine (an array or an RDD's contents). */
export interface Source {
  readonly table: string;
  readonly rows: () => Promise<Row[]>;
  /** Types to load and check the rows with. */
  readonly schema?: import("./types.js").StructType;
  /** Column names only (types come from the rows; an empty source gets text columns). */
  readonly columns?: readonly string[];
}

/** What a DataFrame is: a SELECT over its sources and the temp views it names. */
export interface Plan {
  readonly sql: string;
  readonly sources: readonly Source[];
  /** The temp views `spark.sql` saw when the DataFrame was made: its query reads them, not later ones. */
  readonly views?: ViewBindings;
}

/**
 * A table of rows described by a query: verbs (`select`, `filter`, `groupBy`…) build new
 * DataFrames without running anything; `collect`, `count`, `show`… run the query in the
 * session's SQL engine. Expressions are SQL text, as in `df.filter("total > 1")`.
 */
export class DataFrame {
  constructor(
    readonly session: SparkSession,
    readonly plan: Plan,
  ) {}

  private derive(sql: string, extra: readonly Source[] = [], other?: DataFrame): DataFrame {
    const views = mergeBindings(this.plan.views, other?.plan.views);
    return new DataFrame(this.session, { sql, sources: [...this.plan.sources, ...extra], views });
  }

  private get from(): string {
    return `(${this.plan.sql})`;
  }

  /** Columns or SQL expressions (`"word"`, `"count(*) AS n"`). */
  select(...cols: string[]): DataFrame {
    if (cols.length === 0) throw new IllegalArgumentError("select needs at least one column");
    return this.derive(`SELECT ${cols.join(", ")} FROM ${this.from}`);
  }

  /** Rows for which the SQL condition holds. */
  filter(condition: string): DataFrame {
    return this.derive(`SELECT * FROM ${this.from} WHERE ${condition}`);
  }

  where(condition: string): DataFrame {
    return this.filter(condition);
  }

  groupBy(...cols: string[]): GroupedData {
    return new GroupedData(this, cols);
  }

  /** Sorts by columns or expressions (`"total DESC"`). */
  orderBy(...cols: string[]): DataFrame {
    return this.derive(`SELECT * FROM ${this.from} ORDER BY ${cols.join(", ")}`);
  }

  sort(...cols: string[]): DataFrame {
    return this.orderBy(...cols);
  }

  limit(n: number): DataFrame {
    if (!Number.isInteger(n) || n < 0) throw new IllegalArgumentError(`limit needs a whole number >= 0, got ${n}`);
    return this.derive(`SELECT * FROM ${this.from} LIMIT ${n}`);
  }

  distinct(): DataFrame {
    return this.derive(`SELECT DISTINCT * FROM ${this.from}`);
  }

  /** Adds (or replaces) column `name` with the SQL expression `expr`. */
  withColumn(name: string, expr: string): DataFrame {
    return this.derive(`SELECT COLUMNS(c -> c <> ${literal(name)}), (${expr}) AS ${ident(name)} FROM ${this.from}`);
  }

  withColumnRenamed(existing: string, name: string): DataFrame {
    return this.derive(`SELECT * RENAME (${ident(existing)} AS ${ident(name)}) FROM ${this.from}`);
  }

  /** Joins on equally named columns (`on`), as Spark's `join(other, "id", "left")`. */
  join(
    other: DataFrame,
    on: string | string[],
    how: "inner" | "left" | "right" | "full" | "outer" | "left_outer" | "right_outer" | "full_outer" = "inner",
  ): DataFrame {
    const kind = {
      inner: "INNER",
      left: "LEFT",
      left_outer: "LEFT",
      right: "RIGHT",
      right_outer: "RIGHT",
      full: "FULL",
      outer: "FULL",
      full_outer: "FULL",
    }[how];
    if (!kind) throw new IllegalArgumentError(`unknown join type "${how}"`);
    const keys = (Array.isArray(on) ? on : [on]).map(ident).join(", ");
    return this.derive(
      `SELECT * FROM ${this.from} AS l ${kind} JOIN ${other.from} AS r USING (${keys})`,
      other.plan.sources,
      other,
    );
  }

  /** Makes this DataFrame queryable as `name` in `spark.sql`. */
  createOrReplaceTempView(name: string): void {
    this.session.registerView(name, this);
  }

  collect(): Promise<Row[]> {
    return this.session.execute(this.plan).then((r) => r.rows);
  }

  async count(): Promise<number> {
    const r = await this.session.execute(this.plan, (q) => `SELECT count(*) AS n FROM (${q})`);
    return Number(r.rows[0]?.n ?? 0);
  }

  async columns(): Promise<string[]> {
    return (await this.session.execute(this.plan, (q) => `SELECT * FROM (${q}) LIMIT 0`)).columns;
  }

  /** Each row as a JSON string. */
  async toJSON(): Promise<string[]> {
    return (await this.collect()).map((r) => JSON.stringify(r));
  }

  /** Prints the first `n` rows as Spark's boxed table. */
  async show(n = 20, truncate = true): Promise<void> {
    const r = await this.session.execute(this.plan, (q) => `SELECT * FROM (${q}) LIMIT ${n + 1}`);
    this.session.out(formatShow(r.columns, r.rows, n, truncate));
  }

  /** The rows as an RDD (one partition); the query runs when the RDD is first computed. */
  get rdd(): RDD<Row> {
    return new RDD(this.session.sparkContext, new QueryResultNode(this));
  }

  get write(): DataFrameWriter {
    return new DataFrameWriter(this);
  }
}

/** One partition holding a DataFrame's rows: its `prepare` step runs the query before any task reads it. */
class QueryResultNode implements RDDNode<Row> {
  readonly kind = "SQLRDD";
  readonly callSite = "DataFrame.rdd";
  readonly dependencies = [];
  private rows: Row[] = [];

  constructor(private readonly df: DataFrame) {}

  numPartitions(): number {
    return 1;
  }

  async prepare(): Promise<void> {
    this.rows = await this.df.collect();
  }

  computeInto(_split: number, _ctx: unknown, emit: (row: Row) => void): void {
    for (const r of this.rows) emit(r);
  }
}

/** The result of `groupBy`: aggregate per group. */
export class GroupedData {
  constructor(
    private readonly df: DataFrame,
    private readonly keys: string[],
  ) {}

  private aggregate(exprs: string[]): DataFrame {
    const keys = this.keys.join(", ");
    const select = [...this.keys, ...exprs].join(", ");
    const sql = `SELECT ${select} FROM (${this.df.plan.sql})${keys ? ` GROUP BY ${keys}` : ""}`;
    return new DataFrame(this.df.session, { ...this.df.plan, sql });
  }

  count(): DataFrame {
    return this.aggregate(["count(*) AS count"]);
  }

  /** `{ column: "sum" | "avg" | "min" | "max" | "count" }` or SQL expressions (`"sum(n) AS total"`). */
  agg(spec: Record<string, string> | string, ...more: string[]): DataFrame {
    if (typeof spec === "string") return this.aggregate([spec, ...more]);
    return this.aggregate(Object.entries(spec).map(([col, fn]) => `${fn}(${ident(col)}) AS ${ident(`${fn}(${col})`)}`));
  }

  sum(...cols: string[]): DataFrame {
    return this.agg(Object.fromEntries(cols.map((c) => [c, "sum"])));
  }

  avg(...cols: string[]): DataFrame {
    return this.agg(Object.fromEntries(cols.map((c) => [c, "avg"])));
  }

  min(...cols: string[]): DataFrame {
    return this.agg(Object.fromEntries(cols.map((c) => [c, "min"])));
  }

  max(...cols: string[]): DataFrame {
    return this.agg(Object.fromEntries(cols.map((c) => [c, "max"])));
  }
}

type SaveMode = "error" | "errorifexists" | "overwrite" | "append" | "ignore";
const FORMATS = { parquet: "PARQUET", csv: "CSV, HEADER", json: "JSON" } as const;

/**
 * `df.write.mode(m).parquet(dir)`: a directory of part files, as Spark writes. `append` adds a
 * part, `overwrite` replaces the directory, `ignore` keeps an existing one, `error` (default) fails.
 */
export class DataFrameWriter {
  private saveMode: SaveMode = "error";

  constructor(private readonly df: DataFrame) {}

  mode(mode: SaveMode): this {
    if (!["error", "errorifexists", "overwrite", "append", "ignore"].includes(mode))
      throw new IllegalArgumentError(`unknown save mode "${mode}"`);
    this.saveMode = mode;
    return this;
  }

  parquet(path: string): Promise<void> {
    return this.save(path, "parquet");
  }

  csv(path: string): Promise<void> {
    return this.save(path, "csv");
  }

  json(path: string): Promise<void> {
    return this.save(path, "json");
  }

  private async save(path: string, format: keyof typeof FORMATS): Promise<void> {
    const dir = resolve(path);
    if (existsSync(dir) && readdirSync(dir).length > 0) {
      if (this.saveMode === "ignore") return;
      if (this.saveMode === "error" || this.saveMode === "errorifexists")
        throw new IllegalArgumentError(`path ${dir} already exists: use mode("overwrite") or mode("append")`);
      if (this.saveMode === "overwrite") rmSync(dir, { recursive: true, force: true });
    }
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `part-${Date.now()}-${randomBytes(4).toString("hex")}.${format}`);
    await this.df.session.execute(this.df.plan, (q) => `COPY (${q}) TO ${literal(file)} (FORMAT ${FORMATS[format]})`);
  }
}
