import { asList, asTuple } from "../../util/py-format.js";
import type { TaskContext } from "../../scheduler/task-context.js";
import type { Partitioner } from "../../shuffle/partitioner.js";
import { KeyedMap } from "../../util/keyed-map.js";
import { narrow, type Aggregator, type Dependency, type Emit, type RDDNode, type ShuffleDependency } from "../node.js";
import type { RDD } from "../rdd.js";

/**
 * The map side of a cogroup's shuffle gathers each key's values into one list: a record per
 * distinct key crosses to the reduce side (and between threads) instead of one per value. The
 * functions stand alone, as a worker compiles them from their source.
 */
const GATHER: Aggregator<unknown, unknown[]> = {
  createCombiner: (v) => [v],
  mergeValue: (c, v) => {
    c.push(v);
    return c;
  },
  mergeCombiners: (a, b) => {
    for (let i = 0; i < b.length; i++) a.push(b[i]);
    return a;
  },
};

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
        aggregator: GATHER as Aggregator<unknown, unknown>,
        mapSideCombine: true,
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
    const placeOf = (k: K, i: number): unknown[] => {
      let g = groups.get(k);
      if (!g) {
        g = asTuple(Array.from({ length: n }, () => asList([])));
        groups.set(k, g);
      }
      return g[i]!;
    };
    this.dependencies.forEach((dep, i) => {
      if (dep.kind === "narrow")
        ctx.iterate(dep.rdd as RDD<[unknown, unknown]>, split, (kv) => placeOf(kv[0] as K, i).push(kv[1]));
      else
        for (const block of ctx.readShuffle(dep.shuffleId, split))
          for (let j = 0; j < block.length; j++) {
            const [k, values] = block[j]! as [K, unknown[]]; // gathered on the map side
            const place = placeOf(k, i);
            for (let v = 0; v < values.length; v++) place.push(values[v]);
          }
    });
    groups.forEach((g, k) => emit([k, g as G])); // place i holds the values of parent i
  }
}
