import { IllegalArgumentError } from "../../util/errors.js";
import { readFileSync } from "node:fs";
import { parseCsv } from "../../util/formats/csv.js";
import { decodeAvroFile, type AvroSchema } from "../../util/formats/avro.js";
import { parseJsonObject } from "../../util/formats/json-lines.js";
import { decodeParquet } from "../../util/formats/parquet.js";
import { readTextLines } from "./file-input.js";

/**
 * Formats `fileStream` reads: one record per line (JSON), per row after a header (CSV), or per Avro / Parquet record.
 */
export type FileFormat = "json" | "csv" | "avro" | "parquet";

/** The formats `fileStream` accepts, for argument checking. */
export const FILE_FORMATS: readonly FileFormat[] = ["json", "csv", "avro", "parquet"];

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
    readTextLines(path).forEach((line, i) => {
      if (line.trim() === "") return;
      try {
        out.push(parseJsonObject(line));
      } catch (err) {
        bad(line, err, `${path}:${i + 1}`);
      }
    });
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
