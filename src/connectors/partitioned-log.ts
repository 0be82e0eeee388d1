import { log } from "../util/log.js";
import { CheckpointError } from "../checkpoint/errors.js";
import type { OffsetRange, ReplayableSource } from "../streaming/replayable.js";

/** A partition's offsets now: the first still kept, and the one the next record will get. */
export interface PartitionBounds {
  readonly earliest: bigint;
  readonly latest: bigint;
}

/**
 * A log cut into partitions, each addressed by offset (Kafka's model): what a partitioned
 * source's client provides. Partition names are `topic/partition`. Offsets may have gaps
 * (compaction, transaction markers), so a range is given by offsets, never by counts.
 */
export interface PartitionedLog<M> {
  describe(): string;
  bounds(): Promise<Map<string, PartitionBounds>>;
  /** The consumer group's committed next offsets (partitions it never committed are missing). */
  committed(): Promise<Map<string, bigint>>;
  /** The records of one partition with offsets in `[from, until)`, in order. */
  read(partition: string, from: bigint, until: bigint): Promise<M[]>;
  /** Records the next offsets as the group's committed position. */
  commit(next: Map<string, bigint>): Promise<void>;
  close(): Promise<void>;
  /** Drops the connections after a call got no answer; the next call connects again. */
  reset?(): void;
}

/**
 * Where a job with no committed position starts: the oldest kept record, the next new one (Spark's default), or
 * given offsets per partition (`{ "events/0": 23n }`; partitions not named start at `latest`).
 */
export type StartingOffsets = "earliest" | "latest" | ReadonlyMap<string, bigint>;

/** A position: each partition's next offset, as sorted JSON (`{"events/0":"12"}`), so it can be logged. */
export function encodePosition(next: ReadonlyMap<string, bigint>): string {
  return JSON.stringify(
    Object.fromEntries([...next].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([p, o]) => [p, o.toString()])),
  );
}

export function decodePosition(position: string): Map<string, bigint> {
  const raw = JSON.parse(position) as Record<string, string>;
  return new Map(Object.entries(raw).map(([p, o]) => [p, BigInt(o)]));
}

/**
 * A partitioned log as a replayable source: a batch's range is each partition's `[from, until)`,
 * planned from the offsets available when the batch is planned, at most `max` records in all
 * (shared evenly, a partition's unused share going to the others). A partition that appears
 * later is read from its earliest offset; a range whose records were deleted is
 * `SLUICE_E_SOURCE_TRIMMED` (Spark's failOnDataLoss).
 */
export class PartitionedLogSource<M> implements ReplayableSource<M> {
  constructor(
    private readonly log: PartitionedLog<M>,
    private readonly starting: StartingOffsets = "latest",
    /** At most this many records per partition per batch (Spark's `maxRatePerPartition` × the batch interval). */
    private readonly perPartition = Infinity,
    /**
     * Spark's `failOnDataLoss`: records deleted before they were read stop the job (true, the default); false skips
     * to the oldest kept record with a warning naming what was lost.
     */
    private readonly failOnDataLoss = true,
  ) {}

  describe(): string {
    return this.log.describe();
  }

  reset(): void {
    this.log.reset?.();
  }

  async initialPosition(): Promise<string> {
    const [bounds, committed] = await Promise.all([this.log.bounds(), this.log.committed()]);
    const next = new Map<string, bigint>();
    const given = typeof this.starting === "object" ? this.starting : undefined;
    for (const [p, b] of bounds) {
      const fromGiven = given?.get(p);
      const start = fromGiven ?? (this.starting === "earliest" ? b.earliest : b.latest);
      next.set(p, committed.get(p) ?? start);
    }
    return encodePosition(next);
  }

  async readAfter(from: string, max: number): Promise<{ range: OffsetRange; records: M[] }> {
    const start = decodePosition(from);
    const bounds = await this.log.bounds();
    for (const [p, b] of bounds) if (!start.has(p)) start.set(p, b.earliest);
    if (!this.failOnDataLoss) {
      for (const [p, at] of start) {
        const b = bounds.get(p);
        if (b && at < b.earliest) {
          log.warn(
            `${this.describe()} partition ${p}: records ${at}..${b.earliest - 1n} were deleted before they were read; ` +
              `going on from ${b.earliest} (failOnDataLoss is false)`,
          );
          start.set(p, b.earliest);
        }
      }
    }
    const until = planUntil(start, bounds, max, (p, at, b) => this.trimmed(p, at, b.earliest), this.perPartition);
    const records = await this.readAll(start, until);
    return { range: { from: encodePosition(start), to: encodePosition(until), count: records.length }, records };
  }

  async readRange(range: OffsetRange): Promise<M[]> {
    const start = decodePosition(range.from);
    const until = decodePosition(range.to);
    const records = await this.readAll(start, until);
    if (records.length !== range.count) {
      throw new CheckpointError(
        "SLUICE_E_NOT_RECOVERABLE",
        `SLUICE_E_SOURCE_TRIMMED: a logged batch of ${this.describe()} held ${range.count} records in ` +
          `${range.from} .. ${range.to} but ${records.length} are there now; raise the topic's retention or restore it`,
      );
    }
    return records;
  }

  async commit(range: OffsetRange): Promise<void> {
    await this.log.commit(decodePosition(range.to));
  }

  close(): Promise<void> {
    return this.log.close();
  }

  private async readAll(start: Map<string, bigint>, until: Map<string, bigint>): Promise<M[]> {
    const parts = [...until].filter(([p, u]) => u > (start.get(p) ?? u)).sort(([a], [b]) => (a < b ? -1 : 1));
    const chunks = await Promise.all(parts.map(([p, u]) => this.log.read(p, start.get(p)!, u)));
    return chunks.flat();
  }

  private trimmed(partition: string, at: bigint, earliest: bigint): never {
    throw new CheckpointError(
      "SLUICE_E_NOT_RECOVERABLE",
      `SLUICE_E_SOURCE_TRIMMED: ${this.describe()} partition ${partition} starts at offset ${earliest} but the ` +
        `job's next offset is ${at}: records ${at}..${earliest - 1n} were deleted before they were read`,
    );
  }
}

/**
 * Each partition's end offset for a batch of at most `max` records, and at most `perPartition` from any one: every
 * partition gets an even share of what is available, and shares a partition cannot use go to the others, in order.
 */
export function planUntil(
  start: ReadonlyMap<string, bigint>,
  bounds: ReadonlyMap<string, PartitionBounds>,
  max: number,
  onTrimmed: (p: string, at: bigint, b: PartitionBounds) => never,
  perPartition = Infinity,
): Map<string, bigint> {
  const cap = Number.isFinite(perPartition) ? BigInt(Math.max(1, Math.floor(perPartition))) : undefined;
  const avail = new Map<string, bigint>();
  for (const [p, at] of [...start].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const b = bounds.get(p);
    if (!b) continue; // a partition that vanished takes nothing
    if (at < b.earliest) onTrimmed(p, at, b);
    const a = b.latest > at ? b.latest - at : 0n;
    avail.set(p, cap !== undefined && a > cap ? cap : a);
  }
  const take = new Map<string, bigint>([...avail.keys()].map((p) => [p, 0n]));
  let left = BigInt(Math.max(0, Math.floor(max)));
  let open = [...avail].filter(([, a]) => a > 0n).map(([p]) => p);
  while (left > 0n && open.length > 0) {
    const share = left / BigInt(open.length) || 1n;
    for (const p of open) {
      if (left === 0n) break;
      const n = [share, avail.get(p)! - take.get(p)!, left].reduce((a, b) => (a < b ? a : b));
      take.set(p, take.get(p)! + n);
      left -= n;
    }
    open = open.filter((p) => take.get(p)! < avail.get(p)!);
  }
  const until = new Map(start);
  for (const [p, n] of take) until.set(p, start.get(p)! + n);
  return until;
}
