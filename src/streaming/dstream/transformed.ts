import { IllegalArgumentError } from "../../util/errors.js";
import type { RDD } from "../../core/rdd.js";
import type { DStream } from "../dstream.js";
import type { DStreamNode } from "./node.js";

/**
 * A user's function over the RDDs of one or more streams at the same batch time
 * (`transform`, `transformWith`, joins, `cogroup`). A parent with no RDD at that time
 * passes an empty RDD. Runs on the driver at each batch.
 */
export class TransformedDStream<U> implements DStreamNode<U> {
  readonly kind = "TransformedDStream";

  constructor(
    readonly dependencies: readonly DStream<unknown>[],
    private readonly fn: (rdds: RDD<unknown>[], time: Date) => RDD<U>,
  ) {
    if (dependencies.length === 0) throw new IllegalArgumentError("transform needs at least one DStream");
    const slide = dependencies[0]!.slideMs();
    for (const d of dependencies) {
      if (d.slideMs() !== slide)
        throw new IllegalArgumentError(
          `the DStreams to transform together must have the same slide duration (${slide} ms vs ${d.slideMs()} ms)`,
        );
    }
  }

  slideMs(): number {
    return this.dependencies[0]!.slideMs();
  }

  compute(time: number): RDD<U> | undefined {
    const rdds = this.dependencies.map((d) => d.getOrCompute(time) ?? d.ssc.sparkContext.emptyRDD());
    const out = this.fn(rdds, new Date(time));
    if (!out || typeof (out as RDD<U>).getNumPartitions !== "function") {
      throw new IllegalArgumentError(
        `the transform function must return an RDD, got ${out === null ? "null" : typeof out}`,
      );
    }
    return out;
  }
}
