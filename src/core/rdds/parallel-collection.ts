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
