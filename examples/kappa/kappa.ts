// The kappa architecture on Sluice: one stored log, one streaming job that builds the view.
// To change the view's code, a new job replays the log from its start next to the running
// one; once it has caught up, serving switches to its view and the old job stops.
// Run: npx sluice submit examples/kappa/kappa.ts [workDir]
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const work = resolve(process.argv[2] ?? "kappa-data");
const logDir = join(work, "log");
rmSync(work, { recursive: true, force: true });
mkdirSync(logDir, { recursive: true });
const here = fileURLToPath(new URL(".", import.meta.url));
const users = ["ana", "bo", "cy"];
let segments = 0;

/** Appends one segment of 50 events to the log (written, then renamed into place). */
function appendSegment(): void {
  const name = `${String(segments).padStart(5, "0")}.jsonl`;
  const lines = Array.from({ length: 50 }, (_, i) => JSON.stringify({ user: users[(segments + i) % 3], amount: (segments * 50 + i) % 20 })).join("\n") + "\n";
  writeFileSync(join(work, name), lines);
  renameSync(join(work, name), join(logDir, name));
  segments++;
}

function startJob(version: string): ChildProcess {
  return spawn(process.execPath, [join(here, "../../bin/sluice.js"), "submit", "--master", "local[1]", join(here, "job.ts"), version, logDir, join(work, `view-v${version}`)], { stdio: ["ignore", "ignore", "inherit"] });
}

type View = { version: string; position: number; figures: Record<string, { total: number; count?: number }> };
const readView = (version: string): View | undefined => {
  const path = join(work, `view-v${version}`, "view.json");
  return existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as View) : undefined;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let serving = "1";
const served = () => readView(serving);

for (let i = 0; i < 40; i++) appendSegment(); // history
const v1 = startJob("1");
while ((readView("1")?.position ?? 0) < segments) await sleep(100); // demo: wait for v1 to catch up
console.log(`v1 serves: ${JSON.stringify(served()?.figures)} (log position ${served()?.position} of ${segments})`);

// new code: v2 replays the whole log next to v1 while new events keep arriving
const v2 = startJob("2");
while (true) {
  appendSegment();
  await sleep(200);
  const a = readView("1")?.position ?? 0;
  const b = readView("2")?.position ?? 0;
  console.log(`log ${segments} segments; v1 at ${a}, v2 at ${b}`);
  if (b >= a && b > 0) break; // caught up
}
serving = "2";
v1.kill("SIGINT");
console.log(`switched serving to v2; v1 stopped`);
for (let i = 0; i < 3; i++) appendSegment();
while ((readView("2")?.position ?? 0) < segments) await sleep(100);
const view = served()!;
console.log(`v2 serves: ${JSON.stringify(view.figures)} (log position ${view.position} of ${segments})`);
v2.kill("SIGINT");

// check: v2's view equals a plain fold over the whole log
const expected: Record<string, { total: number; count: number }> = {};
for (let s = 0; s < segments; s++) {
  for (const line of readFileSync(join(logDir, `${String(s).padStart(5, "0")}.jsonl`), "utf8").split("\n").filter(Boolean)) {
    const e = JSON.parse(line) as { user: string; amount: number };
    expected[e.user] ??= { total: 0, count: 0 };
    expected[e.user]!.total += e.amount;
    expected[e.user]!.count += 1;
  }
}
const same = JSON.stringify(Object.entries(expected).sort()) === JSON.stringify(Object.entries(view.figures).sort());
console.log(same ? "v2's view equals a recomputation over the whole log" : `MISMATCH: expected ${JSON.stringify(expected)}`);
process.exitCode = same ? 0 : 1;
