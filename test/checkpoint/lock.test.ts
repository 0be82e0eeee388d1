import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import { CheckpointManager } from "../../src/checkpoint/checkpoint-manager.js";
import { CheckpointError } from "../../src/checkpoint/errors.js";
import { currentOwner, ownerAlive } from "../../src/checkpoint/dir-lock.js";
import { tempDir } from "../helpers/context.js";

const run = promisify(execFile);
const linux = process.platform === "linux";

/** A lock file naming `pid`, with `start` as its process start. */
function lockFile(dir: string, pid: number, start: string): void {
  writeFileSync(join(dir, "lock"), JSON.stringify({ host: hostname(), pid, start, since: "earlier" }));
}

test("the lock is taken over from a zombie (killed, not yet reaped) and from a pid now used by another process", async (t) => {
  if (!linux) return t.skip("reads /proc");
  // a zombie: `true` exits at once, and its parent (exec'd into sleep) never reaps it
  const shell = spawn("sh", ["-c", "true & echo $!; exec sleep 3"], { stdio: ["ignore", "pipe", "ignore"] });
  const pid = Number(await new Promise<string>((r) => shell.stdout.once("data", (d) => r(String(d)))));
  try {
    await new Promise((r) => setTimeout(r, 100)); // let it exit
    const dir = tempDir("sluice-lock-zombie-");
    lockFile(dir, pid, "");
    assert.equal(ownerAlive({ host: hostname(), pid, start: "", since: "" }), false, "a zombie is dead");
    const m = new CheckpointManager(dir, undefined, 0);
    m.open();
    m.close();
  } finally {
    shell.kill();
  }
  // a live pid whose process started at another time than the lock says: the pid was reused
  const dir = tempDir("sluice-lock-reused-");
  lockFile(dir, process.ppid, "another-boot:123");
  const m = new CheckpointManager(dir, undefined, 0);
  m.open();
  m.close();
});

test("a live holder is waited for, then refused with SLUICE_E_LOCKED naming its pid and host", async () => {
  const other = tempDir("sluice-lock-live-");
  const sleeper = spawn("sleep", ["5"]);
  try {
    writeFileSync(
      join(other, "lock"),
      JSON.stringify({ host: hostname(), pid: sleeper.pid, start: "", since: "then" }),
    );
    assert.throws(
      () => new CheckpointManager(other, undefined, 200).open(),
      (e: unknown) => {
        assert.ok(e instanceof CheckpointError);
        assert.equal(e.code, "SLUICE_E_LOCKED");
        assert.match(e.message, new RegExp(`in use by process ${sleeper.pid} on ${hostname()} since then`));
        return true;
      },
    );
  } finally {
    sleeper.kill();
  }
  // this process's own lock is its own: opening again takes it, closing frees it
  const dir = tempDir("sluice-lock-own-");
  const m = new CheckpointManager(dir, undefined, 0);
  m.open();
  assert.equal(JSON.parse(readFileSync(join(dir, "lock"), "utf8")).pid, currentOwner().pid);
  new CheckpointManager(dir, undefined, 0).open();
  m.close();
  assert.equal(existsSync(join(dir, "lock")), false);
});

test("two processes started together never both get the lock", async () => {
  for (let trial = 0; trial < 8; trial++) {
    const dir = tempDir("sluice-lock-race-");
    const child = () => run(process.execPath, ["--import", "tsx", "test/checkpoint/lock-child.ts", dir, "500"]);
    const outs = await Promise.all([child(), child()]);
    const locked = outs.filter((o) => o.stdout.startsWith("locked")).length;
    assert.equal(locked, 1, `trial ${trial}: ${outs.map((o) => o.stdout.trim()).join(" | ")}`);
  }
});
