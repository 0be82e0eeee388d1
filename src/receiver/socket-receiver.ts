import { Socket } from "node:net";
import { log } from "../util/log.js";
import { strictUtf8 } from "../util/utf8.js";
import { Receiver } from "./receiver.js";

/** The longest line a socket stream takes by default (`spark.sluice.maxRecordBytes`). */
export const DEFAULT_MAX_RECORD_BYTES = 64 * 1024 * 1024;

const lenient = new TextDecoder("utf-8");

/**
 * `socketTextStream`: connects to `host:port` as a TCP client and stores each UTF-8,
 * `\n`-terminated line (without `\n` or a trailing `\r`). When the connection fails or the
 * peer closes it, the receiver restarts after the restart delay and connects again.
 */
export class SocketReceiver extends Receiver<string> {
  private socket: Socket | undefined;
  /** Lines longer than the limit, dropped (with a warning naming the first one's position). */
  get oversizeRecords(): number {
    return this.recordProblems.get("oversize") ?? 0;
  }

  /** Lines that were not valid UTF-8, stored with U+FFFD in place of the bad bytes. */
  get invalidUtf8Records(): number {
    return this.recordProblems.get("invalidUtf8") ?? 0;
  }

  constructor(
    readonly host: string,
    readonly port: number,
    readonly maxRecordBytes = DEFAULT_MAX_RECORD_BYTES,
  ) {
    super();
  }

  override describe(): string {
    return `socketTextStream ${this.host}:${this.port}`;
  }

  onStart(): void {
    const socket = new Socket();
    this.socket = socket;
    // the current line's bytes so far, in the chunks they came in: each byte is looked at once
    let parts: Buffer[] = [];
    let partBytes = 0;
    let skipping = false; // the current line went over the limit: its bytes are dropped up to its newline
    let offset = 0; // bytes of this connection before the current chunk
    let lineStart = 0;
    let connected = false;
    const endLine = (tail: Buffer) => {
      if (!skipping) this.storeLine(parts.length === 0 ? tail : Buffer.concat([...parts, tail]));
      parts = [];
      partBytes = 0;
      skipping = false;
    };
    const overLimit = () => {
      if (this.countProblem("oversize")) {
        log.warn(
          `${this.describe()}: a line at byte ${lineStart} of the connection is longer than ` +
            `${this.maxRecordBytes} bytes (spark.sluice.maxRecordBytes); such lines are dropped and counted`,
        );
      }
      parts = [];
      partBytes = 0;
      skipping = true;
    };
    socket.on("connect", () => {
      connected = true;
    });
    socket.on("data", (chunk: Buffer) => {
      let from = 0;
      const last = chunk.lastIndexOf(10);
      for (let nl = chunk.indexOf(10); nl !== -1; nl = chunk.indexOf(10, from)) {
        if (!skipping && partBytes + (nl - from) > this.maxRecordBytes) overLimit();
        endLine(chunk.subarray(from, nl));
        from = nl + 1;
        lineStart = offset + from;
        // the complete lines after the first: decoded at once (one decode per chunk, not per line)
        if (nl !== last && this.storeLines(chunk.subarray(from, last))) {
          from = last + 1;
          lineStart = offset + from;
          break;
        }
      }
      if (from < chunk.length && !skipping) {
        partBytes += chunk.length - from;
        if (partBytes > this.maxRecordBytes) overLimit();
        else parts.push(chunk.subarray(from));
      }
      offset += chunk.length;
    });
    socket.on("end", () => {
      if (this.socket !== socket) return;
      if (partBytes > 0 && !skipping) endLine(Buffer.alloc(0));
      parts = [];
      partBytes = 0;
      this.restart(`Socket data stream from ${this.host}:${this.port} had no more data`);
    });
    socket.on("error", (err: NodeJS.ErrnoException) => {
      if (this.socket !== socket) return;
      const what = connected
        ? `Connection to ${this.host}:${this.port} failed`
        : `Error connecting to ${this.host}:${this.port} (is a server listening there? e.g. nc -lk ${this.port})`;
      this.restart(what, err);
    });
    socket.connect(this.port, this.host);
  }

  /**
   * Stores the `\n`-separated lines of `bytes` (complete lines) with one decode, when they are valid UTF-8 and
   * `bytes` is within the record limit; false (nothing stored) otherwise, for the line-by-line path.
   */
  private storeLines(bytes: Buffer): boolean {
    if (bytes.length > this.maxRecordBytes) return false;
    const text = strictUtf8(bytes);
    if (text === undefined) return false;
    for (let from = 0; ;) {
      const nl = text.indexOf("\n", from);
      const end = nl === -1 ? text.length : nl;
      this.store(text.charCodeAt(end - 1) === 13 && end > from ? text.slice(from, end - 1) : text.slice(from, end));
      if (nl === -1) return true;
      from = nl + 1;
    }
  }

  /** Stores one line (its trailing `\r` dropped); invalid UTF-8 is stored with U+FFFD and counted. */
  private storeLine(bytes: Buffer): void {
    const line = bytes.length > 0 && bytes[bytes.length - 1] === 13 ? bytes.subarray(0, bytes.length - 1) : bytes;
    let text = strictUtf8(line);
    if (text === undefined) {
      text = lenient.decode(line);
      if (this.countProblem("invalidUtf8")) {
        log.warn(`${this.describe()}: a line was not valid UTF-8; its bad bytes were replaced by U+FFFD (counted)`);
      }
    }
    this.store(text);
  }

  /** Over the rate: stop reading; the kernel's buffer fills and TCP pushes back on the sender. */
  override onThrottle(): void {
    this.socket?.pause();
  }

  override onResume(): void {
    this.socket?.resume();
  }

  onStop(): void {
    const socket = this.socket;
    this.socket = undefined;
    socket?.destroy();
  }
}
