import { copyValue } from "../../util/copy-value.js";
import type { Partitioner } from "../../shuffle/partitioner.js";
import type { Emit, RDDKind, RDDNode } from "../node.js";

/** Data already in memory, cut into slices: `parallelize`, received blocks, checkpointed state. */
export class ParallelCollectionNode<T> implements RDDNode<T> {
  readonly dependencies = [];

  constructor(
    private readonly slices: readonly (readonly T[])[],
    readonly callSite = "parallelize",
    readonly kind: RDDKind = "ParallelCollectionRDD",
    readonly partitioner?: Partitioner,
    /** Hand out copies (the slices are the engine's: a checkpointed RDD's saved partitions, a state). */
    private readonly copyOnRead = false,
  ) {}

  numPartitions(): number {
    return this.slices.length;
  }

  /** How many records the collection holds (known without running anything). */
  size(): number {
    let n = 0;
    for (const s of this.slices) n += s.length;
    return n;
  }

  /** The records of partition `split`. */
  slice(split: number): readonly T[] {
    return this.slices[split]!;
  }

  computeInto(split: number, _ctx: unknown, emit: Emit<T>): void {
    const slice = this.slices[split]!;
    if (this.copyOnRead) for (let i = 0; i < slice.length; i++) emit(copyValue(slice[i]!));
    else for (let i = 0; i < slice.length; i++) emit(slice[i]!);
  }
}

/**
 * Numbers `start, start+step, …` before `end`, cut into slices as `parallelize` cuts a list
 * (`sc.range`): each partition makes its numbers as it runs, so ten million of them take no memory.
 */
export class RangeNode implements RDDNode<number> {
  readonly dependencies = [];
  readonly kind = "ParallelCollectionRDD";
  readonly callSite = "range";
  private readonly count: number;

  constructor(
    private readonly start: number,
    end: number,
    private readonly step: number,
    private readonly slices: number,
  ) {
    this.count = Math.max(0, Math.ceil((end - start) / step));
  }

  numPartitions(): number {
    return this.slices;
  }

  /** Partition `split` as its first number, step and count (what a worker needs to make it). */
  rangeOf(split: number): { start: number; step: number; count: number } {
    const from = Math.floor((split * this.count) / this.slices);
    const to = Math.floor(((split + 1) * this.count) / this.slices);
    return { start: this.start + from * this.step, step: this.step, count: to - from };
  }

  computeInto(split: number, _ctx: unknown, emit: Emit<number>): void {
    const { start, step, count } = this.rangeOf(split);
    for (let i = 0; i < count; i++) emit(start + i * step);
  }
}

/**
 * Cuts `data` into `n` slices: slice `i` holds indexes `[floor(i*len/n), floor((i+1)*len/n))`,
 * PySpark's rule for ranges, used here for every input.
 */
export function sliceEvenly<T>(data: readonly T[], n: number): T[][] {
  const slices: T[][] = [];
  for (let i = 0; i < n; i++) {
    slices.push(data.slice(Math.floor((i * data.length) / n), Math.floor(((i + 1) * data.length) / n)));
  }
  return slices;
}
