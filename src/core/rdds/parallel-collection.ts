import type { Emit, RDDNode } from "../node.js";

/** Data handed to `parallelize`, already cut into slices. */
export class ParallelCollectionNode<T> implements RDDNode<T> {
  readonly kind = "ParallelCollectionRDD";
  readonly dependencies = [];

  constructor(private readonly slices: readonly (readonly T[])[], readonly callSite = "parallelize") {}

  numPartitions(): number {
    return this.slices.length;
  }

  computeInto(split: number, _ctx: unknown, emit: Emit<T>): void {
    const slice = this.slices[split]!;
    for (let i = 0; i < slice.length; i++) emit(slice[i]!);
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
