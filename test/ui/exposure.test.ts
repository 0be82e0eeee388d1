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

/** Opens the event stream of the UI at `url`; `read` false leaves it unread (a page that never reads). */
function openEvents(url: string, read: boolean): Promise<{ status: number; close: () => void }> {
  const u = new URL(url);
  return new Promise((done, fail) => {
    const req = request({ host: u.hostname, port: u.port, path: "/events" }, (res) => {
      if (read) res.resume();
      else res.pause();
      done({ status: res.statusCode ?? 0, close: () => req.destroy() });
    });
    req.on("error", fail);
    req.end();
  });
}

test("a flood of pages: event streams are capped, a page that never reads is dropped, API answers are computed once per change", async () => {
  const conf = new SparkConf(false)
    .setMaster("local[1]")
    .setAppName("flood")
    .set("spark.ui.enabled", "true")
    .set("spark.ui.port", "0")
    .set("spark.ui.maxEventClients", "2");
  const sc = new SparkContext(conf);
  try {
    const ui = (await webUi(sc))!;
    const reader = await openEvents(ui.url, true);
    const stuck = await openEvents(ui.url, false);
    const third = await openEvents(ui.url, true);
    assert.equal(reader.status, 200);
    assert.equal(third.status, 503, "a third page is refused");
    third.close();
    // many job events: the page that reads keeps up, the one that does not is dropped past 1 MB unsent
    const job = {
      jobId: 0,
      description: "x".repeat(2000),
      group: undefined,
      submissionTime: 0,
      status: "SUCCEEDED" as const,
    };
    for (let i = 0; i < 4000; i++) {
      sc.sparkListeners.post("onJobStart", { ...job, jobId: i, status: "RUNNING" as const });
      sc.sparkListeners.post("onJobEnd", { ...job, jobId: i, completionTime: 1 });
      if (i % 200 === 0) await new Promise((r) => setTimeout(r, 5)); // let the sockets move
    }
    const fourth = await openEvents(ui.url, true);
    assert.equal(fourth.status, 200, "the stuck page was dropped, making room");
    // the API: the same answer until something changes
    const apps = JSON.parse((await get(ui.url, "/api/v1/applications")).body) as { id: string }[];
    const path = `/api/v1/applications/${apps[0]!.id}/jobs`;
    const a = await get(ui.url, path);
    const b = await get(ui.url, path);
    assert.equal(a.body, b.body);
    reader.close();
    stuck.close();
    fourth.close();
  } finally {
    await sc.stop();
  }
});
