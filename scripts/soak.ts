// The reliability soak: the kill -9 job killed at random moments (default 200 times), at every
// crash point 25 times (T2), and by a simulated power loss at every crash point 5 times (T10),
// each run restarted with getOrCreate, then reconciled with the input.
// Then T16: a socket and a reliable receiver offered 3x and 10x what the job keeps for 60 s
// (SLUICE_SOAK_T16_SECONDS), with and without backpressure, under --max-old-space-size=128.
// Prints the reliability dashboard figures and writes bench/results/soak.json.
// Usage: npm run soak [-- <kills>]   (SLUICE_SOAK_ONLY=t16: the memory trials alone)
import { mkdtempSync, rmSync } from "node:fs";
import { release, tmpdir } from "node:os";
import { join } from "node:path";
import { execSync } from "node:child_process";
import { CRASH_POINTS } from "../test/helpers/fault-fs.js";
import {
  firstRun,
  makeWorkspace,
  reconcile,
  reconcilePostgres,
  runJob,
  type Reconciliation,
} from "../test/reliability/harness.js";
import { percentile, writeResult } from "../bench/harness.js";
import { runMemoryTrial, type MemoryOutcome } from "../test/reliability/memory.js";

const memory: MemoryOutcome[] = [];
async function memoryTrials(): Promise<void> {
  const seconds = Number(process.env.SLUICE_SOAK_T16_SECONDS ?? 60);
  for (const source of ["socket", "reliable"] as const)
    for (const overload of [3, 10])
      for (const backpressure of [false, true]) {
        const r = await runMemoryTrial({ source, overload, backpressure, heapMb: 128, seconds });
        memory.push(r);
        process.stdout.write(`T16 ${JSON.stringify(r)}\n`);
      }
}
const memoryFailed = () => memory.some((r) => r.ended === "V8 abort" || r.peakHeapPct >= 80 || r.lost > 0);
if (process.env.SLUICE_SOAK_ONLY === "t16") {
  await memoryTrials();
  writeResult("soak-memory", { memory });
  process.exit(memoryFailed() ? 1 : 0);
}

const kills = Number(process.argv[2] ?? 200);
const perWorkspace = 25;
const root = mkdtempSync(join(tmpdir(), "sluice-soak-"));
const recoveryMs: number[] = [];
const results: Reconciliation[] = [];
let survived = 0;
let injected = 0;
let seed = 99;
const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;

async function timedRun(ws: ReturnType<typeof makeWorkspace>, opts: Parameters<typeof runJob>[1]) {
  const start = performance.now();
  let first: number | undefined;
  const r = await runJob(ws, opts);
  if (r.committed.length > 0) first = performance.now() - start;
  return { ...r, first };
}

// T1: every record also goes to a PostgreSQL table (append, idempotent per batch), reconciled at the end
const pgUrl = process.env.SLUICE_SOAK_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const pg = { lost: 0, duplicated: 0, records: 0 };
for (let w = 0; injected < kills; w++) {
  const ws = makeWorkspace(join(root, `w${w}`), 84, 250, 150, w + 1);
  const table = `sluice_soak_${process.pid}_${w}`;
  const env = { SLUICE_JOB_PG_URL: pgUrl, SLUICE_JOB_PG_TABLE: table };
  // every other workspace: frequent snapshots and short retention, so logs are cleaned up early
  const opts = {
    env,
    ...(w % 2 === 0 ? { snapshotSeconds: 0.3, conf: { "spark.streaming.minBatchesToRetain": "3" } } : {}),
  };
  await firstRun(ws, opts);
  for (let i = 0; i < perWorkspace && injected < kills; i++) {
    const r = await timedRun(ws, { ...opts, killAfterMs: 250 + Math.floor(rand() * 1250) });
    injected++;
    if (r.signal !== "SIGKILL") throw new Error(`run ended by ${r.signal ?? `exit ${r.code}`}:\n${r.stderr}`);
    if (r.first !== undefined) {
      survived++;
      recoveryMs.push(r.first);
    }
  }
  const final = await runJob(ws, { ...opts, untilCommitted: "input" });
  if (final.code !== 0) throw new Error(`final run failed:\n${final.stderr}`);
  const rec = reconcile(ws);
  results.push(rec);
  const inPg = await reconcilePostgres(ws, pgUrl, table);
  pg.lost += inPg.lost;
  pg.duplicated += inPg.duplicated;
  pg.records += ws.records.size;
  process.stdout.write(`workspace ${w}: ${JSON.stringify(rec)}, PostgreSQL ${JSON.stringify(inPg)}\n`);
  if (rec.lost + rec.duplicated + rec.wrongState > 0) process.stdout.write(`  kept for inspection: ${ws.root}\n`);
  else rmSync(ws.root, { recursive: true, force: true });
}
const crashesPerPoint = Number(process.env.SLUICE_SOAK_CRASHES ?? 25);
let crashes = 0;
let powerLosses = 0;
const undone = { appends: 0, renames: 0, files: 0 };
for (const point of CRASH_POINTS) {
  // each point reached at its 1st..5th occurrence in turn, in one workspace, then reconciled
  const ws = makeWorkspace(join(root, point), 60, 100, 150, point.length);
  await firstRun(ws, {});
  for (let i = 0; i < crashesPerPoint; i++) {
    const crashed = await runJob(ws, { crashAt: `${point}:${1 + (i % 5)}` });
    if (crashed.signal !== "SIGKILL") throw new Error(`${point} not reached:\n${crashed.stderr}`);
    crashes++;
  }
  for (let i = 0; i < 5; i++) {
    const lost = await runJob(ws, { env: { SLUICE_POWER_LOSS_AT: `${point}:${1 + i}` } });
    if (lost.signal !== "SIGKILL") throw new Error(`${point}: power loss not reached:\n${lost.stderr}`);
    powerLosses++;
    const report = /power loss: undid (\{.*\})/.exec(lost.stderr);
    for (const [k, n] of Object.entries(JSON.parse(report?.[1] ?? "{}") as Record<string, number>)) {
      undone[k as keyof typeof undone] += n;
    }
  }
  const final = await runJob(ws, { untilCommitted: "input" });
  if (final.code !== 0) throw new Error(`${point}: ${final.stderr}`);
  const rec = reconcile(ws);
  results.push(rec);
  process.stdout.write(`crash point ${point}: ${JSON.stringify(rec)}\n`);
}
await memoryTrials();
const sum = (k: keyof Reconciliation) => results.reduce((n, r) => n + r[k], 0);
let commit = "unknown";
try {
  commit = execSync("git rev-parse --short HEAD", { encoding: "utf8" }).trim();
} catch {
  // not a checkout
}
writeResult("soak", {
  runs: results.length,
  killsInjected: injected,
  killsSurvived:
    `${injected}/${injected} runs ended only by the injected kill, none by a failed recovery; ` +
    `${survived} reached a committed batch first`,
  crashPointsCovered: `${CRASH_POINTS.length}/${CRASH_POINTS.length}, ${crashes} crashes (${crashesPerPoint} per point)`,
  powerLosses: `${powerLosses} (5 per crash point), undoing ${JSON.stringify(undone)}`,
  recordsChecked: sum("recordsChecked"),
  postgresSink: `${pg.records} records, lost ${pg.lost}, duplicated ${pg.duplicated}`,
  recordsLost: sum("lost"),
  recordsDuplicated: sum("duplicated"),
  stateMismatches: sum("wrongState"),
  recoveryToFirstCommitMs: {
    p50: Math.round(percentile(recoveryMs, 50)),
    p99: Math.round(percentile(recoveryMs, 99)),
    max: Math.round(Math.max(...recoveryMs)),
  },
  memory,
  build: { commit, node: process.version, kernel: release() },
});
if (sum("lost") + sum("duplicated") + sum("wrongState") + pg.lost + pg.duplicated > 0 || memoryFailed())
  process.exit(1);
