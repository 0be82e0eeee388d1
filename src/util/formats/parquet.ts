import { lazyModule } from "../lazy.js";
import { RecordFormatError } from "../errors.js";
import { plainInteger, toColumns, type ValueKind } from "./columns.js";

const hyparquet = lazyModule<typeof import("hyparquet")>("hyparquet");
const hyparquetWriter = lazyModule<typeof import("hyparquet-writer")>("hyparquet-writer");

/** Parquet's type for each kind: integers are INT64 (Spark's LongType), nested values JSON. */
const PARQUET_TYPE = {
  boolean: "BOOLEAN",
  long: "INT64",
  double: "DOUBLE",
  string: "STRING",
  timestamp: "TIMESTAMP",
  bytes: "BYTE_ARRAY",
  array: "JSON",
  object: "JSON",
} as const satisfies Record<ValueKind, string>;

/**
 * Rows (plain objects) as one Parquet file: a column per field, typed from its values
 * (boolean, INT64, DOUBLE, UTF-8 string, millisecond timestamp, bytes, JSON for nested values),
 * nullable. A field mixing types is a `RecordFormatError` naming it and `where`.
 */
export function encodeParquet(rows: readonly unknown[], where: string): Uint8Array {
  const columns = toColumns(rows, where);
  if (columns.length === 0)
    throw new RecordFormatError(`${where}: records have no fields; Parquet needs at least one column`);
  const buffer = hyparquetWriter().parquetWriteBuffer({
    columnData: columns.map((c) => {
      const type = PARQUET_TYPE[c.kind ?? "string"];
      const data =
        type === "INT64" ? c.values.map((v) => (v === null ? null : BigInt(v as number | bigint))) : c.values;
      return { name: c.name, data, type };
    }),
  });
  return new Uint8Array(buffer);
}

/** The rows of a Parquet file as plain objects; safe INT64 values become numbers, bytes stay `Uint8Array`. */
export async function decodeParquet(bytes: Uint8Array, where: string): Promise<Record<string, unknown>[]> {
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  let rows: Record<string, unknown>[];
  try {
    const metadata = hyparquet().parquetMetadata(file);
    rows = (await hyparquet().parquetReadObjects({ file, metadata, utf8: false })) as Record<string, unknown>[];
  } catch (err) {
    throw new RecordFormatError(`${where} is not a readable Parquet file: ${(err as Error).message}`, { cause: err });
  }
  for (const row of rows) for (const k of Object.keys(row)) row[k] = plainInteger(row[k]);
  return rows;
}
