// A file-system port for the kill -9, full-disk and fsync tests: it kills the process at a named
// step of a batch, or fails writes or fsyncs, as the test's child job asks through its environment
// (test code reads it; the engine only sees an FsPort).
import { existsSync, readFileSync, renameSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { appendFile } from "node:fs/promises";
import { basename, dirname } from "node:path";
import { NodeFs, type AppendHandle, type FsPort } from "../../src/checkpoint/fs-port.js";

/** The steps a batch of a checkpointed job passes, in order, where `SLUICE_CRASH_AT=<step>:<n>` kills it. */
export const CRASH_POINTS = [
  "after-offsets",
  "mid-output",
  "before-commit",
  "after-tmp-write",
  "after-rename",
  "after-commit",
] as const;
/** A receiver's write-ahead log append, killed after half its frame was written. */
export type CrashPoint = (typeof CRASH_POINTS)[number] | "mid-wal-append";

/** What fails: `enospc`/`eio` every write from the N-th on; `eio-sync` every fsync from the N-th on, `eio-sync-once` the N-th only. */
export interface Fault {
  readonly kind: "enospc" | "eio" | "eio-sync" | "eio-sync-once";
  readonly at: number;
  /** Only files under a folder of this name count (`wal`, `offsets`, `state`…). */
  readonly only?: string;
}

const failure = (code: string, what: string): NodeJS.ErrnoException =>
  Object.assign(new Error(`${code}: injected fault, ${what}`), { code });

/** Node's file system, with a crash point and a fault. */
export class FaultFs extends NodeFs {
  private seen = 0;
  private writes = 0;
  private syncs = 0;

  constructor(
    private readonly crash: { point: CrashPoint; nth: number } | undefined,
    private fault: Fault | undefined,
  ) {
    super();
  }

  /** From now on, the `k`-th write and every later one fail with EIO (a crash in process: the job stops there). */
  failFrom(k: number): void {
    this.fault = { kind: "eio", at: this.writes + k };
  }

  private reach(point: CrashPoint): void {
    if (this.crash?.point !== point) return;
    if (++this.seen === this.crash.nth) this.die();
  }

  /** The crash: the process is killed (a power loss undoes what was not durable first). */
  protected die(): void {
    process.kill(process.pid, "SIGKILL");
  }

  /** Throws the injected write fault, if this write is one it hits. */
  private write(path: string): void {
    this.writes++;
    const f = this.fault;
    if (f && (f.kind === "enospc" || f.kind === "eio") && this.writes >= f.at) {
      throw failure(f.kind.toUpperCase(), `write ${this.writes}, '${path}'`);
    }
  }

  /** Throws the injected fsync fault, if this fsync is one it hits. */
  private sync(path: string): void {
    const f = this.fault;
    if (f?.only && !path.includes(`/${f.only}/`)) return;
    this.syncs++;
    const hit = f?.kind === "eio-sync" ? this.syncs >= f.at : f?.kind === "eio-sync-once" && this.syncs === f.at;
    if (hit) throw failure("EIO", `fsync ${this.syncs}, '${path}'`);
  }

  override async writeNewFile(path: string, data: Uint8Array): Promise<void> {
    this.write(path);
    if (path.includes("/commits/")) this.reach("before-commit");
    if (this.fault?.kind.startsWith("eio-sync")) {
      // the data reaches the file, its fsync fails: the file's state is then unknown
      writeFileSync(path, data, { flag: "wx" });
      this.sync(path);
    } else await super.writeNewFile(path, data);
    this.reach("after-tmp-write");
  }

  override async rename(from: string, to: string): Promise<void> {
    const output = basename(from).startsWith("."); // saveAtomically's hidden temporary directory
    if (output) this.reach("mid-output");
    await super.rename(from, to);
    if (!output) this.reach("after-rename");
  }

  override async syncDir(dir: string): Promise<void> {
    await super.syncDir(dir);
    if (dir.endsWith("/offsets")) this.reach("after-offsets");
    if (dir.endsWith("/commits")) this.reach("after-commit");
  }

  override async openForAppend(path: string): Promise<AppendHandle> {
    const inner = await super.openForAppend(path);
    return {
      write: async (data) => {
        this.write(path);
        if (this.crash?.point === "mid-wal-append" && this.seen + 1 === this.crash.nth) {
          await appendFile(path, data.subarray(0, data.length >> 1)); // a torn frame
        }
        this.reach("mid-wal-append");
        await inner.write(data);
      },
      sync: async () => {
        this.sync(path);
        await inner.sync();
      },
      close: () => inner.close(),
    };
  }
}

/**
 * A page cache that loses power: what was not made durable is undone when `loseUnsynced()` runs
 * (then the process is killed). A new file or a rename lasts only once its directory was fsynced;
 * appended bytes only up to the file's last fsync. (Removals count as done at once.)
 */
export class PowerLossFs extends FaultFs {
  /** Files whose directory entry is not durable yet. */
  private readonly created = new Set<string>();
  /** Renames not durable yet, oldest first, with what the target held before. */
  private readonly renames: { from: string; to: string; replaced: Buffer | undefined }[] = [];
  /** Append files: their durable length. */
  private readonly synced = new Map<string, number>();

  constructor(crash?: { point: CrashPoint; nth: number }) {
    super(crash, undefined);
  }

  protected override die(): void {
    const undone = this.loseUnsynced();
    process.stderr.write(`power loss: undid ${JSON.stringify(undone)}\n`);
    super.die();
  }

  override async writeNewFile(path: string, data: Uint8Array): Promise<void> {
    await super.writeNewFile(path, data);
    this.created.add(path);
  }

  override async rename(from: string, to: string): Promise<void> {
    let replaced: Buffer | undefined;
    try {
      replaced = readFileSync(to);
    } catch {
      replaced = undefined;
    }
    await super.rename(from, to);
    this.renames.push({ from, to, replaced });
  }

  override async syncDir(dir: string): Promise<void> {
    await super.syncDir(dir);
    for (const p of this.created) if (dirname(p) === dir) this.created.delete(p);
    for (let i = this.renames.length - 1; i >= 0; i--) {
      if (dirname(this.renames[i]!.to) === dir) this.renames.splice(i, 1);
    }
  }

  override async openForAppend(path: string): Promise<AppendHandle> {
    if (!existsSync(path)) this.created.add(path);
    const inner = await super.openForAppend(path);
    if (!this.synced.has(path)) this.synced.set(path, statSync(path).size);
    return {
      write: (data) => inner.write(data),
      sync: async () => {
        await inner.sync();
        this.synced.set(path, statSync(path).size);
      },
      close: () => inner.close(),
    };
  }

  /** Undoes what a power loss would have lost: unsynced appends, renames and new files, newest first. */
  loseUnsynced(): { appends: number; renames: number; files: number } {
    let appends = 0;
    for (const [path, size] of this.synced) {
      try {
        if (statSync(path).size > size) (truncateSync(path, size), appends++);
      } catch {
        // gone already
      }
    }
    const undone = { appends, renames: this.renames.length, files: this.created.size };
    for (const { from, to, replaced } of this.renames.reverse()) {
      try {
        renameSync(to, from);
        if (replaced) writeFileSync(to, replaced);
      } catch {
        // the target was moved on since: leave it
      }
    }
    for (const p of this.created) rmSync(p, { recursive: true, force: true });
    return undone;
  }
}

/** The port `SLUICE_CRASH_AT=<point>:<n>` and `SLUICE_FAULT_FS=<kind>@N[:folder]` ask for, if any. */
export function faultFsFromEnv(env: NodeJS.ProcessEnv = process.env): FsPort | undefined {
  const power = /^([a-z-]+):(\d+)$/.exec(env.SLUICE_POWER_LOSS_AT ?? "");
  if (power) return new PowerLossFs({ point: power[1] as CrashPoint, nth: Number(power[2]) });
  const c = /^([a-z-]+):(\d+)$/.exec(env.SLUICE_CRASH_AT ?? "");
  const f = /^(enospc|eio|eio-sync|eio-sync-once)@(\d+)(?::([a-z]+))?$/i.exec(env.SLUICE_FAULT_FS ?? "");
  if (!c && !f) return undefined;
  const crash = c ? { point: c[1] as CrashPoint, nth: Number(c[2]) } : undefined;
  const fault = f ? { kind: f[1]!.toLowerCase() as Fault["kind"], at: Number(f[2]), only: f[3] } : undefined;
  return new FaultFs(crash, fault);
}
