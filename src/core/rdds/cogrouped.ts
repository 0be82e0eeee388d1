import { asList, asTuple } from "../../util/py-format.js";
import type { TaskContext } from "../../scheduler/task-context.js";
import type { Partitioner } from "../../shuffle/partitioner.js";
import { copyValue } from "../../util/copy-value.js";
import { ExternalCombineMap } from "../../shuffle/external-map.js";
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
    // one group per key: place i holds the values of parent i (spilled to disk past the task's budget)
    const groups = new ExternalCombineMap<K, unknown[][]>(mergeGroups, ctx.spill);
    const empty = (): unknown[][] => {
      const g: unknown[][] = new Array(n);
      for (let p = 0; p < n; p++) g[p] = [];
      return g;
    };
    const gather = (dep: Dependency, i: number) => {
      if (dep.kind === "narrow") {
        // one value per record
        const create = (v: unknown): unknown[][] => {
          const g = empty();
          g[i]!.push(v);
          return g;
        };
        const merge = (g: unknown[][], v: unknown): unknown[][] => (g[i]!.push(v), g);
        ctx.iterate(dep.rdd as RDD<[unknown, unknown]>, split, (kv) => groups.add(kv[0] as K, kv[1], create, merge));
        return;
      }
      // a key's values, gathered on the map side
      const create = (values: unknown[]): unknown[][] => {
        const g = empty();
        g[i] = copyValue(values); // the block is kept for the next action over this shuffle
        return g;
      };
      const merge = (g: unknown[][], values: unknown[]): unknown[][] => {
        const place = g[i]!;
        for (let v = 0; v < values.length; v++) place.push(values[v]);
        return g;
      };
      for (const block of ctx.readShuffle(dep.shuffleId, split))
        for (let j = 0; j < block.length; j++) {
          const kv = block[j]! as [K, unknown[]];
          groups.add(kv[0], kv[1], create, merge);
        }
    };
    try {
      this.dependencies.forEach(gather);
    } catch (err) {
      groups.discard();
      throw err;
    }
    groups.forEach((g, k) => {
      for (let p = 0; p < n; p++) asList(g[p]!);
      emit([k, asTuple(g) as G]);
    });
  }
}

/** Two partial groups of one key (from two spilled runs): parent i's values of both. */
function mergeGroups(a: unknown[][], b: unknown[][]): unknown[][] {
  for (let i = 0; i < a.length; i++) {
    const place = a[i]!;
    const more = b[i]!;
    for (let v = 0; v < more.length; v++) place.push(more[v]);
  }
  return a;
}
