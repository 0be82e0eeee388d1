import type { RDD } from "../../core/rdd.js";
import type { DStreamCore } from "../dstream-core.js";
import { SingleParentNode } from "./node.js";

/** The parent's RDDs at times in `(from, to]` on its slide grid, oldest first (computed if needed). */
export function parentRDDs<T>(parent: DStreamCore<T>, from: number, to: number): RDD<T>[] {
  const slide = parent.slideMs();
  const first = Math.max(parent.zero + slide, from + slide);
  const out: RDD<T>[] = [];
  for (let t = first; t <= to; t += slide) {
    const rdd = parent.getOrCompute(t);
    if (rdd) out.push(rdd);
  }
  return out;
}

/**
 * `window(W, S)`: at every slide `t`, the union of the parent's RDDs for times in
 * `(t - W, t]`. Early windows hold only the batches that exist. No shuffle.
 */
export class WindowedDStream<T> extends SingleParentNode<T, T> {
  readonly kind = "WindowedDStream";

  constructor(
    parent: DStreamCore<T>,
    private readonly windowMs: number,
    private readonly slide: number,
  ) {
    super(parent);
  }

  override slideMs(): number {
    return this.slide;
  }

  parentRememberMs(rememberMs: number): number {
    return rememberMs + this.windowMs;
  }

  describe(): string {
    return `window=${this.windowMs}`;
  }

  compute(time: number): RDD<T> {
    const rdds = parentRDDs(this.parent, time - this.windowMs, time);
    const sc = this.parent.ssc.sparkContext;
    return rdds.length === 1 ? rdds[0]! : rdds.length === 0 ? sc.emptyRDD<T>() : sc.union(rdds);
  }
}
