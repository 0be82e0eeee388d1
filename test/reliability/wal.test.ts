import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { appendFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { test } from "node:test";
import { WriteAheadLog } from "../../src/checkpoint/wal.js";
import { CheckpointError } from "../../src/checkpoint/errors.js";
import { tempDir } from "../helpers/context.js";

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

/**
 * Runs the WAL job once; SIGKILL after `killAfterMs`, or SIGINT once the broker is empty and a later batch committed.
 */
function runWalJob(
  root: string,
  killAfterMs?: number,
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
      env: { ...process.env, SLUICE_CONF: "", SLUICE_LOG_LEVEL: "ERROR" },
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

test("with the receiver WAL on, records acknowledged before a SIGKILL are never lost", async () => {
  const root = tempDir("sluice-wal-kill-");
  mkdirSync(join(root, "broker"));
  const ids: string[] = [];
  for (let i = 0; i < 400; i++) {
    ids.push(`m${i}`);
    writeFileSync(join(root, "broker", `m-${String(i).padStart(5, "0")}`), `m${i},k${i % 5},1\n`);
  }
  for (let run = 0; run < 6; run++) {
    const r = await runWalJob(root, 500 + run * 97);
    assert.equal(r.signal, "SIGKILL", r.stderr);
  }
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
});
