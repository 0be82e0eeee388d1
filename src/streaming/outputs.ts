import type { RDD } from "../core/rdd.js";
import { ActionScope, inActionScope } from "../core/action-scope.js";
import { log } from "../util/log.js";
import { userFrame } from "../util/user-frame.js";
import { beforeDeadline } from "../util/clock.js";
import { IllegalArgumentError, SluiceError } from "../util/errors.js";
import type { DStream } from "./dstream.js";
import { ForEachDStream } from "./dstream/output.js";
import { formatPprint } from "./pprint.js";
import { saveAtomically } from "./save-atomically.js";
import type { BatchSink } from "./sink.js";

// The output operations of DStream (its methods are one-liners over these).

/**
 * A batch function's first argument: the batch's RDD when the function takes one parameter, the batch time (a
 * `Date`) when it takes two, as in PySpark. Typed as both, because TypeScript cannot choose between two callback
 * signatures by the number of parameters of an unannotated arrow function: `(time, rdd) => …` and `(rdd) => …` both
 * type-check without annotations this way.
 */
export type RDDOrTime<T> = RDD<T> & Date;

/** `f(rdd)` or `f(time, rdd)`, told apart by how many parameters `f` declares. */
export type BatchFunc<T, R> = (rddOrTime: RDDOrTime<T>, rdd: RDD<T>) => R;

/** Registers an output: `fn(rdd, batchTimeMs)` runs as the batch's job. */
export function addOutput<T>(
  stream: DStream<T>,
  name: string,
  fn: (rdd: RDD<T>, time: number) => void | Promise<void>,
): void {
  const graph = stream.ssc.graph;
  graph.addOutput(stream.derive(new ForEachDStream(stream, name, fn, graph.outputs.length)) as DStream<unknown>);
}

export function pprint<T>(stream: DStream<T>, num: number): void {
  if (!Number.isInteger(num) || num < 0) {
    throw new IllegalArgumentError(`pprint(num) needs a whole number >= 0, got ${num}`);
  }
  const out = stream.ssc.out;
  addOutput(stream, "pprint", async (rdd, time) => out(formatPprint(time, await rdd.take(num + 1), num)));
}

/**
 * Each batch written whole or not at all, at `prefix-<time ms>[.suffix]` (a re-run batch keeps its finished directory).
 */
export function saveBatches<T>(
  stream: DStream<T>,
  name: string,
  prefix: string,
  suffix: string | undefined,
  write: (rdd: RDD<unknown>, dir: string) => Promise<void>,
): void {
  const fs = stream.ssc.fs;
  addOutput(stream, name, async (rdd, time) => {
    await saveAtomically(rdd, suffix ? `${prefix}-${time}.${suffix}` : `${prefix}-${time}`, write, fs);
  });
}

/** Hands every batch's records to `sink` (the extension point connectors use). */
export function saveTo<T>(stream: DStream<T>, sink: BatchSink<T>): void {
  if (!sink || typeof sink.write !== "function" || typeof sink.name !== "string") {
    throw new IllegalArgumentError("saveTo needs a sink: an object with a name and a write(batch) method");
  }
  const ssc = stream.ssc;
  const outputId = ssc.graph.outputs.length;
  const { connections } = ssc;
  const recordErrors = ssc.sparkContext.recordErrors;
  const timeoutMs = 1000 * Number(ssc.sparkContext.conf.get("spark.sluice.sink.timeoutSeconds", "60"));
  addOutput(stream, sink.name, async (rdd, time) => {
    const records = await rdd.collect();
    const written = sink.write({ records, time, outputId, connections, jobId: ssc.jobId, recordErrors });
    const answered = await beforeDeadline(ssc.ioClock, ssc.ioClock.now() + timeoutMs, written);
    if (!answered) {
      void connections.reset(); // the link may be half-open: the next batch connects again
      throw new SluiceError(
        `${sink.name} got no answer within ${timeoutMs / 1000} s for batch ${time} ` +
          `(spark.sluice.sink.timeoutSeconds); its connections were closed to be made again`,
      );
    }
  });
}

export function foreachRDD<T>(stream: DStream<T>, f: BatchFunc<T, unknown>): void {
  const call = byArity(f, "foreachRDD");
  const site = userFrame();
  let warned = false;
  addOutput(stream, "foreachRDD", async (rdd, time) => {
    const scope = new ActionScope();
    await inActionScope(scope, () => call(new Date(time), rdd));
    if (scope.running.size === 0) return;
    // an action's Promise was dropped: say so once, and let the jobs end within the batch
    if (!warned) {
      warned = true;
      log.warn(
        `foreachRDD${site ? ` at ${site}` : ""}: an action started in its function (collect, count, take, save…) ` +
          `had not finished when the function returned, so its result was not used: make the function async and ` +
          `await the action (const data = await rdd.collect())`,
      );
    }
    await Promise.allSettled(scope.running);
  });
}

/** `f` as a `(time, rdd)` function, whichever of the two forms it was written in. */
export function byArity<T, R>(f: BatchFunc<T, R>, what: string): (time: Date, rdd: RDD<T>) => R {
  if (typeof f !== "function") throw new IllegalArgumentError(`${what} needs a function, got ${typeof f}`);
  if (f.length === 2) return f as (time: Date, rdd: RDD<T>) => R;
  if (f.length === 1) return (_time, rdd) => (f as unknown as (rdd: RDD<T>) => R)(rdd);
  throw new IllegalArgumentError(`func should take one or two arguments, got ${f.length}`);
}
