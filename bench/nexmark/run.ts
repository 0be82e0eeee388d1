// Runs a Nexmark query in Sluice over generated batches, driving a manual clock one batch at a
// time as soon as the last one finished: the events are generated inside the batches' tasks
// (each batch an RDD over a range of event numbers), so the run measures the engine, not a feed.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ManualClock, SparkContext, StreamingContext } from "../../src/index.js";
import { nexmarkEvent } from "./model.js";
import { queries } from "./queries.js";

export interface NexmarkRun {
  events: number;
  wallMs: number;
  /** CPU time of this process over the run (user + system), as Nexmark's "cores × time". */
  cpuMs: number;
  /** Per batch time, the output rows when `collect` was asked for, else their count. */
  outputs: Map<number, unknown[] | number>;
}

export async function runNexmark(
  query: string,
  opts: { perBatch: number; batches: number; master?: string; collect?: boolean },
): Promise<NexmarkRun> {
  const q = queries[query];
  if (!q) throw new Error(`no Nexmark query ${query}; there are ${Object.keys(queries).join(", ")}`);
  const sc = new SparkContext(opts.master ?? "local[2]", `nexmark-${query}`);
  const clock = new ManualClock(0);
  const ssc = new StreamingContext(sc, 1, { clock, out: () => {} });
  const checkpoint = mkdtempSync(join(tmpdir(), "sluice-nexmark-"));
  ssc.checkpoint(checkpoint);
  const { perBatch } = opts;
  const rdds = Array.from({ length: opts.batches }, (_, i) =>
    sc.range(i * perBatch, (i + 1) * perBatch).map((n) => nexmarkEvent(n, perBatch)),
  );
  const outputs = new Map<number, unknown[] | number>();
  q(ssc.queueStream(rdds)).foreachRDD(async (time: Date, rdd) => {
    outputs.set(time.getTime(), opts.collect ? await rdd.collect() : await rdd.count());
  });
  ssc.start();
  const cpu = process.cpuUsage();
  const start = performance.now();
  try {
    for (let b = 0; b < opts.batches; b++) {
      clock.advance(1000);
      await ssc.scheduler.whenIdle();
    }
    const used = process.cpuUsage(cpu);
    return {
      events: perBatch * opts.batches,
      wallMs: performance.now() - start,
      cpuMs: (used.user + used.system) / 1000,
      outputs,
    };
  } finally {
    await ssc.stop(true, false);
    rmSync(checkpoint, { recursive: true, force: true });
  }
}
