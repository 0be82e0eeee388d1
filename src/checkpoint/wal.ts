import {
  closeSync,
  ftruncateSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  rmSync,
} from "node:fs";
import { join } from "node:path";
import { deserialize, serialize } from "node:v8";
import { crc32 } from "node:zlib";
import { log } from "../util/log.js";
import { CheckpointError } from "./errors.js";
import { ioError } from "./durable.js";
import { NodeFs, type AppendHandle, type FsPort } from "./fs-port.js";

/** Where one block lies in the log. */
export interface WalRef {
  readonly seq: number;
  readonly segment: number;
  readonly offset: number;
  readonly length: number;
}

const HEADER = 16; // u32 length | u32 crc32 | u64 seq
const SEGMENT_BYTES = 64 * 1024 * 1024;
const segName = (n: number) => `${String(n).padStart(8, "0")}.wal`;

/**
 * A receiver's write-ahead log: blocks of records appended as frames
 * (`length | crc32 | seq | payload`) to 64 MiB segments, each append fsynced before it
 * resolves, so a source may be acknowledged once it does. Opening scans the log: a torn
 * tail (a crash mid-append) is cut off after the last valid frame; a bad frame followed by
 * valid ones is corruption, and an error names the file and offset.
 */
export class WriteAheadLog {
  private readonly blocks: WalRef[] = [];
  private segment = 0;
  private size = 0;
  private nextSeq = 1;
  private chain: Promise<unknown> = Promise.resolve();
  private handle: AppendHandle | undefined;
  /** Set when an append failed: the file's state past the last good frame is unknown, so no later append is trusted. */
  private failure: CheckpointError | undefined;

  constructor(
    readonly dir: string,
    private readonly fs: FsPort = new NodeFs(),
    /**
     * Settles when the checkpoint's metadata is durable: nothing is logged (so nothing a receiver
     * acknowledges after logging it) before, or a crash would leave a log without its metadata.
     */
    gate?: Promise<unknown>,
  ) {
    if (gate) this.chain = gate.catch(() => undefined);
    mkdirSync(dir, { recursive: true });
    const segments = readdirSync(dir)
      .filter((n) => n.endsWith(".wal"))
      .sort();
    for (const name of segments)
      this.scan(Number.parseInt(name, 10), join(dir, name), name === segments[segments.length - 1]);
    if (segments.length > 0) this.segment = Number.parseInt(segments[segments.length - 1]!, 10);
  }

  private scan(segment: number, path: string, last: boolean): void {
    const data = readFileSync(path);
    let pos = 0;
    while (pos < data.length) {
      const valid =
        pos + HEADER <= data.length &&
        (() => {
          const len = data.readUInt32LE(pos);
          return (
            pos + HEADER + len <= data.length &&
            crc32(data.subarray(pos + HEADER, pos + HEADER + len)) === data.readUInt32LE(pos + 4)
          );
        })();
      if (!valid) break;
      const len = data.readUInt32LE(pos);
      const seq = Number(data.readBigUInt64LE(pos + 8));
      this.blocks.push({ seq, segment, offset: pos, length: HEADER + len });
      this.nextSeq = Math.max(this.nextSeq, seq + 1);
      pos += HEADER + len;
    }
    if (pos < data.length) {
      if (!last || this.hasValidFrameAfter(data, pos + 1)) {
        throw new CheckpointError(
          "SLUICE_E_CKPT_CORRUPT",
          `SLUICE_E_WAL_CORRUPT: ${path} has a damaged frame at byte ${pos} followed by more data; received ` +
            `records would be lost. Restore the file or start from a new checkpoint directory`,
        );
      }
      log.warn(
        `SLUICE_W_WAL_TAIL: ${path}: dropped ${data.length - pos} torn bytes after the last valid frame (never ` +
          `acknowledged; a reliable source sends them again)`,
      );
      const fd = openSync(path, "r+");
      try {
        ftruncateSync(fd, pos);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    }
    if (last) this.size = pos;
  }

  private hasValidFrameAfter(data: Buffer, from: number): boolean {
    for (let p = from; p + HEADER <= data.length; p++) {
      const len = data.readUInt32LE(p);
      if (
        len > 0 &&
        p + HEADER + len <= data.length &&
        crc32(data.subarray(p + HEADER, p + HEADER + len)) === data.readUInt32LE(p + 4)
      )
        return true;
    }
    return false;
  }

  /** Appends a block and fsyncs it; resolves with where it lies. Appends run one at a time, in order. */
  append(records: readonly unknown[]): Promise<WalRef> {
    const next = this.chain.then(() => this.write(records));
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async write(records: readonly unknown[]): Promise<WalRef> {
    if (this.failure) throw this.failure;
    const payload = serialize(records);
    const frame = Buffer.allocUnsafe(HEADER + payload.length);
    frame.writeUInt32LE(payload.length, 0);
    frame.writeUInt32LE(crc32(payload), 4);
    const seq = this.nextSeq++;
    frame.writeBigUInt64LE(BigInt(seq), 8);
    payload.copy(frame, HEADER);
    if (this.size + frame.length > SEGMENT_BYTES && this.size > 0) {
      await this.handle?.close();
      this.handle = undefined;
      this.segment++;
      this.size = 0;
    }
    const path = join(this.dir, segName(this.segment));
    try {
      if (!this.handle) {
        const created = this.size === 0;
        this.handle = await this.fs.openForAppend(path);
        // a new segment's name must be durable too, or a power loss could take the whole file
        if (created) await this.fs.syncDir(this.dir);
      }
      await this.handle.write(frame);
      await this.handle.sync();
    } catch (err) {
      // after a failed write or fsync the kernel may have dropped what it held: never append
      // (or report success) on this file again; a restart scans it and cuts a torn tail
      const failed = ioError(err, path, "write-ahead log block");
      this.failure = new CheckpointError(
        failed.code,
        `${failed.message}; the write-ahead log takes no more blocks until the job restarts`,
        { cause: err },
      );
      void this.handle?.close().catch(() => undefined);
      this.handle = undefined;
      throw this.failure;
    }
    const ref = { seq, segment: this.segment, offset: this.size, length: frame.length };
    this.size += frame.length;
    this.blocks.push(ref);
    return ref;
  }

  /** The records of a block. */
  read(ref: WalRef): unknown[] {
    const path = join(this.dir, segName(ref.segment));
    const buf = Buffer.allocUnsafe(ref.length);
    let fd: number;
    try {
      fd = openSync(path, "r");
    } catch (err) {
      throw new CheckpointError(
        "SLUICE_E_CKPT_CORRUPT",
        `SLUICE_E_WAL_CORRUPT: ${path} is missing, but a logged batch needs block ${ref.seq} from it`,
        { cause: err },
      );
    }
    try {
      readSync(fd, buf, 0, ref.length, ref.offset);
    } finally {
      closeSync(fd);
    }
    const payload = buf.subarray(HEADER);
    if (crc32(payload) !== buf.readUInt32LE(4) || Number(buf.readBigUInt64LE(8)) !== ref.seq) {
      throw new CheckpointError(
        "SLUICE_E_CKPT_CORRUPT",
        `SLUICE_E_WAL_CORRUPT: ${path} block ${ref.seq} at byte ${ref.offset} is damaged`,
      );
    }
    return deserialize(payload) as unknown[];
  }

  /** Blocks with a sequence number above `seq`, in order (received but not yet given to a batch). */
  blocksAfter(seq: number): WalRef[] {
    return this.blocks.filter((b) => b.seq > seq);
  }

  /** Deletes whole segments whose blocks all have a sequence number below `seq`. */
  async deleteBelow(seq: number): Promise<void> {
    const bySegment = new Map<number, number>();
    for (const b of this.blocks) bySegment.set(b.segment, Math.max(bySegment.get(b.segment) ?? 0, b.seq));
    for (const [segment, maxSeq] of bySegment) {
      if (segment !== this.segment && maxSeq < seq) {
        rmSync(join(this.dir, segName(segment)), { force: true });
        for (let i = this.blocks.length - 1; i >= 0; i--)
          if (this.blocks[i]!.segment === segment) this.blocks.splice(i, 1);
      }
    }
  }

  /** Waits for pending appends, then closes the segment. */
  async close(): Promise<void> {
    await this.chain;
    await this.handle?.close();
    this.handle = undefined;
  }
}
