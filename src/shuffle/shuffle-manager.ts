import { estimateSize } from "./memory.js";
import {
  decodeChunk,
  encodeBuckets,
  deleteSpill,
  readChunk,
  SpillDir,
  writeBuckets,
  writeEncoded,
  type EncodedBuckets,
  type SpilledSegment,
} from "./spill-files.js";

export type { SpilledSegment };

type Pairs = readonly [unknown, unknown][];

/** Map outputs bigger than this (estimated heap bytes) are kept encoded. */
const ENCODE_ABOVE_BYTES = 4 * 2 ** 20;

/**
 * One map task's output: buckets in memory (one per reduce partition), or encoded as a worker
 * sent them (decoded block by block as the reduce side reads them), and segments on disk.
 */
interface MapOutput {
  readonly memory: readonly Pairs[] | undefined;
  readonly encoded?: EncodedBuckets;
  readonly segments: readonly SpilledSegment[];
  readonly bytes: number;
}

/**
 * Holds shuffle outputs by shuffle id, so a second action over the same shuffled RDD reuses
 * them as Spark reuses its shuffle files. Outputs stay in memory up to a budget; past it, a map
 * task's output goes to a local file and is read back one block at a time. Outputs (and their
 * files) are dropped when the RDD that owns the shuffle is garbage collected, or the context stops.
 */
export class ShuffleManager {
  private readonly outputs = new Map<number, MapOutput[]>();
  private readonly complete = new Set<number>();
  private readonly cleaner = new FinalizationRegistry<number>((id) => this.remove(id));
  private inMemory = 0;

  constructor(
    /** What outputs may hold in memory together, in (estimated) bytes. */
    private readonly storeBytes: number = Infinity,
    readonly spillDir: SpillDir = new SpillDir(),
  ) {}

  /** Ties the shuffle's outputs to `owner`'s lifetime. */
  register(shuffleId: number, owner: object): void {
    this.cleaner.register(owner, shuffleId);
  }

  isAvailable(shuffleId: number): boolean {
    return this.complete.has(shuffleId);
  }

  /** Writes buckets to a new spill file: one chunk per non-empty bucket. */
  spillBuckets(buckets: readonly Pairs[]): SpilledSegment {
    return writeBuckets(this.spillDir.newFile("shuffle"), buckets);
  }

  /**
   * Keeps map task `mapId`'s output: its last buckets (in memory, or spilled when the budget is
   * used up) and the segments the task spilled while it ran.
   */
  putMapOutput(shuffleId: number, mapId: number, buckets: readonly Pairs[], segments: readonly SpilledSegment[] = []) {
    const bytes = bucketsSize(buckets);
    // a big output is kept encoded: a buffer instead of a million small arrays for the collector
    // to trace (10M pairs of numbers in a 512 MB heap: 15–18 s instead of 19–20 s, 115 MB of heap
    // instead of 300); a small one stays as it is, at no cost
    if (bytes > ENCODE_ABOVE_BYTES) return this.putEncodedOutput(shuffleId, mapId, encodeBuckets(buckets), segments);
    this.store(shuffleId, mapId, bytes, () => this.spillBuckets(buckets), {
      memory: buckets,
      segments,
      bytes,
    });
  }

  /** Keeps a map task's output as a worker encoded it: in memory within the budget, else written as it is. */
  putEncodedOutput(
    shuffleId: number,
    mapId: number,
    encoded: EncodedBuckets,
    segments: readonly SpilledSegment[] = [],
  ): void {
    const bytes = encoded.bytes.length;
    this.store(shuffleId, mapId, bytes, () => writeEncoded(this.spillDir.newFile("shuffle"), encoded), {
      memory: undefined,
      encoded,
      segments,
      bytes,
    });
  }

  /** Puts map task `mapId`'s output in place of any earlier one: `kept` within the budget, else `spill()` on disk. */
  private store(shuffleId: number, mapId: number, bytes: number, spill: () => SpilledSegment, kept: MapOutput): void {
    let list = this.outputs.get(shuffleId);
    if (!list) this.outputs.set(shuffleId, (list = []));
    const old = list[mapId];
    if (old) this.drop(old);
    if (this.inMemory + bytes > this.storeBytes && bytes > 0)
      list[mapId] = { memory: undefined, segments: [...kept.segments, spill()], bytes: 0 };
    else {
      list[mapId] = kept;
      this.inMemory += bytes;
    }
  }

  /** Every map task of the shuffle has put its output. */
  markComplete(shuffleId: number): void {
    this.complete.add(shuffleId);
  }

  /** The blocks every map task wrote for reduce partition `reduceId`, in map order, read from disk as needed. */
  *read(shuffleId: number, reduceId: number): Generator<Pairs> {
    if (!this.complete.has(shuffleId))
      throw new Error(`shuffle ${shuffleId} has no map outputs (its stage did not run)`);
    for (const output of this.outputs.get(shuffleId) ?? []) {
      if (!output) continue;
      for (const segment of output.segments)
        for (const extent of segment.chunks[reduceId] ?? []) yield readChunk(segment.path, extent) as Pairs;
      const block = output.memory?.[reduceId];
      if (block && block.length > 0) yield block;
      const encoded = output.encoded;
      if (encoded)
        for (const [offset, length] of encoded.chunks[reduceId] ?? [])
          yield decodeChunk(Buffer.from(encoded.bytes.buffer, encoded.bytes.byteOffset + offset, length)) as Pairs;
    }
  }

  private drop(output: MapOutput): void {
    this.inMemory -= output.bytes;
    for (const s of output.segments) deleteSpill(s.path);
  }

  remove(shuffleId: number): void {
    for (const output of this.outputs.get(shuffleId) ?? []) if (output) this.drop(output);
    this.outputs.delete(shuffleId);
    this.complete.delete(shuffleId);
  }

  clear(): void {
    for (const id of [...this.outputs.keys()]) this.remove(id);
    this.spillDir.remove();
  }
}

/** The estimated heap size of a map output's buckets (a sample of records, scaled). */
export function bucketsSize(buckets: readonly Pairs[]): number {
  let records = 0;
  let sampled = 0;
  let size = 0;
  for (const b of buckets) {
    records += b.length;
    const step = Math.max(1, Math.floor(b.length / 8));
    for (let i = 0; i < b.length; i += step) {
      size += estimateSize(b[i]);
      sampled++;
    }
  }
  return sampled === 0 ? 0 : (size / sampled) * records + 8 * records;
}
