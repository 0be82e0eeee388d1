import { opPipe } from "./ops.js";
import { HashPartitioner } from "../shuffle/partitioner.js";
import { writeShuffleOutput, type ShuffleWriteSpec } from "../shuffle/shuffle-writer.js";
import { readLines } from "../util/files.js";
import type { MapTaskPlan } from "./task-plan.js";
import type { ShippedRef } from "./closures.js";
import { TaskClosures } from "./closure-runtime.js";
import { collectFailures, type FailedRecord } from "./task-context.js";

type AnyFn = (...args: unknown[]) => unknown;

/**
 * Runs a shipped map task: reads its source, pushes each record through its operators and
 * writes the shuffle output, exactly as the driver would (the same operator and shuffle code).
 * Functions are rebuilt from the plan's code with what they captured (`resolve` may find them
 * some other way: the SPMD benchmark looks them up by id); accumulator totals land in `metrics`.
 */
export function runMapPlan(
  plan: MapTaskPlan,
  resolve?: (ref: ShippedRef) => AnyFn,
  metrics: { recordsIn: number; failed?: FailedRecord[]; accumulators?: [number, number][] } = { recordsIn: 0 },
): [unknown, unknown][][] {
  const failed = plan.keepGoing ? collectFailures((metrics.failed ??= [])) : undefined;
  const closures = resolve ? undefined : new TaskClosures(plan.code);
  const compile = resolve ?? ((ref: ShippedRef) => closures!.resolve(ref) as AnyFn);
  const agg = plan.aggregator && {
    createCombiner: compile(plan.aggregator.createCombiner) as (v: unknown) => unknown,
    mergeValue: compile(plan.aggregator.mergeValue) as (c: unknown, v: unknown) => unknown,
    mergeCombiners: compile(plan.aggregator.mergeCombiners) as (a: unknown, b: unknown) => unknown,
  };
  const dep: ShuffleWriteSpec = {
    partitioner: new HashPartitioner(plan.numPartitions),
    aggregator: agg,
    mapSideCombine: plan.mapSideCombine,
  };
  const out = writeShuffleOutput(dep, (emit) => {
    let sink = emit as (x: unknown) => void;
    for (let i = plan.ops.length - 1; i >= 0; i--) {
      const op = plan.ops[i]!;
      sink = opPipe(op.kind, op.fn === undefined ? undefined : compile(op.fn), op.rddId)(sink, 0, failed);
    }
    const source = plan.source;
    if (source.kind === "slice") {
      const data = source.data;
      for (let i = 0; i < data.length; i++) sink(data[i]);
      metrics.recordsIn = data.length;
    } else {
      let lines = 0;
      readLines(source.path, source.start, source.end, (line) => {
        lines++;
        sink(line);
      });
      metrics.recordsIn = lines;
    }
  });
  if (closures) metrics.accumulators = closures.accumulatorTotals();
  return out;
}
