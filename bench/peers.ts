// Sluice beside Spark Streaming 4.2 (local[2]) and Flink 2.3 (parallelism 2): the same jobs
// (bench/peers: sluice-peer.ts, SparkPeer.java, FlinkPeer.java), the same input from the same
// socket sender, each engine in its own process, interleaved in one run.
//
// Streaming scenarios — the course's word count, running totals (updateStateByKey), a window of 3
// slides with the inverse function (the course's 30 s / 10 s, scaled to the batch interval), and a
// keyed windowed count over bid events (a window of 4 slides) — at batch intervals of 1 s and
// 100 ms (Flink: processing-time windows of that length). Per offered rate (lines/s, rising until
// an engine falls behind) every engine runs a trial: the sender marks ~200 lines a second, each
// engine prints when a marker reaches its output, and a rate is sustainable when ≥ 99% of the
// markers sent early enough to be output arrive, the p99 latency of the trial's second half is
// under 3 slides + 1 s (a marker is output with the first window that holds it, one slide after
// it came at most), and the median latency of the last quarter is no more than a quarter slide
// (at least 100 ms) + 100 ms above the second quarter's (an engine that falls behind sees its
// latency grow for as long as the overload lasts). Also: latency p50/p99 at the lowest rate, time from process start to the first output,
// and peak RSS (VmHWM) of the engine's process.
//
// Batch scenario: the word count of a generated text file (BENCH_WORDS words, 4M by default) as an
// RDD job (Flink: batch execution mode); every engine's distinct and total counts must equal a
// plain loop's.
//
// Run: npm run bench -- peers   (BENCH_ENGINES (sluice, sluice-1, spark, flink), BENCH_SCENARIOS, BENCH_RATES, BENCH_SECONDS,
//                                BENCH_ROUNDS, BENCH_INTERVALS choose a part; Maven fetches the
//                                peers' jars on the first run)
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { generateText, percentile, writeResult } from "./harness.js";
import { javaBinary, javaCommand, peerClasspath } from "./peers/jvm.js";

/** `sluice-1` is Sluice on local[1]: beside `sluice` (local[2]) it shows what the second thread adds. */
type Engine = "sluice" | "sluice-1" | "spark" | "flink";
type Scenario = "wordcount" | "totals" | "window" | "keyed";

const list = (name: string, fallback: string) => (process.env[name] ?? fallback).split(",").filter(Boolean);
const ENGINES = list("BENCH_ENGINES", "sluice,spark,flink") as Engine[];
const SCENARIOS = list("BENCH_SCENARIOS", "batch,wordcount,totals,window,keyed");
const INTERVALS = list("BENCH_INTERVALS", "1000,100").map(Number);
const RATES = list("BENCH_RATES", "25000,50000,100000,200000,400000,600000,800000,1000000,1200000,1600000").map(Number);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1);
const WORDS = Number(process.env.BENCH_WORDS ?? 4_000_000);
const MARKERS_PER_SECOND = 200;

/** How long a scenario's output may lag its input: its window and one slide. */
const windowMs = (s: Scenario, iv: number) => ({ wordcount: iv, totals: iv, window: 3 * iv, keyed: 4 * iv })[s];

function command(engine: Engine, args: string[]): [string, string[]] {
  if (engine === "sluice" || engine === "sluice-1") {
    const master = engine === "sluice" ? [] : ["--master", "local[1]"];
    return [process.execPath, ["--import", "tsx", "bench/peers/sluice-peer.ts", ...master, ...args]];
  }
  return engine === "spark" ? javaCommand("spark", "SparkPeer", args) : javaCommand("flink", "FlinkPeer", args);
}

/** Starts `engine` on `args`, following its peak RSS (VmHWM of its process) until it ends. */
function launch(engine: Engine, args: string[]) {
  const [cmd, argv] = command(engine, args);
  const startedAt = Date.now();
  const child = spawn(cmd, argv, {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, SLUICE_LOG_LEVEL: "ERROR", SLUICE_CONF: "" },
  });
  let peakKB = 0;
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => void (stderr = (stderr + d).slice(-4000)));
  const poll = setInterval(() => {
    try {
      const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"));
      if (m) peakKB = Math.max(peakKB, Number(m[1]));
    } catch {
      // the process has ended
    }
  }, 50);
  const exited = once(child, "exit").then(() => clearInterval(poll));
  return { child, startedAt, exited, peakMB: () => Math.round(peakKB / 1024), stderr: () => stderr };
}

function kill(child: ChildProcess) {
  if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function streamingTrial(engine: Engine, scenario: Scenario, iv: number, rate: number) {
  const sender = spawn(
    process.execPath,
    [
      "bench/socket-sender.mjs",
      "0",
      String(rate),
      String(SECONDS),
      scenario === "keyed" ? "events" : "words",
      String(MARKERS_PER_SECOND),
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const senderLines = createInterface({ input: sender.stdout! })[Symbol.asyncIterator]();
  const port = /^ready (\d+)$/.exec(String((await senderLines.next()).value))![1]!;
  const run = launch(engine, [scenario, port, String(iv)]);
  const seen = new Map<number, { sent: number; at: number }>();
  let firstOutputAt: number | undefined;
  createInterface({ input: run.child.stdout! }).on("line", (line) => {
    const m = /^lat (\d+)_(\d+) (\d+)$/.exec(line);
    if (!m) return;
    const at = Number(m[3]);
    firstOutputAt ??= at;
    if (!seen.has(Number(m[2]))) seen.set(Number(m[2]), { sent: Number(m[1]), at });
  });
  const senderDone = senderLines.next().then((r) => String(r.value ?? ""));
  const outcome = await Promise.race([senderDone, run.exited.then(() => "engine ended")]);
  if (outcome === "engine ended") {
    kill(sender);
    throw new Error(`${engine} ended before its input did:\n${run.stderr()}`);
  }
  const markers = Number(/^sent \d+ (\d+)$/.exec(outcome)?.[1] ?? 0);
  const lagAllowance = windowMs(scenario, iv) + iv;
  await Promise.race([run.exited, sleep(lagAllowance + 1500)]);
  kill(run.child);
  await run.exited;
  // markers sent early enough that every engine must have output them before the end
  const due = Math.floor((markers * (SECONDS * 1000 - lagAllowance - 500)) / (SECONDS * 1000));
  let arrived = 0;
  for (const seq of seen.keys()) if (seq <= due) arrived++;
  const latencies = [...seen.values()].map((s) => s.at - s.sent);
  // latency by quarter of the trial (by marker number): an engine that falls behind sees it grow
  const quarter = (q: number) =>
    [...seen.entries()]
      .filter(([seq]) => seq > (markers * q) / 4 && seq <= (markers * (q + 1)) / 4)
      .map(([, s]) => s.at - s.sent);
  const [second, last] = [quarter(1), quarter(3)];
  const growthMs = second.length && last.length ? percentile(last, 50) - percentile(second, 50) : Infinity;
  const late = [...quarter(2), ...last];
  const completeness = due > 0 ? arrived / due : 0;
  const p99SecondHalf = late.length ? percentile(late, 99) : Infinity;
  return {
    engine,
    offeredLinesPerSecond: rate,
    markersSent: markers,
    completeness: Math.round(completeness * 1000) / 1000,
    latencyMs: latencies.length ? { p50: percentile(latencies, 50), p99: percentile(latencies, 99) } : null,
    p99SecondHalfMs: Number.isFinite(p99SecondHalf) ? p99SecondHalf : null,
    latencyGrowthMs: Number.isFinite(growthMs) ? growthMs : null,
    firstOutputMs: firstOutputAt === undefined ? null : firstOutputAt - run.startedAt,
    peakRssMB: run.peakMB(),
    sustainable: completeness >= 0.99 && p99SecondHalf <= 3 * iv + 1000 && growthMs <= Math.max(100, iv / 4) + 100,
  };
}
type Trial = Awaited<ReturnType<typeof streamingTrial>>;

/** Every engine's counts of the batch word count, checked against a plain loop. */
async function batchTrial(engine: Engine, file: string, expected: { distinct: number; total: number }) {
  const run = launch(engine, ["batch", file]);
  let out = "";
  run.child.stdout!.on("data", (d: Buffer) => void (out += d));
  await run.exited;
  const wallMs = Date.now() - run.startedAt;
  const m = /^words (\d+) (\d+) (\d+)$/m.exec(out);
  if (!m) throw new Error(`${engine}'s batch word count printed no counts:\n${run.stderr()}`);
  const [distinct, total, jobMs] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (distinct !== expected.distinct || total !== expected.total)
    throw new Error(
      `${engine} counted ${distinct} words ${total} times; a plain loop ${expected.distinct}, ${expected.total}`,
    );
  return { engine, jobMs, wallMs, wordsPerSecond: Math.round(total / (jobMs / 1000)), peakRssMB: run.peakMB() };
}

// Build the peers once, before any timing.
if (ENGINES.includes("spark")) peerClasspath("spark");
if (ENGINES.includes("flink")) peerClasspath("flink");

// raw trials only: scripts/bench-table.mjs derives the figures (best rate per round, the lowest over rounds)
const trials: Record<string, (Trial & { round: number })[]> = {};
const batchRuns: (Awaited<ReturnType<typeof batchTrial>> & { round: number })[] = [];
const dir = mkdtempSync(join(tmpdir(), "sluice-bench-peers-"));
const file = join(dir, "words.txt");
let expected: { distinct: number; total: number } | undefined;
if (SCENARIOS.includes("batch")) {
  writeFileSync(file, generateText(WORDS, 5000));
  const counts = new Map<string, number>();
  for (const w of readFileSync(file, "utf8").split(/\s+/)) if (w) counts.set(w, (counts.get(w) ?? 0) + 1);
  expected = { distinct: counts.size, total: [...counts.values()].reduce((a, b) => a + b, 0) };
}
for (let round = 0; round < ROUNDS; round++) {
  // each round starts with a different engine, so none always runs first
  const order = ENGINES.map((_, i) => ENGINES[(i + round) % ENGINES.length]!);
  if (expected) {
    for (const engine of order) {
      const r = { ...(await batchTrial(engine, file, expected)), round: round + 1 };
      batchRuns.push(r);
      console.log(`batch word count, ${engine}: ${JSON.stringify(r)}`);
    }
  }
  for (const scenario of SCENARIOS.filter((s) => s !== "batch") as Scenario[]) {
    for (const iv of INTERVALS) {
      const key = `${scenario}@${iv}ms`;
      const climbing = new Set(order);
      for (const rate of RATES) {
        if (climbing.size === 0) break;
        for (const engine of order.filter((e) => climbing.has(e))) {
          const t = { ...(await streamingTrial(engine, scenario, iv, rate)), round: round + 1 };
          (trials[key] ??= []).push(t);
          console.log(`${key} round ${round + 1}, ${rate} lines/s, ${engine}: ${JSON.stringify(t)}`);
          if (!t.sustainable) climbing.delete(engine);
        }
      }
    }
  }
}
rmSync(dir, { recursive: true, force: true });

writeResult(process.env.BENCH_RESULT ?? "peers", {
  versions: {
    spark: "4.2.0 (local[2])",
    flink: "2.3.0 (parallelism 2)",
    java: spawnSync(javaBinary(), ["-version"], { encoding: "utf8" }).stderr.split("\n")[0],
  },
  secondsPerTrial: SECONDS,
  rounds: ROUNDS,
  markersPerSecond: MARKERS_PER_SECOND,
  words: WORDS,
  batchRuns,
  trials,
});
