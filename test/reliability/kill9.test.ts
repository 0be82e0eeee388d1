import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { CRASH_POINTS } from "../helpers/fault-fs.js";
import { tempDir } from "../helpers/context.js";
import { firstRun, makeWorkspace, reconcile, runJob } from "./harness.js";

/** Nothing lost, nothing duplicated, the state equal to the reference fold. */
function assertReconciled(ws: Parameters<typeof reconcile>[0]): void {
  const result = reconcile(ws);
  assert.deepEqual(
    { lost: result.lost, duplicated: result.duplicated, wrongState: result.wrongState },
    { lost: 0, duplicated: 0, wrongState: 0 },
    JSON.stringify(result),
  );
}

const KILLS = Number(process.env.SLUICE_KILL_RUNS ?? 20);

test(`a job killed with SIGKILL ${KILLS} times at random moments loses and duplicates nothing, and its state equals the reference fold`, async () => {
  const ws = makeWorkspace(tempDir("sluice-kill9-"), 60, 25, 150, 7);
  let seed = 12345;
  const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  // frequent snapshots and a short retention make old logs go early: recovery must still know every file it took
  const opts = { snapshotSeconds: 0.3, conf: { "spark.streaming.minBatchesToRetain": "3" } };
  await firstRun(ws, opts);
  for (let i = 0; i < KILLS; i++) {
    const r = await runJob(ws, { ...opts, killAfterMs: 250 + Math.floor(rand() * 1050) }); // some before the first batch is logged
    assert.ok(
      r.signal === "SIGKILL",
      `run ${i} ended by ${r.signal ?? `exit ${r.code}`} instead of the kill:\n${r.stderr}`,
    );
  }
  const final = await runJob(ws, { ...opts, untilCommitted: "input" });
  assert.equal(final.code, 0, final.stderr);
  assertReconciled(ws);
});

test("a power loss at each step of a batch (what was not fsynced undone: new files, renames, appends) loses and duplicates nothing", async () => {
  const ws = makeWorkspace(tempDir("sluice-power-"), 40, 25, 150, 7);
  const opts = { snapshotSeconds: 0.3, conf: { "spark.streaming.minBatchesToRetain": "3" } };
  await firstRun(ws, opts);
  const undone = { appends: 0, renames: 0, files: 0 };
  for (const [i, point] of CRASH_POINTS.entries()) {
    const r = await runJob(ws, { ...opts, env: { SLUICE_POWER_LOSS_AT: `${point}:${2 + (i % 3)}` } });
    assert.equal(r.signal, "SIGKILL", `${point}: ended by ${r.signal ?? `exit ${r.code}`}:\n${r.stderr}`);
    const report = /power loss: undid (\{.*\})/.exec(r.stderr);
    for (const [k, n] of Object.entries(JSON.parse(report?.[1] ?? "{}") as Record<string, number>)) {
      undone[k as keyof typeof undone] += n;
    }
  }
  assert.ok(
    undone.renames > 0 && undone.files > 0,
    `the power losses undid renames and new files: ${JSON.stringify(undone)}`,
  );
  const final = await runJob(ws, { ...opts, untilCommitted: "input" });
  assert.equal(final.code, 0, final.stderr);
  assertReconciled(ws);
});

test("a job killed at every named crash point recovers with nothing lost or duplicated", async () => {
  const root = tempDir("sluice-crashpoints-");
  for (const point of CRASH_POINTS) {
    const ws = makeWorkspace(join(root, point), 12, 10, 100, point.length);
    const crashed = await runJob(ws, { crashAt: `${point}:3` });
    assert.equal(crashed.signal, "SIGKILL", `${point}: the job did not reach the crash point:\n${crashed.stderr}`);
    const final = await runJob(ws, { untilCommitted: "input" });
    assert.equal(final.code, 0, `${point}: ${final.stderr}`);
    const result = reconcile(ws);
    assert.deepEqual(
      { lost: result.lost, duplicated: result.duplicated, wrongState: result.wrongState },
      { lost: 0, duplicated: 0, wrongState: 0 },
      `${point}: ${JSON.stringify(result)}`,
    );
  }
});

test("truncated and bit-flipped checkpoint files stop recovery with an error naming the file", async () => {
  const ws = makeWorkspace(tempDir("sluice-corrupt-"), 4, 5, 100, 3);
  const first = await runJob(ws, { untilCommitted: "input" });
  assert.equal(first.code, 0, first.stderr);
  const metadata = join(ws.checkpoint, "metadata");
  const original = (await import("node:fs")).readFileSync(metadata);
  writeFileSync(metadata, original.subarray(0, original.length - 7));
  const truncated = await runJob(ws, { untilCommitted: 0 });
  assert.notEqual(truncated.code, 0);
  assert.match(
    truncated.stderr,
    new RegExp(`SLUICE_E_CKPT_CORRUPT: ${metadata.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")} is truncated or padded`),
  );
  const flipped = Buffer.from(original);
  flipped[flipped.length - 3]! ^= 0x10;
  writeFileSync(metadata, flipped);
  const bitFlip = await runJob(ws, { untilCommitted: 0 });
  assert.notEqual(bitFlip.code, 0);
  assert.match(bitFlip.stderr, /SLUICE_E_CKPT_CORRUPT: .*metadata hash mismatch/);
});

/** Runs the job under `fault` (it stops with `code`'s error), then to the end: nothing lost or duplicated. */
async function faultThenRecover(name: string, fault: string, expected: RegExp): Promise<void> {
  const ws = makeWorkspace(tempDir(`sluice-${name}-`), 12, 10, 100, 5);
  const failed = await runJob(ws, { env: { SLUICE_FAULT_FS: fault } });
  assert.equal(failed.code, 1, failed.stderr);
  assert.match(failed.stderr, expected);
  const final = await runJob(ws, { untilCommitted: "input" });
  assert.equal(final.code, 0, final.stderr);
  assertReconciled(ws);
}

test("a full disk stops the job with SLUICE_E_ENOSPC and no commit; after space returns nothing is lost or duplicated", async () => {
  await faultThenRecover(
    "enospc",
    "enospc@12",
    /SLUICE_E_ENOSPC: no space left writing .*checkpoint\/(offsets|commits|state)\/.* Nothing of this batch was committed/,
  );
});

test("an fsync that fails on an offsets file or a state snapshot stops the job with SLUICE_E_FSYNC; after a restart nothing is lost or duplicated", async () => {
  await faultThenRecover(
    "eio-offsets",
    "eio-sync@3:offsets",
    /SLUICE_E_FSYNC: I\/O error \(EIO\) writing .*checkpoint\/offsets\//,
  );
  await faultThenRecover(
    "eio-state",
    "eio-sync@1:state",
    /SLUICE_E_FSYNC: I\/O error \(EIO\) writing .*checkpoint\/state\//,
  );
});
