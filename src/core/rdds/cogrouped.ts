import { asList, asTuple } from "../../util/py-format.js";
import type { TaskContext } from "../../scheduler/task-context.js";
import type { Partitioner } from "../../shuffle/partitioner.js";
import { KeyedMap } from "../../util/keyed-map.js";
import { narrow, type Dependency, type Emit, type RDDNode, type ShuffleDependency } from "../node.js";
import type { RDD } from "../rdd.js";

/**
 * For every key of any parent, `[k, [values of parent 0, values of parent 1, …]]`. A parent
 * already placed by the same partitioner is read in place (a narrow dependency); the others
 * are shuffled onto it. So a state kept partitioned is never reshuffled (Spark's CoGroupedRDD).
 */
export class CoGroupedNode<K, G extends unknown[][] = unknown[][]> implements RDDNode<[K, G]> {
  readonly kind = "CoGroupedRDD";
  readonly dependencies: readonly Dependency[];

  constructor(
    parents: readonly RDD<[K, unknown]>[],
    readonly partitioner: Partitioner,
    newShuffleId: () => number,
    readonly callSite = "cogroup",
  ) {
    this.dependencies = parents.map((rdd): Dependency => {
      if (partitioner.equals(rdd.partitioner)) return narrow(rdd as RDD<unknown>);
      const dep: ShuffleDependency = {
        kind: "shuffle",
        shuffleId: newShuffleId(),
        rdd: rdd as RDD<[unknown, unknown]>,
        partitioner,
        mapSideCombine: false,
      };
      return dep;
    });
  }

  numPartitions(): number {
    return this.partitioner.numPartitions;
  }

  computeInto(split: number, ctx: TaskContext, emit: Emit<[K, G]>): void {
    const n = this.dependencies.length;
    const groups = new KeyedMap<K, unknown[][]>();
    this.dependencies.forEach((dep, i) => {
      const add = (kv: [unknown, unknown]) => {
        const k = kv[0] as K;
        let g = groups.get(k);
        if (!g) {
          g = asTuple(Array.from({ length: n }, () => asList([])));
          groups.set(k, g);
        }
        g[i]!.push(kv[1]);
      };
      if (dep.kind === "narrow") ctx.iterate(dep.rdd as RDD<[unknown, unknown]>, split, add);
      else
        for (const block of ctx.readShuffle(dep.shuffleId, split))
          for (let j = 0; j < block.length; j++) add(block[j]!);
    });
    groups.forEach((g, k) => emit([k, g as G])); // place i holds the values of parent i
  }
}
