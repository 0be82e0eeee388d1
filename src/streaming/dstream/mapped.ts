import type { RDD } from "../../core/rdd.js";
import type { DStream } from "../dstream.js";
import { SingleParentNode, type DStreamKind } from "./node.js";

/**
 * A per-batch narrow step: the same RDD function on every batch of one parent (`map`,
 * `flatMap`, `filter`, `mapPartitions`, `glom`, `mapValues`…). No shuffle.
 */
export class MappedDStream<T, U> extends SingleParentNode<T, U> {
  constructor(
    parent: DStream<T>,
    private readonly fn: (rdd: RDD<T>) => RDD<U>,
    readonly kind: DStreamKind = "MappedDStream",
  ) {
    super(parent);
  }

  compute(time: number): RDD<U> | undefined {
    const rdd = this.parent.getOrCompute(time);
    return rdd && this.fn(rdd);
  }
}
