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
