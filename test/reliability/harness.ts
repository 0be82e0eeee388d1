// The kill -9 harness: input with known records, a job run as a child process and killed
// with SIGKILL at random moments or at named crash points, restarted, and a checker that
// reconciles the outputs with a reference fold over the input.
import { spawn } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, renameSync, utimesSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

export interface Workspace {
  readonly root: string;
  readonly checkpoint: string;
  readonly input: string;
  readonly output: string;
  /** Every record id → [key, value]. */
  readonly records: Map<string, [string, number]>;
  /** The latest modification time given to an input file (set by `publish`). */
  lastInputTime: number;
  /**
   * Moves the staged input files into `input`, stamped `spacingMs` apart from 300 ms from now
   * on. Called once the job runs: a file older than the job is ignored by design.
   */
  publish(): void;
}

/**
 * Stages `files` input files of `perFile` records each (the file stream takes a file in the
 * batch whose time passes its modification time, so once published the input is spread over
 * many batches).
 */
export function makeWorkspace(root: string, files: number, perFile: number, spacingMs: number, seed = 1): Workspace {
  const dirs = { root, checkpoint: join(root, "checkpoint"), input: join(root, "input"), output: join(root, "output") };
  const staging = join(root, "staging");
  for (const d of [dirs.input, dirs.output, staging]) mkdirSync(d, { recursive: true });
  const records = new Map<string, [string, number]>();
  let x = seed;
  const rand = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) % 1000;
  const names: string[] = [];
  for (let f = 0; f < files; f++) {
    const lines: string[] = [];
    for (let r = 0; r < perFile; r++) {
      const id = `r${f}-${r}`;
      const key = `k${rand() % 17}`;
      const value = rand() - 500;
      records.set(id, [key, value]);
      lines.push(`${id},${key},${value}`);
    }
    const name = `part-${String(f).padStart(5, "0")}.csv`;
    writeFileSync(join(staging, name), lines.join("\n") + "\n");
    names.push(name);
  }
  let published = false;
  const ws: Workspace = {
    ...dirs,
    records,
    lastInputTime: Infinity,
    publish() {
      if (published) return;
      published = true;
      const startAt = Date.now() + 300;
      names.forEach((name, f) => {
        const t = startAt + f * spacingMs;
        utimesSync(join(staging, name), t / 1000, t / 1000);
        renameSync(join(staging, name), join(dirs.input, name));
        ws.lastInputTime = t;
      });
    },
  };
  return ws;
}

export interface RunResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly committed: number[];
  readonly stderr: string;
}

/**
 * The first run, killed once its first batch is committed: the job then exists (its file
 * stream's creation time is fixed in the checkpoint) before any input file arrives. (A file
 * older than the job is ignored by design, so random kills before the first checkpoint would
 * otherwise move the job's start past some files.)
 */
export async function firstRun(ws: Workspace, opts: RunOptions = {}): Promise<RunResult> {
  const r = await runJob(ws, { ...opts, killAfterCommits: 1 });
  if (r.signal !== "SIGKILL") throw new Error(`the first run ended by ${r.signal ?? `exit ${r.code}`}:\n${r.stderr}`);
  return r;
}

/**
 * Runs the job once. It is killed with SIGKILL after `killAfterMs`, or stops itself at
 * `crashAt` (`SLUICE_CRASH_AT`), or is asked to stop (SIGINT) once a batch at or after
 * `untilCommitted` is committed.
 */
export interface RunOptions {
  killAfterMs?: number;
  /** SIGKILL once this many batches have been committed. */
  killAfterCommits?: number;
  crashAt?: string;
  /** SIGINT once a batch at or after this time is committed; "input": after the last input file's time. */
  untilCommitted?: number | "input";
  batchSeconds?: number;
  /** State snapshot interval (seconds); small values make the checkpoint clean up its logs early. */
  snapshotSeconds?: number;
  /** `--conf` settings for the job. */
  conf?: Record<string, string>;
  env?: Record<string, string>;
}

export function runJob(ws: Workspace, opts: RunOptions): Promise<RunResult> {
  const confArgs = Object.entries(opts.conf ?? {}).flatMap(([k, v]) => ["--conf", `${k}=${v}`]);
  const args = [
    resolve("bin/sluice.js"),
    "submit",
    "--master",
    "local[1]",
    ...confArgs,
    resolve("test/reliability/job.ts"),
    ws.checkpoint,
    ws.input,
    ws.output,
    String(opts.batchSeconds ?? 0.1),
    String(opts.snapshotSeconds ?? 10),
  ];
  const env: NodeJS.ProcessEnv = { ...process.env, SLUICE_CONF: "", SLUICE_LOG_LEVEL: "ERROR", ...opts.env };
  if (opts.crashAt) env.SLUICE_CRASH_AT = opts.crashAt;
  else delete env.SLUICE_CRASH_AT;
  const child = spawn(process.execPath, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  const committed: number[] = [];
  let stderr = "";
  let buffered = "";
  let timer: NodeJS.Timeout | undefined;
  let interrupted = false;
  if (opts.killAfterMs !== undefined) timer = setTimeout(() => child.kill("SIGKILL"), opts.killAfterMs);
  child.stdout.on("data", (d: Buffer) => {
    buffered += d;
    let nl = buffered.indexOf("\n");
    while (nl >= 0) {
      const m = /^committed (\d+)$/.exec(buffered.slice(0, nl));
      if (m) {
        committed.push(Number(m[1]));
        if (opts.killAfterCommits !== undefined && committed.length >= opts.killAfterCommits) child.kill("SIGKILL");
        const until = opts.untilCommitted === "input" ? ws.lastInputTime + 200 : opts.untilCommitted;
        if (until !== undefined && Number(m[1]) >= until && !interrupted) {
          interrupted = true;
          child.kill("SIGINT");
        }
      }
      buffered = buffered.slice(nl + 1);
      nl = buffered.indexOf("\n");
    }
  });
  child.stderr.on("data", (d: Buffer) => {
    stderr += d;
    // the input arrives once the job runs (the status line is printed by start())
    if (/sluice: streaming app/.test(stderr)) ws.publish();
  });
  return new Promise((resolveRun) => {
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      resolveRun({ code, signal, committed, stderr });
    });
  });
}

/** Lines of every part file of a text output directory. */
function readTextDir(dir: string): string[] {
  return readdirSync(dir)
    .filter((n) => n.startsWith("part-"))
    .sort()
    .flatMap((n) => readFileSync(join(dir, n), "utf8").split("\n").filter(Boolean));
}

export interface Reconciliation {
  readonly lost: number;
  readonly duplicated: number;
  readonly wrongState: number;
  readonly recordsChecked: number;
  readonly batchesWritten: number;
}

/**
 * Compares the outputs with the input: every record id seen exactly once over all batches
 * (lost and duplicated counts), and the last state equal to the per-key sums (mismatching keys).
 */
export function reconcile(ws: Workspace): Reconciliation {
  const dirs = readdirSync(ws.output).filter((n) => !n.startsWith("."));
  const seen = new Map<string, number>();
  for (const d of dirs.filter((n) => n.startsWith("seen-"))) {
    for (const line of readTextDir(join(ws.output, d))) {
      const id = line.split(",")[0]!;
      seen.set(id, (seen.get(id) ?? 0) + 1);
    }
  }
  let lost = 0;
  for (const id of ws.records.keys()) if (!seen.has(id)) lost++;
  let duplicated = 0;
  for (const n of seen.values()) if (n > 1) duplicated += n - 1;
  const expected = new Map<string, number>();
  for (const [key, value] of ws.records.values()) expected.set(key, (expected.get(key) ?? 0) + value);
  const stateDirs = dirs.filter((n) => n.startsWith("state-")).sort((a, b) => Number(a.slice(6)) - Number(b.slice(6)));
  const last = stateDirs[stateDirs.length - 1];
  const state = new Map<string, number>();
  for (const line of last ? readTextDir(join(ws.output, last)) : []) {
    const m = /^\('(.*)', (-?\d+)\)$/.exec(line);
    if (m) state.set(m[1]!, Number(m[2]));
  }
  let wrongState = 0;
  for (const key of new Set([...expected.keys(), ...state.keys()]))
    if (expected.get(key) !== state.get(key)) wrongState++;
  return { lost, duplicated, wrongState, recordsChecked: ws.records.size, batchesWritten: stateDirs.length };
}

/** The records of `ws` as a PostgreSQL table holds them (the soak's T1 sink): lost and duplicated ids. */
export async function reconcilePostgres(
  ws: Workspace,
  url: string,
  table: string,
): Promise<{ lost: number; duplicated: number }> {
  const pg = (await import("pg")).default;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const rows = (await client.query(`SELECT id, count(*)::int AS n FROM "${table}" GROUP BY id`)).rows as {
      id: string;
      n: number;
    }[];
    const seen = new Map(rows.map((r) => [r.id, r.n]));
    let lost = 0;
    for (const id of ws.records.keys()) if (!seen.has(id)) lost++;
    let duplicated = 0;
    for (const n of seen.values()) if (n > 1) duplicated += n - 1;
    await client.query(`DROP TABLE IF EXISTS "${table}"`);
    return { lost, duplicated };
  } finally {
    await client.end();
  }
}
