import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { appendFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { test } from "node:test";
import { WriteAheadLog } from "../../src/checkpoint/wal.js";
import { CheckpointError } from "../../src/checkpoint/errors.js";
import { tempDir } from "../helpers/context.js";
import { FaultFs } from "../helpers/fault-fs.js";

test("the WAL reads back what it appended, cuts a torn tail, and refuses mid-file corruption", async () => {
  const dir = join(tempDir("sluice-wal-"), "wal");
  const wal = new WriteAheadLog(dir);
  const a = await wal.append(["one", "two"]);
  const b = await wal.append([{ k: 1 }]);
  await wal.close();
  const file = join(dir, readdirSync(dir)[0]!);
  appendFileSync(file, Buffer.from([9, 0, 0, 0, 1, 2, 3])); // a torn frame
  const reopened = new WriteAheadLog(dir);
  assert.deepEqual(reopened.read(a), ["one", "two"]);
  assert.deepEqual(reopened.read(b), [{ k: 1 }]);
  assert.deepEqual(
    reopened.blocksAfter(0).map((r) => r.seq),
    [1, 2],
  );
  assert.equal(readFileSync(file).length, b.offset + b.length, "the torn tail was cut off");
  const c = await reopened.append(["three"]);
  assert.equal(c.seq, 3);
  await reopened.close();
  const bytes = readFileSync(file);
  bytes[a.offset + 20]! ^= 0xff; // damage the first block; valid frames follow
  writeFileSync(file, bytes);
  assert.throws(
    () => new WriteAheadLog(dir),
    (e: unknown) =>
      e instanceof CheckpointError &&
      /SLUICE_E_WAL_CORRUPT: .*\.wal has a damaged frame at byte 0 followed by more data/.test(e.message),
  );
});

test("a failed fsync poisons the write-ahead log: that append and every later one fail with SLUICE_E_FSYNC; a restart reads every block", async () => {
  const dir = join(tempDir("sluice-wal-eio-"), "wal");
  const wal = new WriteAheadLog(dir, new FaultFs(undefined, { kind: "eio-sync-once", at: 3 }));
  const a = await wal.append(["a"]);
  const b = await wal.append(["b"]);
  const refused = (e: unknown) =>
    e instanceof CheckpointError &&
    e.code === "SLUICE_E_FSYNC" &&
    /takes no more blocks until the job restarts/.test(e.message);
  await assert.rejects(wal.append(["c"]), refused);
  // the next fsync would succeed, but the file's state after a failed one is unknown: no success is reported again
  await assert.rejects(wal.append(["d"]), refused);
  await wal.close();
  const reopened = new WriteAheadLog(dir);
  assert.deepEqual(reopened.read(a), ["a"]);
  assert.deepEqual(reopened.read(b), ["b"]);
  // the block whose fsync failed may or may not be there: never acknowledged, its source sends it again
  assert.ok(reopened.blocksAfter(0).length >= 2);
  await reopened.close();
});

/**
 * Runs the WAL job once; SIGKILL after `killAfterMs`, or SIGINT once the broker is empty and a later batch committed.
 */
function runWalJob(
  root: string,
  killAfterMs?: number,
  env: Record<string, string> = {},
): Promise<{ signal: NodeJS.Signals | null; code: number | null; stderr: string }> {
  const child = spawn(
    process.execPath,
    [
      resolve("bin/sluice.js"),
      "submit",
      "--master",
      "local[1]",
      resolve("test/reliability/wal-job.ts"),
      join(root, "ck"),
      join(root, "broker"),
      join(root, "out"),
    ],
    {
      env: { ...process.env, SLUICE_CONF: "", SLUICE_LOG_LEVEL: "ERROR", ...env },
    },
  );
  let stderr = "";
  let interrupted = false;
  child.stderr.on("data", (d: Buffer) => (stderr += d));
  child.stdout.on("data", () => {
    if (killAfterMs === undefined && !interrupted && readdirSync(join(root, "broker")).length === 0) {
      interrupted = true;
      child.kill("SIGINT");
    }
  });
  const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill("SIGKILL"), killAfterMs);
  return new Promise((done) =>
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      done({ code, signal, stderr });
    }),
  );
}

/** A broker directory of `n` messages `m<i>,k<i % 5>,1`; their ids. */
function brokerOf(root: string, n: number): string[] {
  mkdirSync(join(root, "broker"));
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    ids.push(`m${i}`);
    writeFileSync(join(root, "broker", `m-${String(i).padStart(5, "0")}`), `m${i},k${i % 5},1\n`);
  }
  return ids;
}

test("with the receiver WAL on, records acknowledged before a SIGKILL are never lost", async () => {
  const root = tempDir("sluice-wal-kill-");
  const ids = brokerOf(root, 400);
  for (let run = 0; run < 6; run++) {
    const r = await runWalJob(root, 500 + run * 97);
    assert.equal(r.signal, "SIGKILL", r.stderr);
  }
  await assertNoneLost(root, ids);
});

test("a WAL fsync that fails stops the job with SLUICE_E_FSYNC; a kill mid-append leaves a torn frame; after restarts none is lost", async () => {
  const root = tempDir("sluice-wal-fsync-");
  const ids = brokerOf(root, 200);
  const failed = await runWalJob(root, undefined, { SLUICE_FAULT_FS: "eio-sync@4:wal" });
  assert.notEqual(failed.code, 0, "the job stopped");
  assert.match(failed.stderr, /SLUICE_E_FSYNC: I\/O error \(EIO\) writing .*\.wal/);
  assert.ok(readdirSync(join(root, "broker")).length > 0, "what was not logged was not acknowledged");
  const torn = await runWalJob(root, undefined, { SLUICE_CRASH_AT: "mid-wal-append:3" });
  assert.equal(torn.signal, "SIGKILL", torn.stderr);
  await assertNoneLost(root, ids);
});

/** Runs the job to the end: every message acknowledged, every id in the output. */
async function assertNoneLost(root: string, ids: string[]): Promise<void> {
  const final = await runWalJob(root);
  assert.equal(final.code, 0, final.stderr);
  assert.equal(readdirSync(join(root, "broker")).length, 0, "every message was acknowledged");
  const seen = new Map<string, number>();
  for (const d of readdirSync(join(root, "out")).filter((n) => n.startsWith("seen-"))) {
    for (const f of readdirSync(join(root, "out", d)).filter((n) => n.startsWith("part-"))) {
      for (const line of readFileSync(join(root, "out", d, f), "utf8")
        .split("\n")
        .filter(Boolean))
        seen.set(line.split(",")[0]!, (seen.get(line.split(",")[0]!) ?? 0) + 1);
    }
  }
  const lost = ids.filter((id) => !seen.has(id));
  assert.deepEqual(lost, [], `acknowledged records lost: ${lost.length}`);
}
