import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after } from "node:test";
import { SparkContext } from "../../src/index.js";

/** One SparkContext for a test file, stopped when the file's tests end. */
export function sharedContext(master = "local[4]"): SparkContext {
  const sc = new SparkContext(master, "test");
  after(() => sc.stop());
  return sc;
}

/** A fresh temporary directory, removed when the file's tests end. */
export function tempDir(prefix = "sluice-test-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Sorts a copy by a value's JSON text, for comparing results whose order is not defined. */
export function sorted<T>(items: Iterable<T>): T[] {
  return Array.from(items).sort((a, b) => {
    const x = JSON.stringify(a);
    const y = JSON.stringify(b);
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

/** A plain-loop group-by: key (as JSON) → values in input order. */
export function groupPlain<K, V>(pairs: Iterable<[K, V]>): Map<string, { key: K; values: V[] }> {
  const m = new Map<string, { key: K; values: V[] }>();
  for (const [k, v] of pairs) {
    const id = JSON.stringify(k);
    let e = m.get(id);
    if (!e) m.set(id, (e = { key: k, values: [] }));
    e.values.push(v);
  }
  return m;
}
