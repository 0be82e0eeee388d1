/** Spark's text of a cell in `show()`: null as "null", dates as `YYYY-MM-DD HH:MM:SS`, nested values as JSON-ish. */
function cell(v: unknown): string {
  if (v === null || v === undefined) return "null";
  if (v instanceof Date)
    return v
      .toISOString()
      .replace("T", " ")
      .replace(/\.000Z$/, "")
      .replace("Z", "");
  if (typeof v === "object")
    return Array.isArray(v)
      ? `[${v.map(cell).join(", ")}]`
      : `{${Object.values(v as object)
          .map(cell)
          .join(", ")}}`;
  return String(v);
}

/**
 * The boxed table Spark's `df.show(n, truncate)` prints: a `+---+` ruler, right-aligned
 * cells, strings longer than 20 characters cut to 17 plus `...`, and "only showing top n rows"
 * when there are more.
 */
export function formatShow(
  columns: readonly string[],
  rows: readonly Record<string, unknown>[],
  n: number,
  truncate = true,
): string {
  const shown = rows.slice(0, n);
  const cut = (s: string) => (truncate && s.length > 20 ? s.slice(0, 17) + "..." : s);
  const table = [columns.map((c) => cut(c)), ...shown.map((r) => columns.map((c) => cut(cell(r[c]))))];
  const widths = columns.map((_, i) => Math.max(3, ...table.map((row) => row[i]!.length)));
  const ruler = "+" + widths.map((w) => "-".repeat(w)).join("+") + "+";
  const line = (row: string[]) => "|" + row.map((v, i) => v.padStart(widths[i]!)).join("|") + "|";
  const out = [ruler, line(table[0]!), ruler, ...table.slice(1).map(line), ruler];
  if (rows.length > n) out.push(`only showing top ${n} row${n === 1 ? "" : "s"}`);
  return out.join("\n") + "\n";
}
