import type { TaskContext } from "../../scheduler/task-context.js";
import { IllegalArgumentError } from "../../util/errors.js";
import { narrow, type Emit, type RDDKind, type RDDNode } from "../node.js";
import type { RDD } from "../rdd.js";

/** Partitions of several RDDs side by side: partition order is parent order. */
export class UnionNode<T> implements RDDNode<T> {
  readonly kind = "UnionRDD";
  readonly dependencies;

  constructor(
    private readonly parents: readonly RDD<T>[],
    readonly callSite = "union",
  ) {
    this.dependencies = parents.map((p) => narrow(p));
  }

  numPartitions(): number {
    let n = 0;
    for (const p of this.parents) n += p.getNumPartitions();
    return n;
  }

  computeInto(split: number, ctx: TaskContext, emit: Emit<T>): void {
    let local = split;
    for (const p of this.parents) {
      const n = p.getNumPartitions();
      if (local < n) {
        ctx.iterate(p, local, emit);
        return;
      }
      local -= n;
    }
    throw new RangeError(`union has no partition ${split}`);
  }
}

/** Merges runs of neighbouring parent partitions into fewer partitions, without a shuffle. */
export class CoalescedNode<T> implements RDDNode<T> {
  readonly kind = "CoalescedRDD";
  readonly dependencies;

  constructor(
    private readonly parent: RDD<T>,
    private readonly target: number,
    readonly callSite = "coalesce",
  ) {
    this.dependencies = [narrow(parent)];
  }

  numPartitions(): number {
    return Math.min(this.target, this.parent.getNumPartitions());
  }

  computeInto(split: number, ctx: TaskContext, emit: Emit<T>): void {
    const n = this.parent.getNumPartitions();
    const m = this.numPartitions();
    const end = Math.floor(((split + 1) * n) / m);
    for (let p = Math.floor((split * n) / m); p < end; p++) ctx.iterate(this.parent, p, emit);
  }
}

/** A narrow node over two parents `a` and `b` (`cartesian`, `zip`). */
abstract class TwoParentNode<T, U, R> implements RDDNode<R> {
  abstract readonly kind: RDDKind;
  readonly dependencies;

  constructor(
    protected readonly a: RDD<T>,
    protected readonly b: RDD<U>,
    readonly callSite: string,
  ) {
    this.dependencies = [narrow(a), narrow(b)];
  }

  abstract numPartitions(): number;
  abstract computeInto(split: number, ctx: TaskContext, emit: Emit<R>): void;
}

/** Every pair of an element of `a` and one of `b`: partition `i*nb + j` pairs `a[i]` with `b[j]`. */
export class CartesianNode<T, U> extends TwoParentNode<T, U, [T, U]> {
  readonly kind = "CartesianRDD";

  constructor(a: RDD<T>, b: RDD<U>) {
    super(a, b, "cartesian");
  }

  numPartitions(): number {
    return this.a.getNumPartitions() * this.b.getNumPartitions();
  }

  computeInto(split: number, ctx: TaskContext, emit: Emit<[T, U]>): void {
    const nb = this.b.getNumPartitions();
    const right: U[] = [];
    ctx.iterate(this.b, split % nb, (y) => right.push(y));
    ctx.iterate(this.a, Math.floor(split / nb), (x) => {
      for (let j = 0; j < right.length; j++) emit([x, right[j]!]);
    });
  }
}

/** Pairs the i-th elements of the same partition of two RDDs (`zip`). */
export class ZippedNode<T, U> extends TwoParentNode<T, U, [T, U]> {
  readonly kind = "ZippedPartitionsRDD2";

  constructor(a: RDD<T>, b: RDD<U>) {
    super(a, b, "zip");
  }

  numPartitions(): number {
    return this.a.getNumPartitions();
  }

  computeInto(split: number, ctx: TaskContext, emit: Emit<[T, U]>): void {
    const left: T[] = [];
    const right: U[] = [];
    ctx.iterate(this.a, split, (x) => left.push(x));
    ctx.iterate(this.b, split, (y) => right.push(y));
    if (left.length !== right.length) {
      throw new IllegalArgumentError(
        `Can only zip RDDs with same number of elements in each partition: partition ${split} has ` +
          `${left.length} and ${right.length}`,
      );
    }
    for (let i = 0; i < left.length; i++) emit([left[i]!, right[i]!]);
  }
}
