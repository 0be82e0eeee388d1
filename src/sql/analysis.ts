import { SqlError } from "./types.js";

/**
 * A query that cannot run as written (a missing table or column, a syntax error), named as Spark names it
 * (`[TABLE_OR_VIEW_NOT_FOUND]`, `[UNRESOLVED_COLUMN]`, `[PARSE_SYNTAX_ERROR]`) and quoting the user's own query with
 * a caret where it went wrong: not the engine's wrapped query nor its suggestions of internal catalog tables.
 */
export class AnalysisException extends SqlError {}

/** Spark's wording for the engine's message `raw` (its first line when no rule knows it). */
function inSparksTerms(raw: string, views: readonly string[]): string {
  const first = raw.split("\n")[0]!;
  let m = /Table with name (\S+) does not exist/.exec(first);
  if (m) {
    const known = views.length > 0 ? ` Temp views: ${views.join(", ")}.` : " No temp view is registered.";
    return `[TABLE_OR_VIEW_NOT_FOUND] The table or view \`${m[1]}\` cannot be found.${known}`;
  }
  m = /Referenced column "([^"]+)" not found/.exec(first);
  if (m) {
    const candidates = /Candidate bindings: (.*)/.exec(raw)?.[1];
    const hint = candidates
      ? ` Did you mean one of the following? [${candidates
          .split(", ")
          .map((c) => `\`${c.replace(/^"|"$/g, "")}\``)
          .join(", ")}].`
      : "";
    return `[UNRESOLVED_COLUMN] A column with name \`${m[1]}\` cannot be resolved.${hint}`;
  }
  m = /Parser Error: syntax error at or near (.*)/.exec(first);
  if (m) return `[PARSE_SYNTAX_ERROR] Syntax error at or near ${m[1]!.replace(/"/g, "'")}.`;
  m = /Parser Error: syntax error at end of input/.exec(first);
  if (m) return "[PARSE_SYNTAX_ERROR] Syntax error at end of input.";
  return first.replace(/^(\w+) Error: /, "[$1] ");
}

/** A caret under `query` where the engine pointed in `ran` (which holds `query`), when it points inside it. */
function caret(raw: string, ran: string, query: string): string {
  const lines = raw.split("\n");
  const at = lines.findIndex((l) => /^LINE \d+: /.test(l));
  if (at < 0 || query.includes("\n") || ran.includes("\n")) return "";
  const column = (lines[at + 1] ?? "").indexOf("^") - (/^LINE \d+: /.exec(lines[at]!)![0].length ?? 0);
  const offset = ran.indexOf(query);
  if (offset < 0 || column < offset || column > offset + query.length) return "";
  return `\n            ${" ".repeat(column - offset)}^`;
}

/**
 * The engine's error `err` for `query` (as the user wrote it; `ran` is what ran, `query` wrapped or with views
 * renamed back), as an AnalysisException when it is one, the SqlError as it was otherwise.
 */
export function analysisError(err: SqlError, ran: string, query: string, views: readonly string[]): SqlError {
  const raw = err.cause instanceof Error ? err.cause.message : String(err.cause);
  if (!/^(Catalog|Binder|Parser) Error/.test(raw)) return err;
  const message = `${inSparksTerms(raw, views)}\n  in query: ${query}${caret(raw, ran, query)}`;
  const out = new AnalysisException(query, new Error(message, { cause: err.cause }));
  // SqlError's message is "cause\n  in query: …": ours already quotes the query, with its caret
  Object.defineProperty(out, "message", { value: message });
  return out;
}
