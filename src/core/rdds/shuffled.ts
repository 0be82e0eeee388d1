import type { TaskContext } from "../../scheduler/task-context.js";
import { readShuffleInto } from "../../shuffle/shuffle-writer.js";
import type { Emit, RDDNode, ShuffleDependency } from "../node.js";

/** The reduce side of a shuffle: partition `i` holds the keys the partitioner sends to `i`. */
export class ShuffledNode<K, C> implements RDDNode<[K, C]> {
  readonly kind = "ShuffledRDD";
  readonly dependencies;

  constructor(
    private readonly dep: ShuffleDependency,
    readonly callSite: string,
  ) {
    this.dependencies = [dep];
  }

  get partitioner() {
    return this.dep.partitioner;
  }

  numPartitions(): number {
    return this.dep.partitioner.numPartitions;
  }

  computeInto(split: number, ctx: TaskContext, emit: Emit<[K, C]>): void {
    readShuffleInto(this.dep, ctx.readShuffle(this.dep.shuffleId, split), emit as Emit<[unknown, unknown]>, ctx.spill);
  }
}
