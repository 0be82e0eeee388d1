import { cogroupMany } from "../../core/pair-functions.js";
import type { RDD } from "../../core/rdd.js";
import type { Partitioner } from "../../shuffle/partitioner.js";
import type { DStream } from "../dstream.js";
import { StatefulNode } from "./node.js";

/**
 * `updateStateByKey`: the state at `t` is the state at `t - slide` cogrouped with the batch
 * at `t`; `update(newValues, oldState)` runs for every key with state or new values, and
 * `undefined` removes the key. The state stays placed by one partitioner, so it is never
 * reshuffled: only the batch moves.
 */
export class StateDStream<K, V, S> extends StatefulNode<[K, V], [K, S]> {
  readonly kind = "StateDStream";

  constructor(
    parent: DStream<[K, V]>,
    private readonly update: (values: V[], state: S | undefined) => S | undefined,
    private readonly partitioner: Partitioner,
    private readonly initial: RDD<[K, S]> | undefined,
  ) {
    super(parent);
  }

  compute(time: number): RDD<[K, S]> | undefined {
    const previous =
      this.previousRDD(time) ??
      (this.isFirstTime(time) ? this.initial?.partitionBy(this.partitioner.numPartitions) : undefined);
    const batch = this.parent.getOrCompute(time);
    if (!batch) return previous;
    const update = this.update;
    const apply = (key: K, values: V[], old: S | undefined, out: [K, S][]) => {
      const next = update(values, old);
      if (next !== undefined) out.push([key, next]);
    };
    if (!previous) {
      return cogroupMany([batch] as RDD<[K, unknown]>[], this.partitioner, "updateStateByKey").mapPartitions(
        (items) => {
          const out: [K, S][] = [];
          for (const [k, [values]] of items) apply(k, values as V[], undefined, out);
          return out;
        },
        true,
      );
    }
    return cogroupMany([previous, batch] as RDD<[K, unknown]>[], this.partitioner, "updateStateByKey").mapPartitions(
      (items) => {
        const out: [K, S][] = [];
        for (const [k, [olds, values]] of items)
          apply(k, values as V[], olds!.length > 0 ? (olds![0] as S) : undefined, out);
        return out;
      },
      true,
    );
  }
}
