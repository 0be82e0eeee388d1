import { opPipe } from "./ops.js";
import { HashPartitioner } from "../shuffle/partitioner.js";
import { writeShuffleOutput, type ShuffleWriteSpec, type WriteBound } from "../shuffle/shuffle-writer.js";
import { deleteSpill, writeBuckets, type SpilledSegment } from "../shuffle/spill-files.js";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { threadId } from "node:worker_threads";
import { readLines } from "../util/files.js";
import type { MapTaskPlan } from "./task-plan.js";
import type { ShippedRef } from "./closures.js";
import { TaskClosures } from "./closure-runtime.js";
import { collectFailures, type FailedRecord } from "./task-context.js";

type AnyFn = (...args: unknown[]) => unknown;

/** Spill files this thread made (their names count up). */
let spilled = 0;

/**
 * Runs a shipped map task: reads its source, pushes each record through its operators and
 * writes the shuffle output, exactly as the driver would (the same operator and shuffle code).
 * Functions are rebuilt from the plan's code with what they captured (`resolve` may find them
 * some other way: the SPMD benchmark looks them up by id); accumulator totals land in `metrics`.
 */
export function runMapPlan(
  plan: MapTaskPlan,
  resolve?: (ref: ShippedRef) => AnyFn,
  metrics: {
    recordsIn: number;
    failed?: FailedRecord[];
    accumulators?: [number, number][];
    segments?: SpilledSegment[];
  } = { recordsIn: 0 },
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
  const spill = plan.spill;
  const segments: SpilledSegment[] = (metrics.segments = []);
  const bound: WriteBound | undefined = spill && {
    bytes: spill.bytes,
    segments,
    spill: (buckets) => {
      mkdirSync(spill.folder, { recursive: true }); // the context names its folder; the first file makes it
      return writeBuckets(join(spill.folder, `shuffle-w${threadId}-${spilled++}.bin`), buckets);
    },
  };
  let out: [unknown, unknown][][];
  try {
    out = writeShuffleOutput(
      dep,
      (emit) => {
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
        } else if (source.kind === "range") {
          for (let i = 0; i < source.count; i++) sink(source.start + i * source.step);
          metrics.recordsIn = source.count;
        } else {
          let lines = 0;
          readLines(source.path, source.start, source.end, (line) => {
            lines++;
            sink(line);
          });
          metrics.recordsIn = lines;
        }
      },
      bound,
    );
  } catch (err) {
    for (const s of segments) deleteSpill(s.path);
    throw err;
  }
  if (closures) metrics.accumulators = closures.accumulatorTotals();
  return out;
}
