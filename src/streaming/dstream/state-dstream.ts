import { cogroupMany } from "../../core/pair-functions.js";
import type { RDD } from "../../core/rdd.js";
import type { Partitioner } from "../../shuffle/partitioner.js";
import type { DStream } from "../dstream.js";
import { SingleParentNode } from "./node.js";

/**
 * `updateStateByKey`: the state at `t` is the state at `t - slide` cogrouped with the batch
 * at `t`; `update(newValues, oldState)` runs for every key with state or new values, and
 * `undefined` removes the key. The state stays placed by one partitioner, so it is never
 * reshuffled: only the batch moves.
 */
export class StateDStream<K, V, S> extends SingleParentNode<[K, V], [K, S]> {
  readonly kind = "StateDStream";
  readonly stateful = true;
  private self!: DStream<[K, S]>;

  constructor(
    parent: DStream<[K, V]>,
    private readonly update: (values: V[], state: S | undefined) => S | undefined,
    private readonly partitioner: Partitioner,
    private readonly initial: RDD<[K, S]> | undefined,
  ) {
    super(parent);
  }

  bind(stream: DStream<[K, S]>): void {
    this.self = stream;
  }

  compute(time: number): RDD<[K, S]> | undefined {
    const slide = this.slideMs();
    const previous = time - slide > this.self.zero ? this.self.getOrCompute(time - slide) : this.initial?.partitionBy(this.partitioner.numPartitions);
    const batch = this.parent.getOrCompute(time);
    if (!batch) return previous;
    const update = this.update;
    const apply = (key: K, values: V[], old: S | undefined, out: [K, S][]) => {
      const next = update(values, old);
      if (next !== undefined) out.push([key, next]);
    };
    if (!previous) {
      return cogroupMany([batch] as RDD<[K, unknown]>[], this.partitioner, "updateStateByKey").mapPartitions((items) => {
        const out: [K, S][] = [];
        for (const [k, [values]] of items) apply(k, values as V[], undefined, out);
        return out;
      }, true);
    }
    return cogroupMany([previous, batch] as RDD<[K, unknown]>[], this.partitioner, "updateStateByKey").mapPartitions((items) => {
      const out: [K, S][] = [];
      for (const [k, [olds, values]] of items) apply(k, values as V[], olds!.length > 0 ? (olds![0] as S) : undefined, out);
      return out;
    }, true);
  }
}
