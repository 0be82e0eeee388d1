import type { RDD } from "../../core/rdd.js";
import type { DStream } from "../dstream.js";
import { SingleParentNode } from "./node.js";

/** A batch's job: one output operation at one batch time. */
export interface Job {
  readonly time: number;
  readonly outputOpId: number;
  readonly name: string;
  /** The engine's own work (materializing state), not a user's output operation. */
  readonly internal?: boolean;
  run(): Promise<void>;
}

/**
 * An output operation (`pprint`, `saveAsTextFiles`, `foreachRDD`): at each time its parent
 * has an RDD, one job that hands the RDD and the batch time to `fn`.
 */
export class ForEachDStream<T> extends SingleParentNode<T, never> {
  readonly kind = "ForEachDStream";

  constructor(
    parent: DStream<T>,
    readonly name: string,
    private readonly fn: (rdd: RDD<T>, time: number) => void | Promise<void>,
    readonly outputOpId: number,
  ) {
    super(parent);
  }

  compute(): undefined {
    return undefined;
  }

  /** The job for `time`, or none when the parent has no RDD then. Builds the RDD now. */
  generateJob(time: number): Job | undefined {
    const rdd = this.parent.getOrCompute(time);
    if (!rdd) return undefined;
    return { time, outputOpId: this.outputOpId, name: this.name, run: async () => this.fn(rdd, time) };
  }
}
