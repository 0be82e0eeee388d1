import { RecordFormatError } from "../errors.js";

/** JSON for values JSON lacks: bigints as numbers, bytes as base64. */
function jsonValue(_key: string, v: unknown): unknown {
  if (typeof v === "bigint") return Number(v);
  if (v instanceof Uint8Array) return Buffer.from(v).toString("base64");
  return v;
}

/** Records as JSON lines (one `JSON.stringify` per line; dates as ISO strings). */
export function encodeJsonLines(records: readonly unknown[]): string {
  let out = "";
  for (const r of records) out += JSON.stringify(r, jsonValue) + "\n";
  return out;
}

/** One JSON object (a record); anything else — bad JSON, an array, a number — is an error. */
export function parseJsonObject(text: string): Record<string, unknown> {
  const v = JSON.parse(text) as unknown;
  if (v === null || typeof v !== "object" || Array.isArray(v)) throw new Error("not a JSON object");
  return v as Record<string, unknown>;
}

/** The records of JSON-lines text (blank lines skipped); a bad line is a `RecordFormatError` naming `where`:line. */
export function decodeJsonLines(text: string, where: string): unknown[] {
  const out: unknown[] = [];
  text.split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    try {
      out.push(JSON.parse(line));
    } catch (err) {
      throw new RecordFormatError(`${where}:${i + 1} is not JSON: ${(err as Error).message}`, { cause: err });
    }
  });
  return out;
}
