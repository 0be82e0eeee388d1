import { RecordFormatError } from "../errors.js";

/** The kind of a value as the columnar and Avro writers see it. */
export type ValueKind = "boolean" | "long" | "double" | "string" | "timestamp" | "bytes" | "array" | "object";

/** The kind of one non-null value; anything else (functions, symbols) is an error naming `where`. */
export function kindOf(v: unknown, where: string): ValueKind {
  switch (typeof v) {
    case "boolean":
      return "boolean";
    case "number":
      return Number.isInteger(v) ? "long" : "double";
    case "bigint":
      return "long";
    case "string":
      return "string";
    case "object":
      if (v instanceof Date) return "timestamp";
      if (v instanceof Uint8Array) return "bytes";
      if (Array.isArray(v)) return "array";
      return "object";
    default:
      throw new RecordFormatError(`${where} holds a ${typeof v}, which no file format can store`);
  }
}

/** The one kind of several values' kinds: integers widen to doubles; any other mix is an error naming `where`. */
export function commonKind(kinds: Iterable<ValueKind>, where: string): ValueKind | undefined {
  let out: ValueKind | undefined;
  for (const k of kinds) {
    if (out === undefined || out === k) out = k;
    else if ((out === "long" && k === "double") || (out === "double" && k === "long")) out = "double";
    else
      throw new RecordFormatError(
        `${where} mixes ${out} and ${k} values; give the records one type per field (or a schema)`,
      );
  }
  return out;
}

/** A column of rows: its name, its values in row order (undefined as null), and their kind. */
export interface Column {
  readonly name: string;
  readonly values: unknown[];
  /** Undefined when every value is null. */
  readonly kind: ValueKind | undefined;
  readonly nullable: boolean;
}

/**
 * Rows (plain objects) turned into columns: the union of their keys in first-seen order, a
 * missing key read as null. A row that is not a plain object is an error naming it.
 */
export function toColumns(rows: readonly unknown[], where: string): Column[] {
  const names: string[] = [];
  const seen = new Set<string>();
  rows.forEach((row, i) => {
    if (row === null || typeof row !== "object" || Array.isArray(row) || row instanceof Date) {
      throw new RecordFormatError(
        `${where}: record ${i} is ` +
          `${Array.isArray(row) ? "an array" : row === null ? "null" : `a ${typeof row}`}, not an object with ` +
          `named fields; map records to objects first (e.g. ([k, v]) => ({ word: k, count: v }))`,
      );
    }
    for (const k of Object.keys(row)) if (!seen.has(k)) (seen.add(k), names.push(k));
  });
  return names.map((name) => {
    const values = rows.map((r) => (r as Record<string, unknown>)[name] ?? null);
    const kinds = new Set<ValueKind>();
    let nullable = false;
    values.forEach((v, i) =>
      v === null ? (nullable = true) : kinds.add(kindOf(v, `${where}: field '${name}' of record ${i}`)),
    );
    return { name, values, kind: commonKind(kinds, `${where}: field '${name}'`), nullable };
  });
}

/** Values read back made plain: safe 64-bit integers become numbers (Parquet files and DuckDB's results alike). */
export function plainInteger(v: unknown): unknown {
  if (typeof v === "bigint" && v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER))
    return Number(v);
  return v;
}
