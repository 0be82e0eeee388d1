import type { ShuffleDependency } from "../core/node.js";
import type { OpKind } from "./ops.js";
import { ClosurePacker, type NotShippable, type ShippedFunction, type ShippedRef } from "./closures.js";
import type { RDD } from "../core/rdd.js";
import type { ParallelCollectionNode, RangeNode } from "../core/rdds/parallel-collection.js";
import type { PipelinedNode } from "../core/rdds/pipelined.js";
import type { TextFileNode } from "../core/rdds/text-file.js";
import { HashPartitioner } from "../shuffle/partitioner.js";

/** Where a shipped task's records come from. */
export type SourcePlan =
  | { readonly kind: "slice"; readonly data: readonly unknown[] }
  | { readonly kind: "range"; readonly start: number; readonly step: number; readonly count: number }
  | { readonly kind: "textSplit"; readonly path: string; readonly start: number; readonly end: number };

/** A map task as plain data for a worker thread: its source, its operators, its shuffle write. */
export interface MapTaskPlan {
  readonly rddId: number;
  readonly source: SourcePlan;
  /** The stage's functions with what they capture; operators and the aggregator refer to them. */
  readonly code: readonly ShippedFunction[];
  readonly ops: readonly { readonly kind: OpKind; readonly fn?: ShippedRef; readonly rddId: number }[];
  readonly numPartitions: number;
  readonly mapSideCombine: boolean;
  /** Records whose function throws are sent back (the record-error policy keeps the job going), not fatal. */
  readonly keepGoing: boolean;
  readonly aggregator?: {
    readonly createCombiner: ShippedRef;
    readonly mergeValue: ShippedRef;
    readonly mergeCombiners: ShippedRef;
  };
  /** Broadcast variables the functions read (the pool sends each worker a value once). */
  readonly broadcasts: readonly number[];
  /** Where the task spills its buffers past `bytes` (the context's spill folder). */
  readonly spill?: { readonly folder: string; readonly bytes: number };
}

/** In-memory partitions smaller than this run on the driver (text splits are read by the worker itself). */
export const MIN_SHIPPED_RECORDS = 20_000;

export type { NotShippable };

/** A map stage packed for workers: each task's plan, and the shared variables its functions reach. */
export interface ShippedStage {
  /** The plan of task `split`, or why that task stays on the driver (a slice too small to be worth copying). */
  task(split: number): MapTaskPlan | NotShippable;
  /** Values of the broadcast variables the plans name, by id. */
  readonly broadcasts: ReadonlyMap<number, () => unknown>;
  /** The driver's accumulators the functions add to, by id. */
  readonly accumulators: ReadonlyMap<number, (term: number) => void>;
}

/**
 * The map stage feeding `dep`, packed for worker threads: possible when the stage is a chain
 * of record-at-a-time operators over an in-memory slice or a text-file split, ending in a hash
 * shuffle, and every function can be shipped with what it reads (see `ClosurePacker`). Anything
 * else (cached RDDs, whole-partition functions, other partitioners, values that cannot cross)
 * runs on the driver, and the reason says why.
 */
export function planMapStage(
  dep: ShuffleDependency,
  keepGoing = false,
  spill?: MapTaskPlan["spill"],
): ShippedStage | NotShippable {
  if (!(dep.partitioner instanceof HashPartitioner))
    return { reason: "the shuffle uses a custom or range partitioner" };
  const packer = new ClosurePacker();
  const ops: { kind: OpKind; fn?: ShippedRef; rddId: number }[] = [];
  let rdd: RDD<unknown> = dep.rdd as RDD<unknown>;
  for (;;) {
    if (rdd.isPersisted) return { reason: `${rdd} is cached on the driver` };
    const node = rdd.node;
    if (node.kind !== "MapPartitionsRDD" || !(node as PipelinedNode<unknown, unknown>).op) break;
    const pipelined = node as PipelinedNode<unknown, unknown>;
    const op = pipelined.op!;
    let fn: ShippedRef | undefined;
    if (op.fn) {
      const ref = packer.pack(op.fn, `the ${op.kind} function`);
      if ("reason" in ref) return ref;
      fn = ref;
    }
    ops.unshift({ kind: op.kind, fn, rddId: rdd.id });
    rdd = pipelined.source as RDD<unknown>;
  }
  let aggregator: MapTaskPlan["aggregator"];
  // the map side needs the combining functions only when it combines
  if (dep.aggregator && dep.mapSideCombine) {
    const parts = [
      packer.pack(dep.aggregator.createCombiner, "createCombiner"),
      packer.pack(dep.aggregator.mergeValue, "the reduce function"),
      packer.pack(dep.aggregator.mergeCombiners, "mergeCombiners"),
    ];
    const bad = parts.find((p): p is NotShippable => "reason" in p);
    if (bad) return bad;
    const [createCombiner, mergeValue, mergeCombiners] = parts as ShippedRef[];
    aggregator = { createCombiner: createCombiner!, mergeValue: mergeValue!, mergeCombiners: mergeCombiners! };
  }
  const node = rdd.node;
  let source: (split: number) => SourcePlan | NotShippable;
  if ("rangeOf" in node) source = (split) => ({ kind: "range", ...(node as RangeNode).rangeOf(split) });
  else if (node.kind === "ParallelCollectionRDD")
    source = (split) => {
      const data = (node as ParallelCollectionNode<unknown>).slice(split);
      // copying records to a thread costs about as much as mapping them: small slices stay
      if (data.length < MIN_SHIPPED_RECORDS)
        return {
          reason:
            `partition ${split} holds ${data.length} records, fewer than the ${MIN_SHIPPED_RECORDS} worth ` +
            `copying to a thread`,
        };
      return { kind: "slice", data };
    };
  else if (node.kind === "HadoopRDD")
    source = (split) => ({ kind: "textSplit", ...(node as TextFileNode).split(split) });
  else return { reason: `${node.kind} (${node.callSite}) needs the whole partition on the driver` };
  const common = {
    rddId: dep.rdd.id,
    code: packer.fns,
    ops,
    numPartitions: dep.partitioner.numPartitions,
    mapSideCombine: dep.mapSideCombine,
    aggregator,
    keepGoing,
    broadcasts: [...packer.broadcasts.keys()],
    spill,
  };
  return {
    task: (split) => {
      const from = source(split);
      return "reason" in from ? from : { ...common, source: from };
    },
    broadcasts: packer.broadcasts,
    accumulators: packer.accumulators,
  };
}

/** The plan of map task `split` of the stage feeding `dep` (see `planMapStage`). */
export function planMapTask(dep: ShuffleDependency, split: number, keepGoing = false): MapTaskPlan | NotShippable {
  const stage = planMapStage(dep, keepGoing);
  return "reason" in stage ? stage : stage.task(split);
}
