import type { Emit, ShuffleDependency } from "../core/node.js";
import { CombineMap } from "../util/keyed-map.js";
import { copyValue } from "../util/copy-value.js";
import { ExternalCombineMap, type SpillTarget } from "./external-map.js";
import { ENTRY_OVERHEAD, SizeTracker } from "./memory.js";
import type { SpilledSegment } from "./shuffle-manager.js";

/** What the map side of a shuffle needs of its dependency (a worker rebuilds it from a plan). */
export type ShuffleWriteSpec = Pick<ShuffleDependency, "partitioner" | "aggregator" | "mapSideCombine">;

/** A map task's bound on its buffers: past `bytes` (estimated), they are spilled and start empty. */
export interface WriteBound {
  readonly bytes: number;
  spill(buckets: readonly [unknown, unknown][][]): SpilledSegment;
  /** The segments spilled so far, in order. */
  readonly segments: SpilledSegment[];
}

/**
 * The map side of a shuffle: runs one map task's records through the partitioner and,
 * when the dependency asks for it, combines values per key before anything is stored.
 * Returns one list of pairs per reduce partition (plain data); with a `bound`, what outgrew
 * it was spilled on the way (a key may then have several partial combiners, which the reduce
 * side merges as it merges those of different map tasks).
 */
export function writeShuffleOutput(
  dep: ShuffleWriteSpec,
  run: (emit: Emit<[unknown, unknown]>) => void,
  bound?: WriteBound,
): [unknown, unknown][][] {
  const n = dep.partitioner.numPartitions;
  const partitioner = dep.partitioner;
  const agg = dep.aggregator;
  const fresh = (): [unknown, unknown][][] => Array.from({ length: n }, () => []);
  if (agg && dep.mapSideCombine) {
    // combine first, place after: each distinct key is hashed once, not once per record
    const combined = new CombineMap<unknown, unknown>();
    const { createCombiner, mergeValue } = agg;
    const place = (): [unknown, unknown][][] => {
      const buckets = fresh();
      combined.forEach((c, key) => buckets[n === 1 ? 0 : partitioner.getPartition(key)]!.push([key, c]));
      return buckets;
    };
    if (!bound) run((kv) => combined.add(kv[0], kv[1], createCombiner, mergeValue));
    else {
      const tracker = new SizeTracker();
      run((kv) => {
        combined.add(kv[0], kv[1], createCombiner, mergeValue);
        if ((++tracker.count & 63) !== 0) return;
        // a key costs its entry; every value merged may grow its combiner (a gathered list does)
        const t = tracker.sample(kv[0], kv[1], 64);
        if (combined.size * (t.keyBytes + ENTRY_OVERHEAD) + t.records * t.valueBytes > bound.bytes) {
          bound.segments.push(bound.spill(place()));
          combined.clear();
          tracker.reset();
        }
      });
    }
    return place();
  }
  let buckets = fresh();
  if (!bound)
    run((kv) => {
      buckets[n === 1 ? 0 : partitioner.getPartition(kv[0])]!.push(kv);
    });
  else {
    const tracker = new SizeTracker();
    run((kv) => {
      buckets[n === 1 ? 0 : partitioner.getPartition(kv[0])]!.push(kv);
      if ((++tracker.count & 63) !== 0) return;
      // a pair costs its array (about 40 bytes) besides its key and value
      const t = tracker.sample(kv[0], kv[1], 64);
      if (t.records * (t.keyBytes + t.valueBytes + 40) > bound.bytes) {
        bound.segments.push(bound.spill(buckets));
        buckets = fresh();
        tracker.reset();
      }
    });
  }
  return buckets;
}

/**
 * The reduce side: merges the blocks of one reduce partition. With an aggregator the
 * values (or map-side combiners) of each key are folded into one combiner per key, in a map
 * that spills sorted runs to disk past `spill`'s budget.
 */
export function readShuffleInto(
  dep: ShuffleDependency,
  blocks: Iterable<readonly [unknown, unknown][]>,
  emit: Emit<[unknown, unknown]>,
  spill?: SpillTarget,
): void {
  const agg = dep.aggregator;
  if (!agg) {
    for (const block of blocks) for (let i = 0; i < block.length; i++) emit(block[i]!);
    return;
  }
  const combined = new ExternalCombineMap<unknown, unknown>(agg.mergeCombiners, spill, agg.readBack);
  // a map side's combiner is copied before it is merged into: the block it came from is kept
  // for the next action over this shuffle (Spark reads its shuffle files afresh each time)
  const first = dep.mapSideCombine ? copyValue : agg.createCombiner;
  const merge = dep.mapSideCombine ? agg.mergeCombiners : agg.mergeValue;
  try {
    for (const block of blocks) {
      for (let i = 0; i < block.length; i++) {
        const kv = block[i]!;
        combined.add(kv[0], kv[1], first, merge);
      }
    }
  } catch (err) {
    combined.discard();
    throw err;
  }
  combined.forEach((c, k) => emit([k, c]));
}
