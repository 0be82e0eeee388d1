// Shared helpers of the benchmarks: timing, heap, and the JSON result files.
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const resultsDir = join(dirname(fileURLToPath(import.meta.url)), "results");

/** Heap in use after a full collection when `--expose-gc` is on (npm run bench sets it). */
export function heapUsedMB(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

/**
 * Seeded text of about `words` words (5–14 a line) over a vocabulary of `vocab` words drawn with a
 * skew (rand² picks the low ranks more often), as the batch word counts read.
 */
export function generateText(words: number, vocab: number): string {
  let x = 42;
  const rand = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const names = Array.from({ length: vocab }, (_, i) => `w${i.toString(36)}x${((i * 7919) % 1000).toString(36)}`);
  const lines: string[] = [];
  let n = 0;
  while (n < words) {
    const k = 5 + Math.floor(rand() * 10);
    const line: string[] = [];
    for (let i = 0; i < k; i++) line.push(names[Math.floor(rand() ** 2 * vocab)]!);
    lines.push(line.join(" "));
    n += k;
  }
  return lines.join("\n") + "\n";
}

/** Percentile of numbers (nearest rank). */
export function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

/** Writes `bench/results/<name>.json` with the machine's description and the date. */
export function writeResult(name: string, result: Record<string, unknown>): void {
  mkdirSync(resultsDir, { recursive: true });
  const body = {
    scenario: name,
    date: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model,
      memoryGB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
    },
    ...result,
  };
  writeFileSync(join(resultsDir, `${name}.json`), JSON.stringify(body, null, 2) + "\n");
  console.log(JSON.stringify(body, null, 2));
}
