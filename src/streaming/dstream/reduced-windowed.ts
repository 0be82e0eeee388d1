import { cogroupMany } from "../../core/pair-functions.js";
import type { RDD } from "../../core/rdd.js";
import type { Partitioner } from "../../shuffle/partitioner.js";
import type { DStreamCore } from "../dstream-core.js";
import { StatefulNode } from "./node.js";
import { parentRDDs } from "./windowed.js";

/** Reduces values left to right with `f`; the caller ensures there is at least one. */
function reduceAll<V>(values: V[], f: (a: V, b: V) => V): V {
  let acc = values[0] as V;
  for (let i = 1; i < values.length; i++) acc = f(acc, values[i]!);
  return acc;
}

/**
 * `reduceByKeyAndWindow` with an inverse function: the window at `t` is derived from this
 * stream's own window at `t - S` by taking out (with `invFunc`) the per-batch reductions
 * that left, `(t-S-W, t-W]`, and adding (with `func`) those that entered, `(t-S, t]`. So a
 * slide costs the batches that moved, not the window's length. `filterFunc` drops pairs
 * (keys whose value fell back to zero, say). The parent is the per-batch reduction.
 */
export class ReducedWindowedDStream<K, V> extends StatefulNode<[K, V], [K, V]> {
  readonly kind = "ReducedWindowedDStream";

  constructor(
    parent: DStreamCore<[K, V]>,
    private readonly func: (a: V, b: V) => V,
    private readonly invFunc: (a: V, b: V) => V,
    private readonly windowMs: number,
    private readonly slide: number,
    private readonly partitioner: Partitioner,
    private readonly filterFunc: ((kv: [K, V]) => boolean) | undefined,
  ) {
    super(parent);
  }

  override slideMs(): number {
    return this.slide;
  }

  describe(): string {
    return (
      `window=${this.windowMs} partitions=${this.partitioner.numPartitions} ` +
      `filter=${this.filterFunc !== undefined}`
    );
  }

  parentRememberMs(rememberMs: number): number {
    return rememberMs + this.windowMs + this.slide;
  }

  compute(time: number): RDD<[K, V]> {
    const { func, invFunc, windowMs: w, slide: s } = this;
    const previous = this.previousRDD(time);
    let merged: RDD<[K, V]>;
    if (!previous) {
      const all = parentRDDs(this.parent, time - w, time);
      if (all.length === 0) return this.parent.ssc.sparkContext.emptyRDD();
      merged = cogroupMany(all as RDD<[K, unknown]>[], this.partitioner, "reduceByKeyAndWindow").mapPartitions(
        (items) => items.map(([k, groups]): [K, V] => [k, reduceAll(groups.flat() as V[], func)]),
        true,
      );
    } else {
      const leaving = parentRDDs(this.parent, time - s - w, time - w);
      const entering = parentRDDs(this.parent, time - s, time);
      const nLeaving = leaving.length;
      merged = cogroupMany(
        [previous, ...leaving, ...entering] as RDD<[K, unknown]>[],
        this.partitioner,
        "reduceByKeyAndWindow",
      ).mapPartitions((items) => {
        const out: [K, V][] = [];
        for (const [k, groups] of items) {
          const old = groups[0] as V[];
          const gone = groups.slice(1, 1 + nLeaving).flat() as V[];
          const added = groups.slice(1 + nLeaving).flat() as V[];
          let value: V;
          if (old.length === 0) {
            if (added.length === 0) continue; // only in batches that left: not in the window
            value = reduceAll(added, func);
          } else {
            value = old[0]!;
            if (gone.length > 0) value = invFunc(value, reduceAll(gone, func));
            if (added.length > 0) value = func(value, reduceAll(added, func));
          }
          out.push([k, value]);
        }
        return out;
      }, true);
    }
    const keep = this.filterFunc;
    return keep ? merged.filter(keep) : merged;
  }
}
