import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { test } from "node:test";
import amqp from "amqplib";
import { tempDir } from "../helpers/context.js";
import { rabbitOrSkip, redisOrSkip } from "../helpers/services.js";

const REDIS = process.env.SLUICE_REDIS_URL ?? "redis://127.0.0.1:6379";
const RABBIT = process.env.SLUICE_RABBITMQ_URL ?? "amqp://guest:guest@127.0.0.1:5672";

/** Runs the broker job once: SIGKILL after `killAfterMs`, or SIGINT at the first commit after `finished()` holds. */
function runBrokerJob(args: string[], killAfterMs: number | undefined, finished: () => Promise<boolean>): Promise<{ signal: NodeJS.Signals | null; code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [resolve("bin/sluice.js"), "submit", "--master", "local[2]", resolve("test/reliability/broker-job.ts"), ...args], {
    env: { ...process.env, SLUICE_CONF: "", SLUICE_LOG_LEVEL: "ERROR" },
  });
  let stderr = "";
  let stopping = false;
  let done = false;
  child.stderr.on("data", (d: Buffer) => (stderr += d));
  child.stdout.on("data", () => {
    if (killAfterMs !== undefined || stopping) return;
    // a commit after everything was consumed: the outputs are complete
    void finished().then((f) => {
      if (f && done && !stopping) {
        stopping = true;
        child.kill("SIGINT");
      }
      done = f;
    });
  });
  const timer = killAfterMs === undefined ? setTimeout(() => child.kill("SIGKILL"), 60_000) : setTimeout(() => child.kill("SIGKILL"), killAfterMs);
  return new Promise((resolveRun) => child.on("exit", (code, signal) => {
    clearTimeout(timer);
    resolveRun({ code, signal, stderr });
  }));
}

/** Lines of every part file of the output directories named `prefix-<time>`, by directory (time order). */
function outputs(dir: string, prefix: string): string[][] {
  return readdirSync(dir).filter((n) => n.startsWith(`${prefix}-`)).sort((a, b) => Number(a.split("-")[1]) - Number(b.split("-")[1]))
    .map((d) => readdirSync(join(dir, d)).filter((f) => f.startsWith("part-")).flatMap((f) => readFileSync(join(dir, d, f), "utf8").split("\n").filter(Boolean)));
}

test("Redis Streams direct stream killed with SIGKILL 5 times while entries arrive: the state equals a plain fold (exactly once)", async (t) => {
  const redis = await redisOrSkip(REDIS, t);
  if (!redis) return;
  const root = tempDir("sluice-broker-kill-");
  const stream = `sluice-kill-${process.pid}-${Date.now()}`;
  const sums = new Map<string, number>();
  let n = 0;
  const publish = async (count: number) => {
    const p = redis.pipeline();
    for (let i = 0; i < count; i++, n++) {
      const key = `k${(n * 7) % 11}`;
      const value = (n % 13) - 6;
      sums.set(key, (sums.get(key) ?? 0) + value);
      p.xadd(stream, "*", "data", `r${n},${key},${value}`);
    }
    await p.exec();
  };
  const args = ["redis", join(root, "ck"), join(root, "out"), stream, REDIS];
  const consumedAll = async () => {
    const last = ((await redis.xrevrange(stream, "+", "-", "COUNT", 1)) as [string, string[]][])[0]?.[0];
    const groups = (await redis.xinfo("GROUPS", stream).catch(() => [])) as unknown[][];
    return groups.some((g) => g.includes(last));
  };
  try {
    await publish(300);
    for (let run = 0; run < 5; run++) {
      const r = await runBrokerJob(args, 1200 + run * 211, consumedAll);
      assert.equal(r.signal, "SIGKILL", r.stderr);
      await publish(80); // more while the job is down
    }
    const final = await runBrokerJob(args, undefined, consumedAll);
    assert.equal(final.code, 0, final.stderr);
    const state = outputs(join(root, "out"), "state").pop()!;
    const got = new Map(state.map((l) => {
      const m = /^\('(k\d+)', (-?\d+)\)$/.exec(l)!;
      return [m[1]!, Number(m[2])] as [string, number];
    }));
    assert.deepEqual([...got].sort(), [...sums].sort(), `state after 5 kills over ${n} entries`);
  } finally {
    await redis.del(stream);
    redis.disconnect();
  }
});

test("RabbitMQ receiver with the WAL killed with SIGKILL 5 times: every message is in the output (none lost), the queue ends empty", async (t) => {
  if (!(await rabbitOrSkip(RABBIT, t))) return;
  const root = tempDir("sluice-broker-kill-");
  const queue = `sluice-kill-${process.pid}-${Date.now()}`;
  const conn = await amqp.connect(RABBIT);
  const ch = await conn.createChannel();
  await ch.assertQueue(queue, { durable: true });
  let n = 0;
  const publish = (count: number) => {
    for (let i = 0; i < count; i++, n++) ch.sendToQueue(queue, Buffer.from(`m${n},k${n % 5},1`), { persistent: true });
  };
  const args = ["rabbitmq", join(root, "ck"), join(root, "out"), queue, RABBIT];
  const empty = async () => (await ch.checkQueue(queue)).messageCount === 0;
  try {
    publish(400);
    for (let run = 0; run < 5; run++) {
      const r = await runBrokerJob(args, 1200 + run * 173, empty);
      assert.equal(r.signal, "SIGKILL", r.stderr);
      publish(60);
    }
    const final = await runBrokerJob(args, undefined, empty);
    assert.equal(final.code, 0, final.stderr);
    const seen = new Map<string, number>();
    for (const lines of outputs(join(root, "out"), "seen")) for (const l of lines) seen.set(l.split(",")[0]!, (seen.get(l.split(",")[0]!) ?? 0) + 1);
    const lost = Array.from({ length: n }, (_, i) => `m${i}`).filter((id) => !seen.has(id));
    assert.deepEqual(lost, [], `messages lost: ${lost.length} of ${n}`);
    const twice = [...seen.values()].filter((c) => c > 1).length;
    t.diagnostic(`${n} messages, ${twice} delivered again after a kill (at least once)`);
  } finally {
    await ch.deleteQueue(queue).catch(() => undefined);
    await conn.close();
  }
});
