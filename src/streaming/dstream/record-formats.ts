import { readFileSync } from "node:fs";
import { parse } from "csv-parse/sync";
import { readTextLines } from "./file-input.js";

/** Formats `fileStream` reads: one record per line (JSON) or per row after a header (CSV). */
export type FileFormat = "json" | "csv";

/** Where malformed records go: counted always, handed to `deadLetter` when given. */
export interface MalformedSink {
  count: number;
  deadLetter?: (record: string, error: Error, source: string) => void;
}

/** Reads a file of `format` into objects; a malformed record is counted and skipped, never fatal. */
export function readRecords(path: string, format: FileFormat, malformed: MalformedSink): Record<string, unknown>[] {
  const bad = (record: string, err: unknown, where: string) => {
    malformed.count++;
    malformed.deadLetter?.(record, err instanceof Error ? err : new Error(String(err)), where);
  };
  if (format === "json") {
    const out: Record<string, unknown>[] = [];
    readTextLines(path).forEach((line, i) => {
      if (line.trim() === "") return;
      try {
        const v = JSON.parse(line) as unknown;
        if (v === null || typeof v !== "object" || Array.isArray(v)) throw new Error("not a JSON object");
        out.push(v as Record<string, unknown>);
      } catch (err) {
        bad(line, err, `${path}:${i + 1}`);
      }
    });
    return out;
  }
  const [header, ...rows] = parse(readFileSync(path, "utf8"), { skip_empty_lines: true, relax_column_count: true, cast: true }) as unknown[][];
  const out: Record<string, unknown>[] = [];
  rows.forEach((row, i) => {
    if (row.length === header!.length) out.push(Object.fromEntries(header!.map((h, j) => [String(h), row[j]])));
    else bad(row.join(","), new Error(`row has ${row.length} fields, the header ${header!.length}`), `${path}:${i + 2}`);
  });
  return out;
}
