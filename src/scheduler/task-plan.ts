import type { ShuffleDependency } from "../core/node.js";
import type { OpKind } from "./ops.js";
import { functionReads } from "../util/free-variables.js";
import type { RDD } from "../core/rdd.js";
import type { ParallelCollectionNode } from "../core/rdds/parallel-collection.js";
import type { PipelinedNode } from "../core/rdds/pipelined.js";
import type { TextFileNode } from "../core/rdds/text-file.js";
import { HashPartitioner } from "../shuffle/partitioner.js";

/** Where a shipped task's records come from. */
export type SourcePlan =
  | { readonly kind: "slice"; readonly data: readonly unknown[] }
  | { readonly kind: "textSplit"; readonly path: string; readonly start: number; readonly end: number };

/** A map task as plain data for a worker thread: its source, its operators (function sources), its shuffle write. */
export interface MapTaskPlan {
  readonly rddId: number;
  readonly source: SourcePlan;
  readonly ops: readonly { readonly kind: OpKind; readonly fn?: string; readonly rddId: number }[];
  readonly numPartitions: number;
  readonly mapSideCombine: boolean;
  /** Records whose function throws are sent back (the record-error policy keeps the job going), not fatal. */
  readonly keepGoing: boolean;
  readonly aggregator?: {
    readonly createCombiner: string;
    readonly mergeValue: string;
    readonly mergeCombiners: string;
  };
}

/** In-memory partitions smaller than this run on the driver (text splits are read by the worker itself). */
export const MIN_SHIPPED_RECORDS = 20_000;

/** Why a task stays on the driver. */
export interface NotShippable {
  readonly reason: string;
}

/** The source text of a function a worker can compile on its own, or the reason it cannot be. */
export function functionSource(fn: unknown, what: string): string | NotShippable {
  if (typeof fn !== "function") return { reason: `${what} is not a function` };
  const src = Function.prototype.toString.call(fn);
  if (src.includes("[native code]")) return { reason: `${what} is a native or bound function` };
  const reads = functionReads(src);
  if (!reads) return { reason: `${what} is a method or class member whose source does not stand alone` };
  if (reads.outerThis) return { reason: `${what} uses \`this\`, which only the driver has` };
  const closure = reads.free.filter((name) => !(name in globalThis));
  if (closure.length > 0) {
    const names = closure.map((n) => `\`${n}\``).join(", ");
    return { reason: `${what} reads ${names} from its closure, which a worker thread cannot see` };
  }
  return src;
}

/**
 * The plan of map task `split` of the stage feeding `dep`: possible when the stage is a chain
 * of shippable operators over an in-memory slice or a text-file split, ending in a hash
 * shuffle. Anything else (cached RDDs, whole-partition functions, other partitioners) runs on
 * the driver. Functions that read variables from their closure are only found out in the
 * worker (a ReferenceError), and then run on the driver too.
 */
export function planMapTask(dep: ShuffleDependency, split: number, keepGoing = false): MapTaskPlan | NotShippable {
  if (!(dep.partitioner instanceof HashPartitioner))
    return { reason: "the shuffle uses a custom or range partitioner" };
  const ops: { kind: OpKind; fn?: string; rddId: number }[] = [];
  let rdd: RDD<unknown> = dep.rdd as RDD<unknown>;
  for (;;) {
    if (rdd.isPersisted) return { reason: `${rdd} is cached on the driver` };
    const node = rdd.node;
    if (node.kind === "MapPartitionsRDD" && (node as PipelinedNode<unknown, unknown>).op) {
      const pipelined = node as PipelinedNode<unknown, unknown>;
      let fn: string | undefined;
      const op = pipelined.op!;
      if (op.fn) {
        const src = functionSource(op.fn, `the ${op.kind} function`);
        if (typeof src !== "string") return src;
        fn = src;
      }
      ops.unshift({ kind: op.kind, fn, rddId: rdd.id });
      rdd = pipelined.source as RDD<unknown>;
      continue;
    }
    let aggregator: MapTaskPlan["aggregator"];
    if (dep.aggregator) {
      const parts = [
        functionSource(dep.aggregator.createCombiner, "createCombiner"),
        functionSource(dep.aggregator.mergeValue, "the reduce function"),
        functionSource(dep.aggregator.mergeCombiners, "mergeCombiners"),
      ];
      const bad = parts.find((p): p is NotShippable => typeof p !== "string");
      if (bad) return bad;
      aggregator = {
        createCombiner: parts[0] as string,
        mergeValue: parts[1] as string,
        mergeCombiners: parts[2] as string,
      };
    }
    let source: SourcePlan;
    if (node.kind === "ParallelCollectionRDD") {
      const data = (node as ParallelCollectionNode<unknown>).slice(split);
      // copying records to a thread costs about as much as mapping them: small slices stay
      if (data.length < MIN_SHIPPED_RECORDS)
        return {
          reason:
            `partition ${split} holds ${data.length} records, fewer than the ${MIN_SHIPPED_RECORDS} worth ` +
            `copying to a thread`,
        };
      source = { kind: "slice", data };
    } else if (node.kind === "HadoopRDD") source = { kind: "textSplit", ...(node as TextFileNode).split(split) };
    else return { reason: `${node.kind} (${node.callSite}) needs the whole partition on the driver` };
    return {
      rddId: dep.rdd.id,
      source,
      ops,
      numPartitions: dep.partitioner.numPartitions,
      mapSideCombine: dep.mapSideCombine,
      aggregator,
      keepGoing,
    };
  }
}
