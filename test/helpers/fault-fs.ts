// A file-system port for the kill -9 and full-disk tests: it kills the process at a named step
// of a batch, or fails writes from the N-th one on, as the test's child job asks through its
// environment (test code reads it; the engine only sees an FsPort).
import { basename } from "node:path";
import { NodeFs, type FsPort } from "../../src/checkpoint/fs-port.js";

/** The steps a batch passes, in batch order, where `SLUICE_CRASH_AT=<step>:<n>` kills the job. */
export const CRASH_POINTS = [
  "after-offsets",
  "mid-output",
  "before-commit",
  "after-tmp-write",
  "after-rename",
  "after-commit",
] as const;
export type CrashPoint = (typeof CRASH_POINTS)[number];

/** Node's file system, with a crash point and a write fault. */
export class FaultFs extends NodeFs {
  private seen = 0;
  private writes = 0;

  constructor(
    private readonly crash: { point: CrashPoint; nth: number } | undefined,
    private readonly fault: { code: string; at: number } | undefined,
  ) {
    super();
  }

  private reach(point: CrashPoint): void {
    if (this.crash?.point !== point) return;
    if (++this.seen === this.crash.nth) process.kill(process.pid, "SIGKILL");
  }

  override async writeNewFile(path: string, data: Uint8Array): Promise<void> {
    this.writes++;
    if (this.fault && this.writes >= this.fault.at) {
      const err: NodeJS.ErrnoException = new Error(
        `${this.fault.code}: injected fault, write ${this.writes}, '${path}'`,
      );
      err.code = this.fault.code;
      throw err;
    }
    if (path.includes("/commits/")) this.reach("before-commit");
    await super.writeNewFile(path, data);
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
}

/** The port `SLUICE_CRASH_AT=<point>:<n>` and `SLUICE_FAULT_FS=enospc@N` (or `eio@N`) ask for, if any. */
export function faultFsFromEnv(env: NodeJS.ProcessEnv = process.env): FsPort | undefined {
  const c = /^([a-z-]+):(\d+)$/.exec(env.SLUICE_CRASH_AT ?? "");
  const f = /^(enospc|eio)@(\d+)$/i.exec(env.SLUICE_FAULT_FS ?? "");
  if (!c && !f) return undefined;
  const crash = c ? { point: c[1] as CrashPoint, nth: Number(c[2]) } : undefined;
  return new FaultFs(crash, f ? { code: f[1]!.toUpperCase(), at: Number(f[2]) } : undefined);
}
