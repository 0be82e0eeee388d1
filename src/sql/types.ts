import { IllegalArgumentError, SluiceError } from "../util/errors.js";

/** Spark SQL's type names, as `StructField` takes them, and the DuckDB type each maps to. */
export const SQL_TYPES = {
  string: "VARCHAR",
  long: "BIGINT",
  integer: "INTEGER",
  double: "DOUBLE",
  boolean: "BOOLEAN",
  timestamp: "TIMESTAMP",
  date: "DATE",
} as const;
export type SqlTypeName = keyof typeof SQL_TYPES;

/** One column of a schema. */
export class StructField {
  constructor(
    readonly name: string,
    readonly dataType: SqlTypeName,
    readonly nullable = true,
  ) {
    if (!(dataType in SQL_TYPES))
      throw new IllegalArgumentError(
        `unknown column type "${dataType}" for "${name}": use one of ${Object.keys(SQL_TYPES).join(", ")}`,
      );
  }
}

/** A schema: named, typed columns in order (PySpark's `StructType`). */
export class StructType {
  constructor(readonly fields: readonly StructField[]) {}

  get names(): string[] {
    return this.fields.map((f) => f.name);
  }
}

/** A row's values do not fit the schema (or earlier rows); names the column. */
export class SchemaMismatchError extends SluiceError {}

/** A query failed in the SQL engine; carries its message and the query. */
export class SqlError extends SluiceError {
  constructor(
    readonly query: string,
    cause: unknown,
  ) {
    super(`${(cause as Error)?.message ?? String(cause)}\n  in query: ${query}`, { cause });
  }
}

/** The Spark type name of a JS value, or undefined for null/undefined; nested values are "struct"/"array". */
export function typeOfValue(v: unknown): SqlTypeName | "struct" | "array" | undefined {
  if (v === null || v === undefined) return undefined;
  switch (typeof v) {
    case "string":
      return "string";
    case "boolean":
      return "boolean";
    case "bigint":
      return "long";
    case "number":
      return Number.isInteger(v) ? "long" : "double";
    default:
      if (v instanceof Date) return "timestamp";
      if (Array.isArray(v)) return "array";
      return "struct";
  }
}

/**
 * The column types of `rows` (objects), by a pass over every row: a column holding integers
 * and fractions is a double; a column mixing other types is an error naming it.
 */
export function inferColumns(
  rows: readonly Record<string, unknown>[],
): Map<string, SqlTypeName | "struct" | "array" | undefined> {
  const types = new Map<string, SqlTypeName | "struct" | "array" | undefined>();
  rows.forEach((row, i) => {
    for (const [name, v] of Object.entries(row)) {
      const t = typeOfValue(v);
      const seen = types.get(name);
      if (!types.has(name) || seen === undefined) types.set(name, t);
      else if (t !== undefined && t !== seen) {
        if ((t === "double" && seen === "long") || (t === "long" && seen === "double")) types.set(name, "double");
        else
          throw new SchemaMismatchError(
            `column "${name}" holds ${seen} values, but row ${i} has a ${t}: ${JSON.stringify(v)}`,
          );
      }
    }
  });
  return types;
}

/** Checks rows against an explicit schema; a value of another type is an error naming the column and row. */
export function checkRows(rows: readonly Record<string, unknown>[], schema: StructType): void {
  rows.forEach((row, i) => {
    for (const f of schema.fields) {
      const v = row[f.name];
      const t = typeOfValue(v);
      if (t === undefined) {
        if (!f.nullable) throw new SchemaMismatchError(`column "${f.name}" is not nullable, but row ${i} has no value`);
        continue;
      }
      const fits =
        t === f.dataType ||
        (t === "long" && (f.dataType === "integer" || f.dataType === "double")) ||
        (t === "double" && f.dataType === "double") ||
        (t === "timestamp" && f.dataType === "date");
      if (!fits)
        throw new SchemaMismatchError(
          `column "${f.name}" is ${f.dataType}, but row ${i} has a ${t}: ${JSON.stringify(v)}`,
        );
    }
  });
}
