import { opPipe } from "./ops.js";
import { HashPartitioner } from "../shuffle/partitioner.js";
import { writeShuffleOutput, type ShuffleWriteSpec } from "../shuffle/shuffle-writer.js";
import { readLines } from "../util/files.js";
import type { MapTaskPlan } from "./task-plan.js";
import { collectFailures, type FailedRecord } from "./task-context.js";

type AnyFn = (...args: unknown[]) => unknown;
const compiled = new Map<string, AnyFn>();

/** Compiles a shipped function's source once per worker. */
function compile(src: string): AnyFn {
  let fn = compiled.get(src);
  if (!fn) {
    fn = new Function(`return (${src});`)() as AnyFn;
    compiled.set(src, fn);
  }
  return fn;
}

/**
 * Runs a shipped map task: reads its source, pushes each record through its operators and
 * writes the shuffle output, exactly as the driver would (the same operator and shuffle code).
 */
export function runMapPlan(
  plan: MapTaskPlan,
  resolveFn: (src: string) => AnyFn = compile,
  metrics: { recordsIn: number; failed?: FailedRecord[] } = { recordsIn: 0 },
): [unknown, unknown][][] {
  const failed = plan.keepGoing ? collectFailures((metrics.failed ??= [])) : undefined;
  const compile = resolveFn;
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
  return writeShuffleOutput(dep, (emit) => {
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
}
