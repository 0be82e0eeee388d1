import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { IllegalArgumentError } from "../../util/errors.js";
import { log } from "../../util/log.js";
import { RDD } from "../../core/rdd.js";
import { PreparedNode } from "../../core/rdds/prepared.js";
import { isHiddenName } from "../../util/files.js";
import { readLines } from "../../util/files.js";
import type { StreamingContext } from "../context.js";
import type { DStream } from "../dstream.js";
import type { DStreamNode } from "./node.js";

/** Names of files still being written by common tools; never taken. */
const TEMPORARY = /(\.tmp|\.temp|\._COPYING_|~|\.crdownload|\.part|\.swp)$/i;

/**
 * `textFileStream` / `binaryRecordsStream`: at batch `t`, the directory's visible files whose
 * modification time is in `(threshold, t]` and that no remembered batch took, where
 * threshold is the later of the stream's creation and `t - R` (R = B * ceil(60 s / B)).
 * Files must appear atomically (write elsewhere, then rename in); later appends are not read.
 */
export class FileInputDStream<T> implements DStreamNode<T> {
  readonly kind = "FileInputDStream";
  readonly dependencies: readonly DStream<unknown>[] = [];
  private createdAt: number;
  /** Files fixed for each batch time (by `plan`, or restored from the offsets log). */
  private readonly planned = new Map<number, string[]>();
  /** path → batch time that took it, for the remember window. */
  private readonly taken = new Map<string, number>();
  /** Records read for each batch time, once its files were read. */
  private readonly counted = new Map<number, number>();
  /** Why the directory could not be listed last time, so the warning is given once. */
  private listingError: string | undefined;

  constructor(
    private readonly ssc: StreamingContext,
    private readonly directory: string,
    private readonly read: (path: string) => T[] | Promise<T[]>,
  ) {
    this.createdAt = ssc.clock.now();
  }

  slideMs(): number {
    return this.ssc.batchMs;
  }

  /** Files stay eligible this long (by modification time), so the files taken in that span must be remembered. */
  planMemoryMs(): number {
    return this.rememberMs();
  }

  private rememberMs(): number {
    const b = this.ssc.batchMs;
    return b * Math.ceil(60_000 / b);
  }

  /** The new files for batch `time`, in name order. */
  findNewFiles(time: number): string[] {
    const threshold = Math.max(this.createdAt, time - this.rememberMs());
    for (const [path, t] of this.taken) if (t < threshold) this.taken.delete(path);
    let names: string[];
    try {
      names = readdirSync(this.directory);
      this.listingError = undefined;
    } catch (err) {
      // as Spark: warn (once per kind of failure) and keep polling; a missing directory may appear later
      const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      if (this.listingError !== code) {
        const why = code === "ENOENT" ? "does not exist (yet)" : `cannot be listed (${(err as Error).message})`;
        log.warn(`the directory ${this.directory} of a file stream ${why}; the stream keeps looking every batch`);
      }
      this.listingError = code;
      return [];
    }
    const found: string[] = [];
    for (const name of names.sort()) {
      if (isHiddenName(name) || TEMPORARY.test(name)) continue;
      const path = join(this.directory, name);
      let st;
      try {
        st = statSync(path);
      } catch {
        continue; // removed between listing and stat
      }
      if (!st.isFile() || this.taken.has(path)) continue;
      const mtime = st.mtimeMs;
      if (mtime > threshold && mtime <= time) found.push(path);
    }
    for (const path of found) this.taken.set(path, time);
    return found;
  }

  plan(time: number): string[] {
    const files = this.findNewFiles(time);
    this.planned.set(time, files);
    for (const t of this.planned.keys()) if (t < time - this.rememberMs()) this.planned.delete(t);
    return files;
  }

  resumeState(): { createdAt: number } {
    return { createdAt: this.createdAt };
  }

  restorePlans(plans: ReadonlyMap<number, unknown>, resume: unknown): void {
    const createdAt = (resume as { createdAt?: number } | undefined)?.createdAt;
    if (typeof createdAt === "number") this.createdAt = createdAt;
    for (const [t, files] of plans) {
      this.planned.set(t, files as string[]);
      for (const f of files as string[]) this.taken.set(f, t);
    }
  }

  describe(): string {
    return `dir=${this.directory}`;
  }

  recordsIn(time: number): number | undefined {
    return this.counted.get(time);
  }

  compute(time: number): RDD<T> {
    const files = this.planned.get(time) ?? this.findNewFiles(time);
    // the files are read when the batch's job runs, one partition per file
    const read = async () => {
      const parts = await Promise.all(files.map((path) => this.read(path)));
      this.counted.set(
        time,
        parts.reduce((n, p) => n + p.length, 0),
      );
      for (const t of this.counted.keys()) if (t < time - this.rememberMs()) this.counted.delete(t);
      return parts;
    };
    return new RDD(
      this.ssc.sparkContext,
      new PreparedNode(read, Math.max(1, files.length), `files of ${this.directory} at ${time}`, "FileBatchRDD"),
    );
  }
}

/** All lines of a UTF-8 text file. */
export function readTextLines(path: string): string[] {
  const lines: string[] = [];
  readLines(path, 0, Number.MAX_SAFE_INTEGER, (l) => lines.push(l));
  return lines;
}

/** A file cut into records of `recordLength` bytes; a size that is not a multiple is an error. */
export function readBinaryRecords(path: string, recordLength: number): Uint8Array[] {
  const bytes = readFileSync(path);
  if (bytes.length % recordLength !== 0) {
    throw new IllegalArgumentError(
      `file ${path} has ${bytes.length} bytes, not a multiple of the record length ${recordLength}`,
    );
  }
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += recordLength) out.push(new Uint8Array(bytes.subarray(i, i + recordLength)));
  return out;
}
