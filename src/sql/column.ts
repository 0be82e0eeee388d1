import { IllegalArgumentError } from "../util/errors.js";
import { ident } from "./engine.js";

// Column expressions, PySpark's `pyspark.sql.functions` (imported as F) and `Column`: what
// `df.select(F.col("word"), F.count("*").alias("n"))` and `df.orderBy(F.desc("n"))` build.
// JavaScript has no operator overloading, so `col("n") > 1` is `col("n").gt(1)`. A Column is
// SQL text underneath; the DataFrame verbs take Columns or SQL strings alike.

/** A literal as SQL. */
function sqlLiteral(v: unknown): string {
  if (v instanceof Column) return v.sql;
  if (v === null || v === undefined) return "NULL";
  if (typeof v === "number") {
    if (!Number.isFinite(v)) throw new IllegalArgumentError(`lit(${v}): not a finite number`);
    return String(v);
  }
  if (typeof v === "boolean") return v ? "TRUE" : "FALSE";
  if (typeof v === "bigint") return v.toString();
  if (v instanceof Date) return `TIMESTAMP '${v.toISOString().replace("T", " ").replace("Z", "")}'`;
  if (typeof v === "string") return `'${v.replace(/'/g, "''")}'`;
  throw new IllegalArgumentError(`lit(): unsupported value ${String(v)}`);
}

/** A column of a DataFrame, or an expression over columns. */
export class Column {
  constructor(
    /** The expression as SQL. */
    readonly sql: string,
    /** The name Spark would give the result column, if it has one (`count(1)`, `word`). */
    readonly displayName?: string,
    /** Set by `desc()`/`asc()`: how `orderBy` sorts by it. */
    readonly order?: "ASC" | "DESC",
    /** Selected under `displayName` (an alias, an aggregate Spark names `count(1)`). */
    private readonly named = false,
  ) {}

  /** The expression as a select list item: with `AS name` when it is named. */
  get selectSql(): string {
    return this.named && this.displayName !== undefined ? `${this.sql} AS ${ident(this.displayName)}` : this.sql;
  }

  private op(sym: string, other: unknown): Column {
    return new Column(`(${this.sql} ${sym} ${sqlLiteral(other)})`);
  }

  /** The result column's name (PySpark's `alias`). */
  alias(name: string): Column {
    return new Column(this.sql, name, this.order, true);
  }
  name(name: string): Column {
    return this.alias(name);
  }
  desc(): Column {
    return new Column(this.sql, this.displayName, "DESC", this.named);
  }
  asc(): Column {
    return new Column(this.sql, this.displayName, "ASC", this.named);
  }
  eq(other: unknown): Column {
    return this.op("=", other);
  }
  ne(other: unknown): Column {
    return this.op("<>", other);
  }
  gt(other: unknown): Column {
    return this.op(">", other);
  }
  ge(other: unknown): Column {
    return this.op(">=", other);
  }
  lt(other: unknown): Column {
    return this.op("<", other);
  }
  le(other: unknown): Column {
    return this.op("<=", other);
  }
  plus(other: unknown): Column {
    return this.op("+", other);
  }
  minus(other: unknown): Column {
    return this.op("-", other);
  }
  multiply(other: unknown): Column {
    return this.op("*", other);
  }
  divide(other: unknown): Column {
    return this.op("/", other);
  }
  and(other: Column): Column {
    return this.op("AND", other);
  }
  or(other: Column): Column {
    return this.op("OR", other);
  }
  not(): Column {
    return new Column(`(NOT ${this.sql})`);
  }
  isNull(): Column {
    return new Column(`(${this.sql} IS NULL)`);
  }
  isNotNull(): Column {
    return new Column(`(${this.sql} IS NOT NULL)`);
  }
  isin(...values: unknown[]): Column {
    return new Column(`(${this.sql} IN (${values.map(sqlLiteral).join(", ")}))`);
  }
  like(pattern: string): Column {
    return this.op("LIKE", pattern);
  }
  cast(type: string): Column {
    const sqlType = { string: "VARCHAR", long: "BIGINT", int: "INTEGER", integer: "INTEGER" }[type] ?? type;
    return new Column(`CAST(${this.sql} AS ${sqlType})`, this.displayName);
  }

  toString(): string {
    return `Column<'${this.displayName ?? this.sql}'>`;
  }
}

/** A column or SQL text, as the DataFrame verbs take them. */
export type ColumnOrName = Column | string;

/** A select list item: a Column's expression (with its name), or the string as written (a name or SQL). */
export function selectSqlOf(c: ColumnOrName): string {
  return c instanceof Column ? c.selectSql : c;
}

/** A condition or sort key: a Column's bare expression (a sort key with its order), or the string as written. */
export function sqlOf(c: ColumnOrName): string {
  return c instanceof Column ? (c.order ? `${c.sql} ${c.order}` : c.sql) : c;
}

/** A column by name (`"word"`, or `"*"`). */
export function col(name: string): Column {
  return new Column(name === "*" ? "*" : ident(name), name);
}
/** A literal value as a column. */
export function lit(value: unknown): Column {
  return new Column(sqlLiteral(value), String(value));
}
/** SQL text as a column (`expr("length(word)")`). */
export function expr(sql: string): Column {
  return new Column(sql, sql);
}

const arg = (c: ColumnOrName) => (c instanceof Column ? c : c === "*" ? new Column("*", "*") : col(c));

/** An aggregate named as Spark names it: `count(1)` for `count("*")`, `sum(n)`. */
function aggregate(fn: string, c: ColumnOrName, distinct = false): Column {
  const a = arg(c);
  const shown = a.sql === "*" && fn === "count" ? "1" : (a.displayName ?? a.sql);
  const name = `${fn}(${distinct ? "DISTINCT " : ""}${shown})`;
  return new Column(`${fn}(${distinct ? "DISTINCT " : ""}${a.sql})`, name, undefined, true);
}

export const count = (c: ColumnOrName) => aggregate("count", c);
export const countDistinct = (c: ColumnOrName) => aggregate("count", c, true);
export const sum = (c: ColumnOrName) => aggregate("sum", c);
export const avg = (c: ColumnOrName) => aggregate("avg", c);
export const mean = (c: ColumnOrName) => aggregate("avg", c);
export const min = (c: ColumnOrName) => aggregate("min", c);
export const max = (c: ColumnOrName) => aggregate("max", c);
export const desc = (c: ColumnOrName) => arg(c).desc();
export const asc = (c: ColumnOrName) => arg(c).asc();
export const upper = (c: ColumnOrName) => new Column(`upper(${arg(c).sql})`, `upper(${arg(c).displayName})`);
export const lower = (c: ColumnOrName) => new Column(`lower(${arg(c).sql})`, `lower(${arg(c).displayName})`);
export const length = (c: ColumnOrName) => new Column(`length(${arg(c).sql})`, `length(${arg(c).displayName})`);

/** PySpark's `pyspark.sql.functions`, for `import { functions as F } from "sluice"`. */
export const functions = {
  col,
  column: col,
  lit,
  expr,
  count,
  countDistinct,
  sum,
  avg,
  mean,
  min,
  max,
  desc,
  asc,
  upper,
  lower,
  length,
};
