import type { ManualClock, StreamingContext, DStream, RDD } from "../../src/index.js";
import { sorted } from "./context.js";

/** Per-user sums of the records `u<i % 5>` carrying `i % 17`, for i < n, as the sources' tests publish them. */
export function referenceTotals(n: number): [string, number][] {
  const m = new Map<string, number>();
  for (let i = 0; i < n; i++) m.set(`u${i % 5}`, (m.get(`u${i % 5}`) ?? 0) + (i % 17));
  return sorted(m);
}

/** Running totals of `[user, amount]` pairs into `seen` by batch time; the batch at `failAt.time` fails its output. */
export function recordTotals(
  pairs: DStream<[string, number]>,
  seen: Map<number, [string, number][]>,
  failAt: { time?: number },
): void {
  pairs
    .updateStateByKey((v: number[], s: number | undefined) => v.reduce((a, b) => a + b, s ?? 0), 2)
    .foreachRDD(async (time: Date, rdd: RDD<[string, number]>) => {
      if (time.getTime() === failAt.time) throw new Error("output failed");
      seen.set(time.getTime(), sorted(await rdd.collect()));
    });
}

/** The last batch's value in `seen`. */
export function lastSeen<T>(seen: Map<number, T>): T {
  return [...seen.entries()].sort(([a], [b]) => a - b).pop()![1];
}

/** Advances the clock batch by batch until `done()` holds (or `max` batches), letting I/O run between. */
export async function runUntil(
  ssc: StreamingContext,
  clock: ManualClock,
  done: () => boolean,
  max = 500,
): Promise<void> {
  for (let i = 0; i < max && !done(); i++) {
    clock.advance(ssc.batchMs);
    await ssc.scheduler.whenIdle();
    await new Promise((r) => setImmediate(r));
  }
}

/** Advances the clock `n` batches, waiting for each. */
export async function runFor(ssc: StreamingContext, clock: ManualClock, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    clock.advance(ssc.batchMs);
    await ssc.scheduler.whenIdle();
  }
}
