import { IllegalArgumentError } from "../../util/errors.js";
import { readFileSync } from "node:fs";
import { parseCsv } from "../../util/formats/csv.js";
import { strictUtf8 } from "../../util/utf8.js";
import { decodeAvroFile, type AvroSchema } from "../../util/formats/avro.js";
import { parseJsonObject } from "../../util/formats/json-lines.js";
import { decodeParquet } from "../../util/formats/parquet.js";

/**
 * Formats `fileStream` reads: one record per line (JSON), per row after a header (CSV), or per Avro / Parquet record.
 */
export type FileFormat = "json" | "csv" | "avro" | "parquet";

/** The formats `fileStream` accepts, for argument checking. */
export const FILE_FORMATS: readonly FileFormat[] = ["json", "csv", "avro", "parquet"];

/** The longest record a file stream takes (a longer one is malformed: dead-lettered, not read into memory twice). */
export const MAX_RECORD_BYTES = 16 * 1024 * 1024;

/** Where malformed records go: counted always, handed to `deadLetter` when given. */
export interface MalformedSink {
  count: number;
  deadLetter?: (record: string, error: Error, source: string) => void;
}

/**
 * Reads a file of `format` into objects; a malformed record is counted and skipped, never fatal.
 * Avro and Parquet files are read whole: a file that does not decode (or, for Avro, whose schema
 * does not resolve to `avroSchema`) counts as one malformed record, dead-lettered with its path.
 */
export async function readRecords(
  path: string,
  format: FileFormat,
  malformed: MalformedSink,
  avroSchema?: AvroSchema,
): Promise<Record<string, unknown>[]> {
  const bad = (record: string, err: unknown, where: string) => {
    malformed.count++;
    malformed.deadLetter?.(record, err instanceof Error ? err : new Error(String(err)), where);
  };
  if (format === "avro" || format === "parquet") {
    try {
      const bytes = readFileSync(path);
      return format === "avro" ? decodeAvroFile(bytes, path, avroSchema).records : await decodeParquet(bytes, path);
    } catch (err) {
      bad(path, err, path);
      return [];
    }
  }
  if (format === "json") {
    const out: Record<string, unknown>[] = [];
    const bytes = readFileSync(path);
    let line = 0;
    for (let start = 0; start < bytes.length; line++) {
      let end = bytes.indexOf(10, start);
      if (end < 0) end = bytes.length;
      const raw = bytes.subarray(start, end > start && bytes[end - 1] === 13 ? end - 1 : end);
      start = end + 1;
      const where = `${path}:${line + 1}`;
      if (raw.length > MAX_RECORD_BYTES) {
        bad(
          raw.subarray(0, 200).toString("utf8"),
          new Error(`a record of ${raw.length} bytes (over ${MAX_RECORD_BYTES})`),
          where,
        );
        continue;
      }
      const text = strictUtf8(raw);
      if (text === undefined) {
        bad(raw.toString("utf8"), new Error("not valid UTF-8"), where);
        continue;
      }
      if (text.trim() === "") continue;
      try {
        out.push(parseJsonObject(text));
      } catch (err) {
        bad(text, err, where);
      }
    }
    return out;
  }
  const rows = parseCsv(readFileSync(path, "utf8"), (line, raw, err) => bad(raw, err, `${path}:${line}`));
  const header = rows.shift()?.fields.map(String) ?? [];
  const out: Record<string, unknown>[] = [];
  for (const { fields, line } of rows) {
    if (fields.length === header.length) out.push(Object.fromEntries(header.map((h, j) => [h, fields[j]])));
    else
      bad(
        fields.join(","),
        new Error(`row has ${fields.length} fields, the header ${header.length}`),
        `${path}:${line}`,
      );
  }
  return out;
}

/** Refuses a `fileStream` format it does not know, and a schema for a format other than Avro. */
export function checkFileStreamOptions(options: { format: FileFormat; schema?: unknown }): void {
  if (!FILE_FORMATS.includes(options.format)) {
    const known = FILE_FORMATS.map((f) => `"${f}"`).join(", ");
    throw new IllegalArgumentError(`fileStream format must be one of ${known}; got "${String(options.format)}"`);
  }
  if (options.schema !== undefined && options.format !== "avro") {
    throw new IllegalArgumentError(`fileStream's schema option is for format "avro", not "${options.format}"`);
  }
}
