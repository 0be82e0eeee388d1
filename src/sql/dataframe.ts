import { existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { randomBytes } from "node:crypto";
import { IllegalArgumentError } from "../util/errors.js";
import { RDD } from "../core/rdd.js";
import type { RDDNode } from "../core/node.js";
import { mergeBindings, type ViewBindings } from "./views.js";
import { ident, literal } from "./engine.js";
import { Column, selectSqlOf, sqlOf, type ColumnOrName } from "./column.js";
import type { SparkSession } from "./session.js";
import { formatShow } from "./show.js";

/** A row of a DataFrame: column name → value. */
export type Row = Record<string, unknown>;

/** PySpark's `Row(word="a", total=1)`: `Row({ word: "a", total: 1 })`, a row to make a DataFrame of. */
export function Row(fields: Record<string, unknown>): Row {
  if (fields === null || typeof fields !== "object" || Array.isArray(fields)) {
    throw new IllegalArgumentError("Row takes the fields as an object: Row({ word: w, total: 1 })");
  }
  return { ...fields };
}

/** `orderBy`'s options, as PySpark's `ascending=False` (one for all columns, or one per column). */
export interface SortOptions {
  ascending?: boolean | boolean[];
}

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

  /** Columns (`F.col("word")`, `F.count("*").alias("n")`) or SQL expressions (`"word"`, `"count(*) AS n"`). */
  select(...cols: ColumnOrName[]): DataFrame {
    if (cols.length === 0) throw new IllegalArgumentError("select needs at least one column");
    return this.derive(`SELECT ${cols.map(selectSqlOf).join(", ")} FROM ${this.from}`);
  }

  /** SQL expressions (`"word"`, `"length(word) AS n"`). */
  selectExpr(...exprs: string[]): DataFrame {
    return this.select(...exprs);
  }

  /** Rows for which the condition holds (`F.col("n").gt(1)` or `"n > 1"`). */
  filter(condition: ColumnOrName): DataFrame {
    return this.derive(`SELECT * FROM ${this.from} WHERE ${sqlOf(condition)}`);
  }

  where(condition: ColumnOrName): DataFrame {
    return this.filter(condition);
  }

  groupBy(...cols: ColumnOrName[]): GroupedData {
    return new GroupedData(this, cols);
  }

  /**
   * Sorts by columns or expressions: `orderBy("total", { ascending: false })` (PySpark's `ascending=False`),
   * `orderBy(F.desc("total"))`, or `orderBy("total DESC")`.
   */
  orderBy(...cols: (ColumnOrName | SortOptions)[]): DataFrame {
    const last = cols[cols.length - 1];
    const options = last !== undefined && typeof last === "object" && !(last instanceof Column) ? last : undefined;
    const keys = (options ? cols.slice(0, -1) : cols) as ColumnOrName[];
    if (keys.length === 0) throw new IllegalArgumentError("orderBy needs at least one column");
    const asc = options?.ascending ?? true;
    if (Array.isArray(asc) && asc.length !== keys.length) {
      throw new IllegalArgumentError(`ascending has ${asc.length} values for ${keys.length} columns`);
    }
    const order = keys.map((k, i) => {
      const up = Array.isArray(asc) ? asc[i] : asc;
      return k instanceof Column && k.order ? sqlOf(k) : `${sqlOf(k)}${up ? "" : " DESC"}`;
    });
    return this.derive(`SELECT * FROM ${this.from} ORDER BY ${order.join(", ")}`);
  }

  sort(...cols: (ColumnOrName | SortOptions)[]): DataFrame {
    return this.orderBy(...cols);
  }

  /** Without the named columns. */
  drop(...cols: string[]): DataFrame {
    if (cols.length === 0) return this;
    return this.derive(`SELECT * EXCLUDE (${cols.map(ident).join(", ")}) FROM ${this.from}`);
  }

  /** Distinct rows, or one row per distinct value of `subset`'s columns. */
  dropDuplicates(subset?: string[]): DataFrame {
    if (!subset || subset.length === 0) return this.distinct();
    return this.derive(`SELECT DISTINCT ON (${subset.map(ident).join(", ")}) * FROM ${this.from}`);
  }

  drop_duplicates(subset?: string[]): DataFrame {
    return this.dropDuplicates(subset);
  }

  /** This DataFrame's rows and then `other`'s, column by position (SQL's UNION ALL, as Spark's `union`). */
  union(other: DataFrame): DataFrame {
    return this.derive(`SELECT * FROM ${this.from} UNION ALL SELECT * FROM ${other.from}`, other.plan.sources, other);
  }

  unionAll(other: DataFrame): DataFrame {
    return this.union(other);
  }

  /** As `union`, columns matched by name. */
  unionByName(other: DataFrame): DataFrame {
    return this.derive(
      `SELECT * FROM ${this.from} UNION ALL BY NAME SELECT * FROM ${other.from}`,
      other.plan.sources,
      other,
    );
  }

  /** The same rows with the columns renamed, in order. */
  toDF(...names: string[]): DataFrame {
    if (names.length === 0) return this;
    return this.derive(`SELECT * FROM ${this.from} AS __sluice_t(${names.map(ident).join(", ")})`);
  }

  /** Kept for Spark 1 jobs: `createOrReplaceTempView`. */
  registerTempTable(name: string): void {
    this.createOrReplaceTempView(name);
  }

  /** A DataFrame's query runs again for each action; `cache` is accepted (and does nothing) for PySpark's jobs. */
  cache(): this {
    return this;
  }

  persist(): this {
    return this;
  }

  unpersist(): this {
    return this;
  }

  /** False: DataFrames here are batches (a stream's batch is a DataFrame of that batch). */
  get isStreaming(): boolean {
    return false;
  }

  /** The first `n` rows. */
  async head(n = 1): Promise<Row[]> {
    return this.limit(n).collect();
  }

  async take(n: number): Promise<Row[]> {
    return this.head(n);
  }

  /** The first row, or undefined for no rows. */
  async first(): Promise<Row | undefined> {
    return (await this.head(1))[0];
  }

  async isEmpty(): Promise<boolean> {
    return (await this.head(1)).length === 0;
  }

  /** `[column, Spark type]` pairs (`["total", "bigint"]`), as PySpark's `dtypes`. */
  async dtypes(): Promise<[string, string][]> {
    return (await this.describeColumns()).map((c) => [c.name, sparkTypeName(c.type, true)]);
  }

  /** Prints the schema as Spark's tree: ` |-- word: string (nullable = true)`. */
  async printSchema(): Promise<void> {
    const lines = (await this.describeColumns()).map(
      (c) => ` |-- ${c.name}: ${sparkTypeName(c.type)} (nullable = ${c.nullable ? "true" : "false"})`,
    );
    this.session.out(["root", ...lines, ""].join("\n"));
  }

  private async describeColumns(): Promise<{ name: string; type: string; nullable: boolean }[]> {
    const r = await this.session.execute(this.plan, (q) => `DESCRIBE SELECT * FROM (${q})`);
    return r.rows.map((row) => ({
      name: String(row.column_name),
      type: String(row.column_type),
      nullable: row.null !== "NO",
    }));
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
    private readonly keys: ColumnOrName[],
  ) {}

  private aggregate(exprs: string[]): DataFrame {
    const keys = this.keys.map(sqlOf).join(", ");
    const select = [...this.keys.map(selectSqlOf), ...exprs].join(", ");
    const sql = `SELECT ${select} FROM (${this.df.plan.sql})${keys ? ` GROUP BY ${keys}` : ""}`;
    return new DataFrame(this.df.session, { ...this.df.plan, sql });
  }

  count(): DataFrame {
    return this.aggregate(["count(*) AS count"]);
  }

  /**
   * `{ column: "sum" | "avg" | "min" | "max" | "count" }`, columns (`F.sum("n").alias("total")`) or SQL expressions
   * (`"sum(n) AS total"`).
   */
  agg(spec: Record<string, string> | ColumnOrName, ...more: ColumnOrName[]): DataFrame {
    if (typeof spec === "string" || spec instanceof Column) return this.aggregate([spec, ...more].map(selectSqlOf));
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

/** Spark's name for a DuckDB column type: `long` for BIGINT in printSchema (`bigint` in dtypes), `array<string>`. */
function sparkTypeName(duck: string, forDtypes = false): string {
  const t = duck.trim().toUpperCase();
  if (t.endsWith("[]")) return `array<${sparkTypeName(duck.trim().slice(0, -2), forDtypes)}>`;
  const decimal = /^DECIMAL\((\d+),\s*(\d+)\)$/.exec(t);
  if (decimal) return `decimal(${decimal[1]},${decimal[2]})`;
  if (t.startsWith("STRUCT")) return "struct";
  const names: Record<string, [string, string]> = {
    VARCHAR: ["string", "string"],
    BIGINT: ["long", "bigint"],
    INTEGER: ["integer", "int"],
    SMALLINT: ["short", "smallint"],
    TINYINT: ["byte", "tinyint"],
    DOUBLE: ["double", "double"],
    FLOAT: ["float", "float"],
    BOOLEAN: ["boolean", "boolean"],
    TIMESTAMP: ["timestamp", "timestamp"],
    "TIMESTAMP WITH TIME ZONE": ["timestamp", "timestamp"],
    DATE: ["date", "date"],
    BLOB: ["binary", "binary"],
    HUGEINT: ["decimal(38,0)", "decimal(38,0)"],
    JSON: ["string", "string"],
  };
  const known = names[t];
  return known ? known[forDtypes ? 1 : 0] : duck.toLowerCase();
}
