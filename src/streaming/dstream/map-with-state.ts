import { cogroupMany } from "../../core/pair-functions.js";
import type { RDD } from "../../core/rdd.js";
import type { Partitioner } from "../../shuffle/partitioner.js";
import type { DStream } from "../dstream.js";
import { State, type StateSpec } from "../state.js";
import { StatefulNode } from "./node.js";

/** A key's state and the batch time it last received data. */
export type StateEntry<S> = [state: S, lastUpdated: number];

/** One record of a mapWithState batch: a key's state (kept) or a mapped value (emitted). */
export type MapWithStateRecord<K, S, M> = [0, K, StateEntry<S>] | [1, M];

/**
 * `mapWithState`: per batch, the function runs once for every record of a key with data in
 * the batch (in batch order), seeing and changing the key's `State`; keys idle for the
 * spec's timeout are called once more with `isTimingOut()` and dropped: a key last updated
 * before `batch time − timeout` (Spark's rule, strictly before). Timeouts are checked every
 * batch (Spark checks them only in batches that checkpoint the state). The RDD holds both the kept
 * states and the mapped values; the public streams select one or the other.
 */
export class MapWithStateDStream<K, V, S, M> extends StatefulNode<[K, V], MapWithStateRecord<K, S, M>> {
  readonly kind = "MapWithStateDStream";

  constructor(
    parent: DStream<[K, V]>,
    private readonly spec: StateSpec<K, V, S, M>,
    private readonly partitioner: Partitioner,
  ) {
    super(parent);
  }

  /** The kept states of a batch's RDD, as `[key, [state, lastUpdated]]`, still placed by the partitioner. */
  static states<K, S, M>(rdd: RDD<MapWithStateRecord<K, S, M>>): RDD<[K, StateEntry<S>]> {
    return rdd.mapPartitions((items) => {
      const out: [K, StateEntry<S>][] = [];
      for (const r of items) if (r[0] === 0) out.push([r[1], r[2]]);
      return out;
    }, true);
  }

  compute(time: number): RDD<MapWithStateRecord<K, S, M>> | undefined {
    const batch = this.parent.getOrCompute(time);
    const before = this.previousRDD(time);
    const previous = before
      ? MapWithStateDStream.states(before)
      : !this.isFirstTime(time)
        ? undefined
        : this.spec.initialRDD?.map(([k, s]): [K, StateEntry<S>] => [k, [s, time]]);
    const parents = [previous, batch].filter((r): r is RDD<never> => r !== undefined);
    if (parents.length === 0) return undefined;
    const hasPrevious = previous !== undefined;
    const { fn, timeoutMs } = this.spec;
    return cogroupMany(parents as RDD<[K, unknown]>[], this.partitioner, "mapWithState").mapPartitions((items) => {
      const out: MapWithStateRecord<K, S, M>[] = [];
      for (const [key, groups] of items) {
        const entries = (hasPrevious ? groups[0] : []) as StateEntry<S>[];
        const values = (batch ? groups[groups.length - 1] : []) as V[];
        const entry = entries[0];
        if (values.length === 0) {
          if (entry && timeoutMs !== undefined && entry[1] < time - timeoutMs) {
            out.push([1, fn(key, undefined, new State({ value: entry[0] }, true))]);
          } else if (entry) {
            out.push([0, key, entry]);
          }
          continue;
        }
        let current: { value: S } | undefined = entry ? { value: entry[0] } : undefined;
        for (const v of values) {
          const state = new State<S>(current);
          out.push([1, fn(key, v, state)]);
          current = state.exists() ? { value: state.get() } : undefined;
        }
        if (current) out.push([0, key, [current.value, time]]);
      }
      return out;
    }, true);
  }
}
