import { join } from "node:path";
import { deserialize, serialize } from "node:v8";
import { log } from "../util/log.js";
import { decodeEnvelope, TMP_MARKER, writeDurably } from "./durable.js";
import { CheckpointError } from "./errors.js";
import { DirLock } from "./dir-lock.js";
import { NodeFs, type FsPort } from "./fs-port.js";

/** Written once when a job first starts in a directory. */
export interface Metadata {
  readonly appName: string;
  /** The job's identity, made at its first start and kept across restarts (sinks key their writes by it). */
  readonly jobId?: string;
  readonly batchMs: number;
  readonly zeroTime: number;
  readonly fingerprint: string;
  readonly summary: readonly string[];
  /** Per input stream id, what it needs to resume (a file stream's creation time, say). */
  readonly inputs: Record<string, unknown>;
}

/** `offsets/<t>`: the input of batch `t`, logged before the batch runs. */
export interface OffsetsRecord {
  readonly batchTime: number;
  readonly inputs: Record<string, unknown>;
}

/** `commits/<t>`: batch `t` finished all its outputs. */
export interface CommitRecord {
  readonly batchTime: number;
  /** Stream id → time of the state RDD saved with this commit. */
  readonly snapshots: Record<string, number>;
}

/** A saved state RDD: its partitions, placed by a hash partitioner of `numPartitions`. */
export interface Snapshot {
  readonly time: number;
  readonly partitions: unknown[][];
}

/** What recovery found in a directory. */
export interface RecoveryPlan {
  readonly metadata: Metadata;
  readonly lastCommitted: number | undefined;
  /** Logged but not committed: re-run with its logged input. */
  readonly pending: readonly OffsetsRecord[];
  readonly offsets: ReadonlyMap<number, OffsetsRecord>;
  /** Stream id → newest valid snapshot at or before the last commit. */
  readonly snapshots: ReadonlyMap<number, Snapshot>;
}

const pad = (t: number) => String(t).padStart(15, "0");

/**
 * The checkpoint directory: `metadata`, `offsets/<t>`, `commits/<t>`, `state/<stream>/<t>.snap`
 * and a `lock`. Every file is written durably (temp, fsync, rename, fsync dir) inside a
 * checked envelope; startup reads are synchronous, per-batch writes asynchronous.
 */
export class CheckpointManager {
  private readonly dirLock: DirLock;

  /** `lockWaitMs`: how long to wait for a holder of the directory that looks alive. */
  constructor(
    readonly dir: string,
    private readonly fs: FsPort = new NodeFs(),
    lockWaitMs = 10_000,
  ) {
    this.dirLock = new DirLock(join(dir, "lock"), fs, lockWaitMs);
  }

  private path(...parts: string[]): string {
    return join(this.dir, ...parts);
  }

  /** Creates the layout, takes the lock and deletes temp files left by a crash. */
  open(): void {
    for (const sub of ["offsets", "commits", "state"]) this.fs.mkdirSync(this.path(sub));
    this.dirLock.acquire();
    for (const sub of ["", "offsets", "commits"]) this.removeTemps(this.path(sub));
    for (const op of this.fs.readdirSync(this.path("state"))) this.removeTemps(this.path("state", op));
  }

  /** Releases the lock (at stop). */
  close(): void {
    this.dirLock.release();
  }

  private removeTemps(dir: string): void {
    for (const name of this.fs.readdirSync(dir)) if (name.includes(TMP_MARKER)) this.fs.rmSync(join(dir, name));
  }

  hasMetadata(): boolean {
    return this.fs.readdirSync(this.dir).includes("metadata");
  }

  /** Write-ahead log segments (`wal/<stream>/<n>.wal`): a stream's folder alone holds no data. */
  private walSegments(): number {
    return this.fs
      .readdirSync(this.path("wal"))
      .reduce(
        (n, stream) => n + this.fs.readdirSync(this.path("wal", stream)).filter((f) => f.endsWith(".wal")).length,
        0,
      );
  }

  /** What the directory holds of an earlier job: offsets and commit files, state snapshots, write-ahead logs. */
  private earlierFiles(): string[] {
    const count = (sub: string, keep: (n: string) => boolean = () => true) =>
      this.fs.readdirSync(this.path(sub)).filter((n) => !n.includes(TMP_MARKER) && keep(n)).length;
    const snapshots = this.fs
      .readdirSync(this.path("state"))
      .reduce((n, op) => n + this.fs.readdirSync(this.path("state", op)).filter((f) => f.endsWith(".snap")).length, 0);
    const found: [number, string][] = [
      [count("offsets"), "offsets"],
      [count("commits"), "commit"],
      [snapshots, "state snapshot"],
      [this.walSegments(), "write-ahead log"],
    ];
    return found.filter(([n]) => n > 0).map(([n, what]) => `${n} ${what} file${n === 1 ? "" : "s"}`);
  }

  /**
   * A new job in this directory: logs of an earlier job here are removed. A directory that holds
   * logs or snapshots but no metadata is a damaged checkpoint, not a new one: it is refused,
   * and nothing is deleted, unless `reset` (`--reset-checkpoint`) says to start afresh.
   */
  resetForNewJob(reset = false): void {
    const found = this.earlierFiles();
    if (found.length > 0 && !this.hasMetadata() && !reset) {
      throw new CheckpointError(
        "SLUICE_E_CKPT_CORRUPT",
        `${this.dir} holds ${found.join(", ")} but no metadata file: this is a checkpoint that lost its ` +
          `metadata, not a new directory, and nothing was deleted. Restore ${this.path("metadata")} from a ` +
          `backup, use a new checkpoint directory, or start afresh here with --reset-checkpoint ` +
          `(spark.sluice.checkpoint.reset=true), which deletes it`,
      );
    }
    if (found.length > 0) {
      log.warn(
        `checkpoint directory ${this.dir} held ${found.join(", ")} of an earlier job; starting a new job there ` +
          `${reset ? "(--reset-checkpoint)" : "(use StreamingContext.getOrCreate to recover instead)"}`,
      );
    }
    for (const sub of ["offsets", "commits", "state", "wal"]) {
      this.fs.rmSync(this.path(sub));
      if (sub !== "wal") this.fs.mkdirSync(this.path(sub));
    }
    this.fs.rmSync(this.path("metadata"));
  }

  writeMetadata(m: Metadata): Promise<void> {
    return writeDurably(this.fs, this.path("metadata"), "metadata", Buffer.from(JSON.stringify(m)));
  }

  async writeOffsets(rec: OffsetsRecord): Promise<void> {
    await writeDurably(this.fs, this.path("offsets", pad(rec.batchTime)), "offsets", Buffer.from(JSON.stringify(rec)));
  }

  async writeSnapshot(streamId: number, snap: Snapshot): Promise<void> {
    const dir = this.path("state", String(streamId));
    await this.fs.mkdir(dir);
    await writeDurably(this.fs, join(dir, `${pad(snap.time)}.snap`), "snapshot", serialize(snap));
  }

  async writeCommit(rec: CommitRecord): Promise<void> {
    await writeDurably(this.fs, this.path("commits", pad(rec.batchTime)), "commit", Buffer.from(JSON.stringify(rec)));
  }

  /**
   * Drops logs and snapshots no recovery can need: keeps the 2 newest snapshots per stream and
   * every offsets/commit from `keepFrom` on (oldest first, so a crash leaves extra files, never
   * missing ones).
   */
  async cleanup(keepFrom: number): Promise<void> {
    for (const op of this.fs.readdirSync(this.path("state"))) {
      const snaps = this.fs
        .readdirSync(this.path("state", op))
        .filter((n) => n.endsWith(".snap"))
        .sort();
      for (const name of snaps.slice(0, -2)) await this.fs.rm(this.path("state", op, name));
    }
    for (const sub of ["offsets", "commits"]) {
      for (const name of this.fs.readdirSync(this.path(sub)).sort())
        if (!name.includes(TMP_MARKER) && Number(name) < keepFrom) await this.fs.rm(this.path(sub, name));
    }
  }

  /** The oldest snapshot time still kept per stream (recovery replays from there). */
  oldestKeptSnapshot(): number | undefined {
    let oldest: number | undefined;
    for (const op of this.fs.readdirSync(this.path("state"))) {
      const snaps = this.fs
        .readdirSync(this.path("state", op))
        .filter((n) => n.endsWith(".snap"))
        .sort()
        .slice(-2);
      if (snaps[0]) oldest = Math.min(oldest ?? Infinity, parseInt(snaps[0], 10));
    }
    return oldest;
  }

  private readEnvelope(path: string, kind: string): Buffer {
    return readChecked(this.fs, path, kind);
  }

  /** Reads everything recovery needs; a corrupt metadata or log entry is an error naming the file. */
  readRecovery(): RecoveryPlan {
    const metadata = JSON.parse(this.readEnvelope(this.path("metadata"), "metadata").toString("utf8")) as Metadata;
    const offsets = new Map<number, OffsetsRecord>();
    for (const name of this.fs
      .readdirSync(this.path("offsets"))
      .filter((n) => !n.includes(TMP_MARKER))
      .sort()) {
      const rec = JSON.parse(
        this.readEnvelope(this.path("offsets", name), "offsets").toString("utf8"),
      ) as OffsetsRecord;
      offsets.set(rec.batchTime, rec);
    }
    const commits = new Map<number, CommitRecord>();
    const commitNames = this.fs
      .readdirSync(this.path("commits"))
      .filter((n) => !n.includes(TMP_MARKER))
      .sort();
    for (const [i, name] of commitNames.entries()) {
      try {
        const rec = JSON.parse(
          this.readEnvelope(this.path("commits", name), "commit").toString("utf8"),
        ) as CommitRecord;
        commits.set(rec.batchTime, rec);
      } catch (err) {
        // only the newest commit may be torn: it then counts as not committed
        if (i !== commitNames.length - 1) throw err;
        log.warn(
          `${this.path("commits", name)} is unreadable (${(err as Error).message}); its batch counts as not ` +
            `committed and is re-run`,
        );
      }
    }
    const committedTimes = [...commits.keys()].sort((a, b) => a - b);
    const lastCommitted = committedTimes[committedTimes.length - 1];
    const uncommitted = [...offsets.keys()]
      .filter((t) => lastCommitted === undefined || t > lastCommitted)
      .sort((a, b) => a - b);
    // batches logged after the last commit are re-run in order; they must follow it one interval apart
    // (more than one when a torn newest commit made its batch count as not committed)
    const first = lastCommitted === undefined ? uncommitted[0] : lastCommitted + metadata.batchMs;
    if (uncommitted.some((t, i) => t !== first! + i * metadata.batchMs)) {
      throw new CheckpointError(
        "SLUICE_E_CKPT_INCONSISTENT",
        `${this.dir}: logged but uncommitted batches ${uncommitted.join(", ")} after the last commit ` +
          `${lastCommitted}; expected the ones right after it, in order. The directory was changed by hand or by ` +
          `two jobs`,
      );
    }
    for (const t of committedTimes) {
      if (!offsets.has(t) && t >= Math.min(...offsets.keys())) {
        throw new CheckpointError(
          "SLUICE_E_CKPT_INCONSISTENT",
          `${this.dir}: batch ${t} is committed but its offsets file is missing`,
        );
      }
    }
    return {
      metadata,
      lastCommitted,
      pending: uncommitted.map((t) => offsets.get(t)!),
      offsets,
      snapshots: this.readSnapshots(lastCommitted),
    };
  }

  /** The newest snapshot per stream that passes its checks and is not newer than the last commit. */
  private readSnapshots(lastCommitted: number | undefined): Map<number, Snapshot> {
    const out = new Map<number, Snapshot>();
    for (const op of this.fs.readdirSync(this.path("state"))) {
      const names = this.fs
        .readdirSync(this.path("state", op))
        .filter((n) => n.endsWith(".snap") && parseInt(n, 10) <= (lastCommitted ?? -1))
        .sort()
        .reverse();
      for (const name of names) {
        const path = this.path("state", op, name);
        try {
          out.set(Number(op), deserialize(this.readEnvelope(path, "snapshot")) as Snapshot);
          break;
        } catch (err) {
          log.warn(`${(err as Error).message}; falling back to an older snapshot of stream ${op}`);
        }
      }
    }
    return out;
  }
}

function readChecked(fs: FsPort, path: string, kind: string): Buffer {
  let data: Buffer;
  try {
    data = fs.readFileSync(path);
  } catch (err) {
    throw new CheckpointError("SLUICE_E_CKPT_CORRUPT", `cannot read ${path}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  return decodeEnvelope(path, kind, data);
}
