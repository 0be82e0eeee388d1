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

/** How deeply a record's objects and arrays may nest; deeper ones are refused as malformed. */
export const MAX_JSON_DEPTH = 100;

/** The deepest nesting of objects and arrays in JSON text (strings skipped). */
function nesting(text: string): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      // a string: skip to its closing quote
      for (i++; i < text.length && text.charCodeAt(i) !== 34; i++) if (text.charCodeAt(i) === 92) i++;
    } else if (c === 123 || c === 91) max = Math.max(max, ++depth);
    else if (c === 125 || c === 93) depth--;
  }
  return max;
}

/**
 * One JSON object (a record); anything else is an error: bad JSON, an array or a number, nesting
 * deeper than `MAX_JSON_DEPTH`, or a `__proto__` key (refused: code that copies the record could
 * otherwise change an object's prototype).
 */
export function parseJsonObject(text: string): Record<string, unknown> {
  if (nesting(text) > MAX_JSON_DEPTH) throw new Error(`nested deeper than ${MAX_JSON_DEPTH} levels`);
  const v = JSON.parse(text, (key, value: unknown) => {
    if (key === "__proto__") throw new Error("has a __proto__ key");
    return value;
  }) as unknown;
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
