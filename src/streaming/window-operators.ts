import type { RDD } from "../core/rdd.js";
import { HashPartitioner } from "../shuffle/partitioner.js";
import { toMultipleOf } from "../util/duration.js";
import type { DStream } from "./dstream.js";
import { ReducedWindowedDStream } from "./dstream/reduced-windowed.js";
import { WindowedDStream } from "./dstream/windowed.js";

// The window operators of DStream (its methods are one-liners over these).

/** The window's duration and slide in ms, checked against the stream's slide. */
function windowArgs(stream: DStream<unknown>, windowDuration: number, slideDuration?: number): [number, number] {
  const parent = stream.slideMs();
  const w = toMultipleOf(windowDuration, parent, "window duration");
  const s = slideDuration === undefined ? parent : toMultipleOf(slideDuration, parent, "slide duration");
  return [w, s];
}

export function window<T>(stream: DStream<T>, windowDuration: number, slideDuration?: number): DStream<T> {
  const [w, s] = windowArgs(stream as DStream<unknown>, windowDuration, slideDuration);
  return stream.derive(new WindowedDStream(stream, w, s));
}

export function reduceByWindow<T>(
  stream: DStream<T>,
  ...[reduceFunc, invReduceFunc, windowDuration, slideDuration]: Parameters<DStream<T>["reduceByWindow"]>
): DStream<T> {
  if (!invReduceFunc) return stream.reduce(reduceFunc).window(windowDuration, slideDuration).reduce(reduceFunc);
  const keyed = stream.map((x): [number, T] => [1, x]);
  return keyed.reduceByKeyAndWindow(reduceFunc, invReduceFunc, windowDuration, slideDuration, 1).values();
}

/** The arguments of `reduceByKeyAndWindow`, after the stream. */
export type ReduceByKeyAndWindowArgs<K, V> = [
  func: (a: V, b: V) => V,
  invFunc: ((a: V, b: V) => V) | null | undefined,
  windowDuration: number,
  slideDuration?: number,
  numPartitions?: number,
  filterFunc?: (kv: [K, V]) => boolean,
];

export function reduceByKeyAndWindow<K, V>(
  stream: DStream<[K, V]>,
  ...[func, invFunc, windowDuration, slideDuration, numPartitions, filterFunc]: ReduceByKeyAndWindowArgs<K, V>
): DStream<[K, V]> {
  const [w, s] = windowArgs(stream as DStream<unknown>, windowDuration, slideDuration);
  const n = stream.defaultPartitions(numPartitions);
  const reduced = stream.reduceByKey(func, n);
  if (!invFunc) {
    const windowed = reduced.derive(new WindowedDStream(reduced, w, s)).reduceByKey(func, n);
    return filterFunc ? windowed.filter(filterFunc) : windowed;
  }
  const partitioner = new HashPartitioner(n);
  return reduced.derive(new ReducedWindowedDStream(reduced, func, invFunc, w, s, partitioner, filterFunc));
}

export function groupByKeyAndWindow<K, V>(
  stream: DStream<[K, V]>,
  windowDuration: number,
  slideDuration: number,
  numPartitions?: number,
): DStream<[K, V[]]> {
  return stream.groupByKey(numPartitions).reduceByKeyAndWindow(
    (a: V[], b: V[]) => a.concat(b),
    (a: V[], b: V[]) => a.slice(b.length),
    windowDuration,
    slideDuration,
    numPartitions,
    ([, vs]) => vs.length > 0,
  );
}

/** One element per batch: the number of records (0 for an empty batch). */
export function count<T>(stream: DStream<T>): DStream<number> {
  const countRDD = (r: RDD<T>) => {
    const zero = r.context.parallelize<[null, number]>([[null, 0]], 1);
    return r
      .map((): [null, number] => [null, 1])
      .union(zero)
      .reduceByKey((a, b) => a + b, 1)
      .values();
  };
  return stream.mapBatches(countRDD, "ShuffledDStream");
}
