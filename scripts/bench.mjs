// Runs the benchmarks in bench/ (all, or those whose name contains an argument), each in
// its own process with --expose-gc, writing bench/results/<scenario>.json.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";

const filters = process.argv.slice(2);
const files = readdirSync("bench")
  .filter(
    (f) =>
      f.endsWith(".ts") &&
      !["harness.ts", "spmd-worker.ts", "spmd-job.ts"].includes(f) &&
      (filters.length === 0 || filters.some((s) => f.includes(s))),
  )
  .sort();
let failed = 0;
for (const f of files) {
  console.log(`== bench/${f}`);
  const r = spawnSync(process.execPath, ["--expose-gc", "--max-old-space-size=8192", "--import", "tsx", `bench/${f}`], {
    stdio: "inherit",
  });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
