// Nexmark q0–q8 in Sluice (bench/nexmark: the generator, the queries in Sluice's API, and plain
// loops that the test suite checks them against), local[2]. Each query runs BENCH_NEXMARK_EVENTS
// events (4M by default) in batches of BENCH_NEXMARK_PER_BATCH (200k: one second of event time)
// as fast as the engine goes, generating the events inside the batches' tasks. Reported as
// Nexmark reports engines: events/s, and throughput per core = events / CPU-seconds (the
// process's user + system time; Nexmark's "cores × time"). Flink's published figures (Flink
// 1.13 on 8 task managers, Nexmark's own README) are listed beside them for scale — a
// different machine and setup, so a reference, not a ratio.
// Run: npm run bench -- nexmark   (BENCH_NEXMARK_QUERIES=q0,q5 runs a part)
import { queries } from "./nexmark/queries.js";
import { runNexmark } from "./nexmark/run.js";
import { writeResult } from "./harness.js";

const EVENTS = Number(process.env.BENCH_NEXMARK_EVENTS ?? 4_000_000);
const PER_BATCH = Number(process.env.BENCH_NEXMARK_PER_BATCH ?? 200_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const QUERIES = (process.env.BENCH_NEXMARK_QUERIES ?? Object.keys(queries).join(",")).split(",");

/** Throughput per core of Flink 1.13 in Nexmark's published results (K events/s per core); q6 does not run on Flink. */
const FLINK_PUBLISHED_K_PER_CORE: Record<string, number | null> = {
  q0: 155.02,
  q1: 157.94,
  q2: 175.21,
  q3: 152.12,
  q4: 34.33,
  q5: 22.14,
  q6: null,
  q7: 12.33,
  q8: 146.14,
};

const rows: Record<string, unknown> = {};
// a warm-up run, so the first query does not pay for compiling the engine
await runNexmark("q0", { perBatch: PER_BATCH, batches: 2 });
for (const query of QUERIES) {
  let best: { eventsPerSecond: number; kEventsPerCoreSecond: number; cores: number } | undefined;
  for (let round = 0; round < ROUNDS; round++) {
    const r = await runNexmark(query, { perBatch: PER_BATCH, batches: Math.ceil(EVENTS / PER_BATCH) });
    const m = {
      eventsPerSecond: Math.round(r.events / (r.wallMs / 1000)),
      kEventsPerCoreSecond: Math.round((r.events / r.cpuMs) * 100) / 100,
      cores: Math.round((r.cpuMs / r.wallMs) * 100) / 100,
    };
    console.log(`${query} round ${round + 1}: ${JSON.stringify(m)}`);
    if (!best || m.eventsPerSecond > best.eventsPerSecond) best = m;
  }
  rows[query] = { ...best, flinkPublishedKEventsPerCoreSecond: FLINK_PUBLISHED_K_PER_CORE[query] ?? null };
}
writeResult("nexmark", {
  events: EVENTS,
  eventsPerBatch: PER_BATCH,
  rounds: ROUNDS,
  master: "local[2]",
  peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
  queries: rows,
});
