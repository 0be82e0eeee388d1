import { IllegalArgumentError } from "../../util/errors.js";
import type { RDD } from "../../core/rdd.js";
import type { DStream } from "../dstream.js";
import type { DStreamNode } from "./node.js";

/** Every batch's RDDs of several streams side by side, no shuffle (`union`). */
export class UnionDStream<T> implements DStreamNode<T> {
  readonly kind = "UnionDStream";

  constructor(readonly dependencies: readonly DStream<T>[]) {
    if (dependencies.length === 0) throw new IllegalArgumentError("should have at least one DStream to union");
    const slide = dependencies[0]!.slideMs();
    for (const d of dependencies) {
      if (d.slideMs() !== slide)
        throw new IllegalArgumentError(
          `All DStreams should have same slide duration (${slide} ms vs ${d.slideMs()} ms)`,
        );
    }
  }

  slideMs(): number {
    return this.dependencies[0]!.slideMs();
  }

  compute(time: number): RDD<T> | undefined {
    const rdds = this.dependencies.map((d) => d.getOrCompute(time)).filter((r): r is RDD<T> => r !== undefined);
    if (rdds.length === 0) return undefined;
    return rdds.length === 1 ? rdds[0] : rdds[0]!.context.union(rdds);
  }
}
