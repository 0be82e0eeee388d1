import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join, resolve } from "node:path";
import { test } from "node:test";
import { tempDir } from "../helpers/context.js";

function run(example: string, workDir: string) {
  return spawnSync(process.execPath, [resolve("bin/sluice.js"), "submit", resolve("examples", example), workDir], {
    encoding: "utf8",
    env: { ...process.env, SLUICE_CONF: "" },
    timeout: 120_000,
  });
}

test("the lambda example: batch view + speed view equals a full recomputation", () => {
  const r = run("lambda/lambda.ts", join(tempDir("sluice-lambda-"), "work"));
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const lines = r.stdout.trim().split("\n");
  const served = lines
    .filter((l) => l.startsWith("after "))
    .pop()!
    .split("served: ")[1];
  const recomputed = lines.find((l) => l.startsWith("full recomputation:"))!.split(":  ")[1];
  assert.equal(served, recomputed);
  assert.match(r.stdout, /the merged answer equals the full recomputation/);
});

test("the kappa example: a new job replays the log, takes over once caught up, and its view equals a recomputation", () => {
  const r = run("kappa/kappa.ts", join(tempDir("sluice-kappa-"), "work"));
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /switched serving to v2; v1 stopped/);
  assert.match(r.stdout, /v2's view equals a recomputation over the whole log/);
});
