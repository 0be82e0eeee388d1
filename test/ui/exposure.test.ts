import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { request } from "node:http";
import { test } from "node:test";
import { redactSettings } from "../../src/core/conf.js";
import { SparkConf, SparkContext, webUi } from "../../src/index.js";

const R = "*********(redacted)";

test("settings are redacted as Spark's spark.redaction.regex says, and so are passwords inside URLs", () => {
  assert.deepEqual(
    redactSettings([
      ["spark.sink.password", "hunter2"],
      ["spark.api.token", "t0k"],
      ["spark.s3.access.key", "AKIA"],
      ["spark.client.secret", "s"],
      ["spark.redis.url", "redis://user:pw@127.0.0.1:6379/0"],
      ["spark.app.name", "fine"],
    ]),
    [
      ["spark.sink.password", R],
      ["spark.api.token", R],
      ["spark.s3.access.key", R],
      ["spark.client.secret", R],
      ["spark.redis.url", `redis://user:${R}@127.0.0.1:6379/0`],
      ["spark.app.name", "fine"],
    ],
  );
  // a regex of the user's own
  assert.deepEqual(
    redactSettings([
      ["spark.redaction.regex", "(?i)pin"],
      ["spark.card.pin", "1234"],
      ["spark.sink.password", "shown: not matched"],
    ]),
    [
      ["spark.redaction.regex", R], // its own value matches it (as in Spark, keys and values are both checked)
      ["spark.card.pin", R],
      ["spark.sink.password", "shown: not matched"],
    ],
  );
});

/** GET `path` from the UI at `url` with a Host header of `host`. */
function get(
  url: string,
  path: string,
  host?: string,
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  const u = new URL(url);
  return new Promise((done, fail) => {
    const req = request({ host: u.hostname, port: u.port, path, headers: host ? { host } : {} }, (res) => {
      let body = "";
      res.on("data", (d: Buffer) => (body += d));
      res.on("end", () => done({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on("error", fail);
    req.end();
  });
}

test("the UI shows no secret, answers only its own host names (no DNS rebinding), and says nosniff", async () => {
  const conf = new SparkConf(false)
    .setMaster("local[1]")
    .setAppName("exposure")
    .set("spark.ui.enabled", "true")
    .set("spark.ui.port", "0")
    .set("spark.sink.password", "hunter2")
    .set("spark.redis.url", "redis://user:pw@127.0.0.1:6379");
  const sc = new SparkContext(conf);
  try {
    const ui = (await webUi(sc))!;
    const apps = JSON.parse((await get(ui.url, "/api/v1/applications")).body) as { id: string }[];
    const env = await get(ui.url, `/api/v1/applications/${apps[0]!.id}/environment`);
    assert.equal(env.status, 200);
    assert.ok(!env.body.includes("hunter2") && !env.body.includes(":pw@"), env.body);
    assert.match(env.body, /redacted/);
    assert.equal(env.headers["x-content-type-options"], "nosniff");
    const port = new URL(ui.url).port;
    assert.equal((await get(ui.url, "/api/v1/applications", `localhost:${port}`)).status, 200);
    const rebound = await get(ui.url, "/api/v1/applications", `attacker.example:${port}`);
    assert.equal(rebound.status, 421);
    assert.ok(!rebound.body.includes(apps[0]!.id));
  } finally {
    await sc.stop();
  }
});

test("sluice submit --verbose prints the settings redacted", () => {
  const r = spawnSync(
    process.execPath,
    [
      "bin/sluice.js",
      "submit",
      "--verbose",
      "--conf",
      "spark.api.token=t0k3n",
      "--conf",
      "spark.ui.enabled=false",
      "examples/wordcount-batch.ts",
      "README.md",
    ],
    { encoding: "utf8", env: { ...process.env, SLUICE_CONF: "" } },
  );
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /spark\.api\.token=\*+\(redacted\)/);
  assert.ok(!r.stderr.includes("t0k3n"));
});
