import type { Emit, ShuffleDependency } from "../core/node.js";
import { CombineMap } from "../util/keyed-map.js";

/** What the map side of a shuffle needs of its dependency (a worker rebuilds it from a plan). */
export type ShuffleWriteSpec = Pick<ShuffleDependency, "partitioner" | "aggregator" | "mapSideCombine">;

/**
 * The map side of a shuffle: runs one map task's records through the partitioner and,
 * when the dependency asks for it, combines values per key before anything is stored.
 * Returns one list of pairs per reduce partition (plain data).
 */
export function writeShuffleOutput(
  dep: ShuffleWriteSpec,
  run: (emit: Emit<[unknown, unknown]>) => void,
): [unknown, unknown][][] {
  const n = dep.partitioner.numPartitions;
  const partitioner = dep.partitioner;
  const agg = dep.aggregator;
  if (agg && dep.mapSideCombine) {
    // combine first, place after: each distinct key is hashed once, not once per record
    const combined = new CombineMap<unknown, unknown>();
    const { createCombiner, mergeValue } = agg;
    run((kv) => combined.add(kv[0], kv[1], createCombiner, mergeValue));
    const buckets: [unknown, unknown][][] = Array.from({ length: n }, () => []);
    combined.forEach((c, key) => buckets[n === 1 ? 0 : partitioner.getPartition(key)]!.push([key, c]));
    return buckets;
  }
  const buckets: [unknown, unknown][][] = Array.from({ length: n }, () => []);
  run((kv) => {
    buckets[n === 1 ? 0 : partitioner.getPartition(kv[0])]!.push(kv);
  });
  return buckets;
}

/**
 * The reduce side: merges the blocks of one reduce partition. With an aggregator the
 * values (or map-side combiners) of each key are folded into one combiner per key.
 */
export function readShuffleInto(
  dep: ShuffleDependency,
  blocks: readonly (readonly [unknown, unknown][])[],
  emit: Emit<[unknown, unknown]>,
): void {
  const agg = dep.aggregator;
  if (!agg) {
    for (const block of blocks) for (let i = 0; i < block.length; i++) emit(block[i]!);
    return;
  }
  const combined = new CombineMap<unknown, unknown>();
  const first = dep.mapSideCombine ? (c: unknown) => c : agg.createCombiner;
  const merge = dep.mapSideCombine ? agg.mergeCombiners : agg.mergeValue;
  for (const block of blocks) {
    for (let i = 0; i < block.length; i++) {
      const kv = block[i]!;
      combined.add(kv[0], kv[1], first, merge);
    }
  }
  combined.forEach((c, k) => emit([k, c]));
}
