// A file-system port for the kill -9, full-disk and fsync tests: it kills the process at a named
// step of a batch, or fails writes or fsyncs, as the test's child job asks through its environment
// (test code reads it; the engine only sees an FsPort).
import { writeFileSync } from "node:fs";
import { appendFile } from "node:fs/promises";
import { basename } from "node:path";
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
    private readonly fault: Fault | undefined,
  ) {
    super();
  }

  private reach(point: CrashPoint): void {
    if (this.crash?.point !== point) return;
    if (++this.seen === this.crash.nth) process.kill(process.pid, "SIGKILL");
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

/** The port `SLUICE_CRASH_AT=<point>:<n>` and `SLUICE_FAULT_FS=<kind>@N[:folder]` ask for, if any. */
export function faultFsFromEnv(env: NodeJS.ProcessEnv = process.env): FsPort | undefined {
  const c = /^([a-z-]+):(\d+)$/.exec(env.SLUICE_CRASH_AT ?? "");
  const f = /^(enospc|eio|eio-sync|eio-sync-once)@(\d+)(?::([a-z]+))?$/i.exec(env.SLUICE_FAULT_FS ?? "");
  if (!c && !f) return undefined;
  const crash = c ? { point: c[1] as CrashPoint, nth: Number(c[2]) } : undefined;
  const fault = f ? { kind: f[1]!.toLowerCase() as Fault["kind"], at: Number(f[2]), only: f[3] } : undefined;
  return new FaultFs(crash, fault);
}
