import type { CsvError } from "csv-parse/sync";
import { lazyModule } from "../lazy.js";

const csvParse = lazyModule<typeof import("csv-parse/sync")>("csv-parse/sync");

/** A record of a CSV file and the line it starts on (1-based). */
export interface CsvRow {
  readonly fields: unknown[];
  readonly line: number;
}

/** A record longer than this many lines is taken to be a quoting error, not a multi-line field. */
const MAX_RECORD_LINES = 1000;

const OPTIONS = { skip_empty_lines: true, relax_column_count: true, cast: true, info: true } as const;

type Parsed = { record: unknown[]; info: { lines: number } }[];

/** csv-parse's records with their info (its typings describe the output without `info`). */
function parseRecords(text: string): Parsed {
  const parsed: unknown = csvParse().parse(text, OPTIONS);
  return parsed as Parsed;
}

/**
 * The records of a CSV text with the line each starts on. A record the parser refuses (a stray
 * or unclosed quote) goes to `bad` with its line and the parser's error, and the records around
 * it are kept: the file is parsed again record by record from the first error on, so one broken
 * line costs that line only.
 */
export function parseCsv(text: string, bad: (line: number, raw: string, err: Error) => void): CsvRow[] {
  try {
    // the parser counts lines up to a record's end: a quoted field's line breaks tell where it began
    const breaks = (fields: unknown[]) => fields.reduce<number>((n, f) => n + (String(f).match(/\n/g)?.length ?? 0), 0);
    return parseRecords(text).map((r) => ({ fields: r.record, line: r.info.lines - breaks(r.record) }));
  } catch {
    return parseByLines(text, bad);
  }
}

/** Record by record: lines are joined until they parse (a quoted field may span lines), or refused. */
function parseByLines(text: string, bad: (line: number, raw: string, err: Error) => void): CsvRow[] {
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === "") lines.pop();
  const rows: CsvRow[] = [];
  let start = 0;
  while (start < lines.length) {
    if (lines[start]!.trim() === "") {
      start++;
      continue;
    }
    let end = start;
    let error: CsvError | undefined;
    for (; end < lines.length && end - start < MAX_RECORD_LINES; end++) {
      try {
        const parsed = parseRecords(lines.slice(start, end + 1).join("\n"));
        if (parsed.length === 1) {
          rows.push({ fields: parsed[0]!.record, line: start + 1 });
          error = undefined;
          break;
        }
        error = new Error(`${parsed.length} records on one line`) as CsvError;
        break;
      } catch (err) {
        error = err as CsvError;
        if (error.code !== "CSV_QUOTE_NOT_CLOSED") break; // only an open quote may close on a later line
      }
    }
    if (error) {
      bad(start + 1, lines[start]!, error);
      start++;
    } else start = end + 1;
  }
  return rows;
}
