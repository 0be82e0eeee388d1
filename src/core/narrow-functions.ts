import { IllegalArgumentError } from "../util/errors.js";
import { partitionSeed, SeededRandom } from "../util/random.js";
import * as actions from "./actions.js";
import type { RDD } from "./rdd.js";
import { MapPartitionsNode } from "./rdds/pipelined.js";
import { ZippedNode } from "./rdds/union.js";

// The narrow transformations of RDD that take more than a line (its methods call these).

export function zip<T, U>(rdd: RDD<T>, other: RDD<U>): RDD<[T, U]> {
  if (rdd.getNumPartitions() !== other.getNumPartitions()) {
    throw new IllegalArgumentError(
      `Can only zip with RDD which has the same number of partitions (${rdd.getNumPartitions()} vs ` +
        `${other.getNumPartitions()})`,
    );
  }
  return rdd.derive(new ZippedNode(rdd, other));
}

/** `[x, index]` by partition order, then position; runs a counting job first when > 1 partition. */
export function zipWithIndex<T>(rdd: RDD<T>): RDD<[T, number]> {
  let starts: number[] = [0];
  const prepare = async () => {
    const counts = await actions.partitionSizes(rdd);
    starts = counts.reduce<number[]>((acc, c) => (acc.push(acc[acc.length - 1]! + c), acc), [0]);
  };
  const index = (split: number, items: T[]) => items.map((x, i): [T, number] => [x, starts[split]! + i]);
  const first = rdd.getNumPartitions() > 1 ? prepare : undefined;
  return rdd.derive(new MapPartitionsNode<T, [T, number]>(rdd, index, "zipWithIndex", false, first));
}

/** `[x, id]` with ids `k, n+k, 2n+k…` in partition `k` of `n`; no job. */
export function zipWithUniqueId<T>(rdd: RDD<T>): RDD<[T, number]> {
  const n = rdd.getNumPartitions();
  return rdd.pipeThrough<[T, number]>((emit, split) => {
    let i = 0;
    return (x) => emit([x, i++ * n + split]);
  }, "zipWithUniqueId");
}

/** A random subset; `fraction` is the expected share (or mean copies, with replacement). */
export function sample<T>(rdd: RDD<T>, withReplacement: boolean, fraction: number, seed: number): RDD<T> {
  if (!(fraction >= 0) || (!withReplacement && fraction > 1)) {
    throw new IllegalArgumentError(
      `sample fraction must be ${withReplacement ? ">= 0" : "in [0, 1]"}, got ${fraction}`,
    );
  }
  return rdd.pipeThrough<T>(
    (emit, split) => {
      const rng = new SeededRandom(partitionSeed(seed, split));
      if (!withReplacement) {
        return (x) => {
          if (rng.next() < fraction) emit(x);
        };
      }
      return (x) => {
        for (let c = rng.poisson(fraction); c > 0; c--) emit(x);
      };
    },
    "sample",
    true,
  );
}
