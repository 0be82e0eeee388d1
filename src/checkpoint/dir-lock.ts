import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { log } from "../util/log.js";
import { CheckpointError } from "./errors.js";
import type { FsPort } from "./fs-port.js";

/** Who holds a checkpoint directory: a process on a host, told from a later process with the same pid. */
export interface LockOwner {
  readonly host: string;
  readonly pid: number;
  /** The process's start (boot id and start time, from /proc), or "" where the system does not say. */
  readonly start: string;
  /** When it took the lock (for messages). */
  readonly since: string;
}

/** A process's start as /proc tells it (Linux), or "" elsewhere: with the boot id, no two processes share it. */
function processStart(pid: number | "self"): { start: string; zombie: boolean } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" "); // after "pid (comm) ": state is field 3
    const boot = readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
    return { start: `${boot}:${fields[19]}`, zombie: fields[0] === "Z" };
  } catch {
    return undefined;
  }
}

/** This process, as a lock owner. */
export function currentOwner(): LockOwner {
  return {
    host: hostname(),
    pid: process.pid,
    start: processStart("self")?.start ?? "",
    since: new Date().toISOString(),
  };
}

/** Whether `o` still runs: a zombie, a dead pid or a pid now used by another process is dead. */
export function ownerAlive(o: LockOwner): boolean {
  if (o.host !== hostname()) return true; // another host's process cannot be checked from here
  const proc = processStart(o.pid);
  if (proc) return !proc.zombie && (o.start === "" || proc.start === o.start);
  try {
    process.kill(o.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

const sameOwner = (a: LockOwner, b: LockOwner) => a.host === b.host && a.pid === b.pid && a.start === b.start;

function parseOwner(text: string): LockOwner | undefined {
  try {
    const o = JSON.parse(text) as Partial<LockOwner>;
    if (typeof o.host === "string" && typeof o.pid === "number") {
      return { host: o.host, pid: o.pid, start: o.start ?? "", since: o.since ?? "" };
    }
  } catch {
    const pid = Number(text.trim()); // a lock written by an earlier Sluice: its pid alone
    if (Number.isInteger(pid) && pid > 0) return { host: hostname(), pid, start: "", since: "" };
  }
  return undefined;
}

/** Blocks the thread for `ms` (startup only: `start()` is synchronous, as Spark's). */
function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * One job per checkpoint directory: the `lock` file is created exclusively (atomic: of two
 * processes started together one gets it), names its owner by host, pid and process start,
 * and is taken over when that owner is dead (killed, a zombie, or its pid reused). A holder
 * that looks alive is waited for up to `waitMs`, then refused with `SLUICE_E_LOCKED` naming it.
 */
export class DirLock {
  private readonly me = currentOwner();

  constructor(
    private readonly path: string,
    private readonly fs: FsPort,
    private readonly waitMs: number,
  ) {}

  acquire(): void {
    const deadline = Date.now() + this.waitMs;
    for (;;) {
      if (this.fs.createExclusiveSync(this.path, JSON.stringify(this.me))) return;
      const text = this.read();
      const holder = text === undefined ? undefined : parseOwner(text);
      if (holder && sameOwner(holder, this.me)) return;
      if (text !== undefined && (!holder || !ownerAlive(holder))) {
        this.takeOver(text, holder);
        continue;
      }
      if (holder && Date.now() >= deadline) {
        const since = holder.since ? ` since ${holder.since}` : "";
        throw new CheckpointError(
          "SLUICE_E_LOCKED",
          `checkpoint directory ${this.path.replace(/\/lock$/, "")} is in use by process ${holder.pid} on ` +
            `${holder.host}${since} (waited ${this.waitMs / 1000} s); one job per directory. Stop that job, or ` +
            `remove ${this.path} if it is gone (spark.sluice.checkpoint.lockWaitSeconds sets the wait)`,
        );
      }
      sleepSync(100);
    }
  }

  /** Moves a dead owner's lock aside; if another process replaced it meanwhile, puts theirs back. */
  private takeOver(judged: string, holder: LockOwner | undefined): void {
    const aside = `${this.path}.stale-${process.pid}-${Date.now()}`;
    try {
      this.fs.renameSync(this.path, aside);
    } catch {
      return; // gone already: try to create it again
    }
    let moved: string | undefined;
    try {
      moved = this.fs.readFileSync(aside).toString("utf8");
    } catch {
      moved = undefined;
    }
    if (moved !== judged && !this.fs.linkSync(aside, this.path)) {
      log.warn(`checkpoint lock ${this.path} changed hands while it was taken over; checking again`);
    }
    this.fs.rmSync(aside);
    if (moved === judged) {
      const who = holder ? `process ${holder.pid} on ${holder.host}` : "an unreadable owner";
      log.warn(`checkpoint lock ${this.path} was held by ${who}, which is no longer running: taking it over`);
    }
  }

  private read(): string | undefined {
    try {
      return this.fs.readFileSync(this.path).toString("utf8");
    } catch {
      return undefined;
    }
  }

  /** Releases the lock if this process holds it. */
  release(): void {
    const holder = parseOwner(this.read() ?? "");
    if (holder && sameOwner(holder, this.me)) this.fs.rmSync(this.path);
  }
}
