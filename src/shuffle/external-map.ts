// A reduce side's map of combiners that spills when it outgrows its budget (Spark's
// ExternalAppendOnlyMap): runs sorted by key hash go to disk, and are merged on read.
import { stableHash } from "../util/hash.js";
import { CombineMap, KeyedMap } from "../util/keyed-map.js";
import { ENTRY_OVERHEAD, SizeTracker } from "./memory.js";
import { ChunkWriter, deleteSpill, readChunk, type Extent, type SpillDir } from "./spill-files.js";

/** Where a map's spills go, and how much it may hold first. */
export interface SpillTarget {
  readonly dir: SpillDir;
  readonly bytes: number;
}

/** Entries of a sorted run: `[hash, key, combiner]`, by hash. */
type RunEntry<K, C> = [number, K, C];

/** A sorted run on disk: its file and its chunks, in order. */
interface Run {
  readonly path: string;
  readonly chunks: readonly Extent[];
}

const CHUNK = 2048;

/**
 * Combiners per key, as `CombineMap`, bounded: past `target.bytes` (estimated), the entries are
 * sorted by their key's hash and written to a run, and the map starts empty. `forEach` then
 * merges the runs and what is left in memory, merging a key's combiners with `mergeCombiners`.
 * Without a target it never spills.
 */
export class ExternalCombineMap<K, C> {
  private map = new CombineMap<K, C>();
  private readonly tracker = new SizeTracker();
  private count = 0;
  private readonly runs: Run[] = [];

  constructor(
    private readonly mergeCombiners: (a: C, b: C) => C,
    private readonly target: SpillTarget | undefined,
    /** Restores a combiner read back from a run (v8 serialization drops symbol-keyed marks). */
    private readonly readBack: (c: C) => C = (c) => c,
  ) {}

  /** How many runs went to disk. */
  get spills(): number {
    return this.runs.length;
  }

  add<V>(key: K, v: V, create: (v: V) => C, merge: (c: C, v: V) => C): void {
    this.map.add(key, v, create, merge);
    if (!this.target || (++this.count & 63) !== 0) return;
    // a key costs its entry; every value merged may grow its combiner (a group's list does)
    const t = this.tracker.sample(key, v, 64);
    if (this.map.size * (t.keyBytes + ENTRY_OVERHEAD) + t.records * t.valueBytes > this.target.bytes) this.spill();
  }

  private sortedEntries(): RunEntry<K, C>[] {
    const entries: RunEntry<K, C>[] = [];
    this.map.forEach((c, k) => entries.push([stableHash(k), k, c]));
    entries.sort((a, b) => a[0] - b[0]);
    return entries;
  }

  private spill(): void {
    const entries = this.sortedEntries();
    const writer = new ChunkWriter(this.target!.dir.newFile("map"));
    const chunks: Extent[] = [];
    try {
      for (let i = 0; i < entries.length; i += CHUNK) chunks.push(writer.write(entries.slice(i, i + CHUNK)));
    } finally {
      writer.close();
    }
    this.runs.push({ path: writer.path, chunks });
    this.map = new CombineMap<K, C>();
    this.tracker.reset();
  }

  /** Deletes the runs and empties the map (a task that failed half way). */
  discard(): void {
    for (const run of this.runs) deleteSpill(run.path);
    this.runs.length = 0;
    this.map = new CombineMap<K, C>();
  }

  /** Every key once with its merged combiner; the map is used up (its runs deleted). */
  forEach(f: (c: C, key: K) => void): void {
    if (this.runs.length === 0) {
      this.map.forEach(f);
      return;
    }
    try {
      this.mergeRuns(f);
    } finally {
      this.discard();
    }
  }

  private mergeRuns(f: (c: C, key: K) => void): void {
    const cursors: Cursor<K, C>[] = this.runs.map((run) => new DiskCursor<K, C>(run, this.readBack));
    cursors.push(new MemoryCursor(this.sortedEntries()));
    this.map = new CombineMap<K, C>();
    const live = cursors.filter((c) => c.head !== undefined);
    while (live.length > 0) {
      let hash = Infinity;
      for (const c of live) if (c.head![0] < hash) hash = c.head![0];
      // every entry of this hash, from every run: keys with equal hashes may still differ
      const group = new KeyedMap<K, C>();
      for (const c of live) {
        while (c.head !== undefined && c.head[0] === hash) {
          const [, k, comb] = c.head;
          const seen = group.get(k);
          group.set(k, seen === undefined && !group.has(k) ? comb : this.mergeCombiners(seen as C, comb));
          c.next();
        }
      }
      group.forEach(f);
      for (let i = live.length - 1; i >= 0; i--) if (live[i]!.head === undefined) live.splice(i, 1);
    }
  }
}

interface Cursor<K, C> {
  readonly head: RunEntry<K, C> | undefined;
  next(): void;
}

class MemoryCursor<K, C> implements Cursor<K, C> {
  private i = 0;
  constructor(private readonly entries: RunEntry<K, C>[]) {}
  get head(): RunEntry<K, C> | undefined {
    return this.entries[this.i];
  }
  next(): void {
    this.entries[this.i++] = undefined as unknown as RunEntry<K, C>; // let it go as soon as it is merged
  }
}

/** Reads a run chunk by chunk: one chunk of each run is in memory at a time. */
class DiskCursor<K, C> implements Cursor<K, C> {
  private chunk: RunEntry<K, C>[] = [];
  private i = 0;
  private nextChunk = 0;

  constructor(
    private readonly run: Run,
    private readonly readBack: (c: C) => C,
  ) {
    this.load();
  }

  private load(): void {
    this.i = 0;
    this.chunk =
      this.nextChunk < this.run.chunks.length
        ? (readChunk(this.run.path, this.run.chunks[this.nextChunk++]!) as RunEntry<K, C>[])
        : [];
    for (const e of this.chunk) e[2] = this.readBack(e[2]);
  }

  get head(): RunEntry<K, C> | undefined {
    return this.chunk[this.i];
  }

  next(): void {
    this.i++;
    if (this.i >= this.chunk.length && this.nextChunk < this.run.chunks.length) this.load();
  }
}
