// Local files for data that does not fit the memory budget: shuffle outputs and sorted runs of
// reduce-side maps. One folder per context, removed when the context stops (and at exit).
import { closeSync, mkdtempSync, openSync, readSync, rmSync, unlinkSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deserialize, serialize } from "node:v8";

const live = new Set<SpillDir>();
let exitHook = false;

/** Where one context's spill files go: made on first use, removed by `remove()` or at exit. */
export class SpillDir {
  private path: string | undefined;
  private next = 0;

  constructor(private readonly parent: string = tmpdir()) {}

  /** A new file's path (the folder is made on first use). */
  newFile(prefix: string): string {
    if (!this.path) {
      this.path = mkdtempSync(join(this.parent, `sluice-spill-${process.pid}-`));
      live.add(this);
      if (!exitHook) {
        exitHook = true;
        // a process ending without stop() (an error, process.exit) leaves no files behind
        process.once("exit", () => {
          for (const dir of live) dir.remove();
        });
      }
    }
    return join(this.path, `${prefix}-${this.next++}.bin`);
  }

  /** The folder, when anything was spilled. */
  get folder(): string | undefined {
    return this.path;
  }

  /** Removes every file and the folder. */
  remove(): void {
    if (!this.path) return;
    rmSync(this.path, { recursive: true, force: true });
    this.path = undefined;
    live.delete(this);
  }
}

/** A place in a spill file: where a serialized chunk starts and how long it is. */
export type Extent = readonly [offset: number, length: number];

/** Appends serialized chunks to one file and says where each landed. */
export class ChunkWriter {
  private readonly fd: number;
  private offset = 0;
  /** Bytes written so far. */
  get size(): number {
    return this.offset;
  }

  constructor(readonly path: string) {
    this.fd = openSync(path, "w");
  }

  write(value: unknown): Extent {
    const bytes = serialize(value);
    let done = 0;
    while (done < bytes.length) done += writeSync(this.fd, bytes, done, bytes.length - done);
    const extent: Extent = [this.offset, bytes.length];
    this.offset += bytes.length;
    return extent;
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** Reads one chunk back. */
export function readChunk(path: string, [offset, length]: Extent): unknown {
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.allocUnsafe(length);
    let done = 0;
    while (done < length) {
      const n = readSync(fd, buf, done, length - done, offset + done);
      if (n === 0) throw new Error(`spill file ${path} ends before its chunk at ${offset} (${length} bytes)`);
      done += n;
    }
    return deserialize(buf);
  } finally {
    closeSync(fd);
  }
}

/** Deletes a spill file, if it is still there. */
export function deleteSpill(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone (its folder was removed)
  }
}
