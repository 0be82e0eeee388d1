import type { RecordFailure, TaskContext } from "../../scheduler/task-context.js";
import type { Partitioner } from "../../shuffle/partitioner.js";
import { narrow, type Dependency, type Emit, type RDDNode } from "../node.js";
import type { RDD } from "../rdd.js";
import type { OpSpec } from "../../scheduler/ops.js";

/**
 * Wraps the downstream sink into the sink this step offers its parent. `failed`, when given,
 * takes a record whose user function threw (the policy keeps the job going); without it, throw.
 */
export type Pipe<T, U> = (emit: Emit<U>, split: number, failed?: RecordFailure) => Emit<T>;

/** A narrow step over one parent: same partitions, the parent's partitioner when kept. */
abstract class OneParentNode<T, U> implements RDDNode<U> {
  readonly kind = "MapPartitionsRDD";
  readonly dependencies: readonly Dependency[];
  readonly partitioner: Partitioner | undefined;

  constructor(
    protected readonly parent: RDD<T>,
    readonly callSite: string,
    preservesPartitioning: boolean,
  ) {
    this.dependencies = [narrow(parent)];
    this.partitioner = preservesPartitioning ? parent.node.partitioner : undefined;
  }

  numPartitions(): number {
    return this.parent.getNumPartitions();
  }

  abstract computeInto(split: number, ctx: TaskContext, emit: Emit<U>): void;
}

/**
 * A record-at-a-time narrow step (`map`, `flatMap`, `filter`, `mapValues`…). Chained steps
 * need no fusing pass: each step's sink calls the next one's directly, so a stage runs as
 * one push loop with no intermediate arrays.
 */
export class PipelinedNode<T, U> extends OneParentNode<T, U> {
  constructor(
    parent: RDD<T>,
    private readonly pipe: Pipe<T, U>,
    callSite: string,
    preservesPartitioning = false,
    /** The operator and user function, when a worker thread can rebuild this step. */
    readonly op?: OpSpec,
  ) {
    super(parent, callSite, preservesPartitioning);
  }

  /** The parent RDD (a stage plan walks the chain through it). */
  get source(): RDD<T> {
    return this.parent;
  }

  computeInto(split: number, ctx: TaskContext, emit: Emit<U>): void {
    ctx.iterate(this.parent, split, this.pipe(emit, split, ctx.recordFailed));
  }
}

/**
 * A step that needs a whole partition at once (`mapPartitions`, `glom`, `zipWithIndex`):
 * the parent's records are gathered into an array, then `f` maps it.
 */
export class MapPartitionsNode<T, U> extends OneParentNode<T, U> {
  constructor(
    parent: RDD<T>,
    private readonly f: (split: number, items: T[]) => Iterable<U>,
    callSite: string,
    preservesPartitioning = false,
    readonly prepare?: () => Promise<void>,
  ) {
    super(parent, callSite, preservesPartitioning);
  }

  computeInto(split: number, ctx: TaskContext, emit: Emit<U>): void {
    const items: T[] = [];
    ctx.iterate(this.parent, split, (x) => items.push(x));
    const out = this.f(split, items);
    if (Array.isArray(out)) {
      for (let i = 0; i < out.length; i++) emit(out[i]);
    } else {
      for (const y of out) emit(y);
    }
  }
}
