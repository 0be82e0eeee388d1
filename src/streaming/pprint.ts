import { pyStr } from "../util/py-format.js";

const RULER = "-".repeat(43);

/** Python's `str(datetime)` of an epoch-ms time in local time: `.ffffff` only when not whole seconds. */
export function formatBatchTime(ms: number): string {
  const d = new Date(ms);
  const p2 = (n: number) => String(n).padStart(2, "0");
  const base =
    `${d.getFullYear()}-${p2(d.getMonth() + 1)}-${p2(d.getDate())} ` +
    `${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}`;
  const millis = d.getMilliseconds();
  return millis === 0 ? base : `${base}.${String(millis * 1000).padStart(6, "0")}`;
}

/**
 * The text PySpark's `pprint` prints for one batch, given up to `num + 1` records:
 * rulers of 43 dashes around `Time: …`, one Python-`str` record per line, `...` when there
 * are more than `num`, and a final empty line.
 */
export function formatPprint(time: number, taken: readonly unknown[], num: number): string {
  const lines = [RULER, `Time: ${formatBatchTime(time)}`, RULER];
  for (const record of taken.slice(0, num)) lines.push(pyStr(record));
  if (taken.length > num) lines.push("...");
  return lines.join("\n") + "\n\n";
}
