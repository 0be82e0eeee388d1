import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { test } from "node:test";
import amqp from "amqplib";
import { tempDir } from "../helpers/context.js";
import mqtt from "mqtt";
import { Kvm } from "@nats-io/kv";
import {
  MQTT_URL as MQTT,
  NATS_SERVERS as NATS,
  RABBITMQ_URL as RABBIT,
  REDIS_URL as REDIS,
  mqttOrSkip,
  natsOrSkip,
  rabbitOrSkip,
  redisOrSkip,
  jetStreamFor,
  kafkaOrSkip,
} from "../helpers/services.js";
import { readTopic } from "../helpers/kafka.js";

/** Runs the broker job once: SIGKILL after `killAfterMs`, or SIGINT at the first commit after `finished()` holds. */
function runBrokerJob(
  args: string[],
  killAfterMs: number | undefined,
  finished: () => Promise<boolean>,
): Promise<{ signal: NodeJS.Signals | null; code: number | null; stderr: string }> {
  const child = spawn(
    process.execPath,
    [resolve("bin/sluice.js"), "submit", "--master", "local[2]", resolve("test/reliability/broker-job.ts"), ...args],
    {
      env: { ...process.env, SLUICE_CONF: "", SLUICE_LOG_LEVEL: "ERROR" },
    },
  );
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
  const timer =
    killAfterMs === undefined
      ? setTimeout(() => child.kill("SIGKILL"), 60_000)
      : setTimeout(() => child.kill("SIGKILL"), killAfterMs);
  return new Promise((resolveRun) =>
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      resolveRun({ code, signal, stderr });
    }),
  );
}

/** Lines of every part file of the output directories named `prefix-<time>`, by directory (time order). */
function outputs(dir: string, prefix: string): string[][] {
  return readdirSync(dir)
    .filter((n) => n.startsWith(`${prefix}-`))
    .sort((a, b) => Number(a.split("-")[1]) - Number(b.split("-")[1]))
    .map((d) =>
      readdirSync(join(dir, d))
        .filter((f) => f.startsWith("part-"))
        .flatMap((f) =>
          readFileSync(join(dir, d, f), "utf8")
            .split("\n")
            .filter(Boolean),
        ),
    );
}

/**
 * Kills a direct-stream job 5 times while records keep arriving (`publish(record)` appends one
 * `id,key,value` line to the broker), lets a last run finish, and checks the final state
 * against a plain fold of everything published: exactly once.
 */
async function directSurvivesKills(
  kind: string,
  name: string,
  url: string,
  publishLine: (line: string) => Promise<void>,
  consumedAll: () => Promise<boolean>,
  kills = 5,
): Promise<string[]> {
  const root = tempDir("sluice-broker-kill-");
  const sums = new Map<string, number>();
  let n = 0;
  const publish = async (count: number) => {
    for (let i = 0; i < count; i++, n++) {
      const key = `k${(n * 7) % 11}`;
      const value = (n % 13) - 6;
      sums.set(key, (sums.get(key) ?? 0) + value);
      await publishLine(`r${n},${key},${value}`);
    }
  };
  const args = [kind, join(root, "ck"), join(root, "out"), name, url];
  await publish(300);
  const published: string[] = [];
  for (let run = 0; run < kills; run++) {
    const r = await runBrokerJob(args, 1200 + ((run * 211) % 1000), consumedAll);
    assert.equal(r.signal, "SIGKILL", r.stderr);
    await publish(kills > 5 ? 30 : 80); // more while the job is down
  }
  const final = await runBrokerJob(args, undefined, consumedAll);
  assert.equal(final.code, 0, final.stderr);
  const state = outputs(join(root, "out"), "state").pop()!;
  const got = new Map(
    state.map((l) => {
      const m = /^\('(k\d+)', (-?\d+)\)$/.exec(l)!;
      return [m[1]!, Number(m[2])] as [string, number];
    }),
  );
  assert.deepEqual([...got].sort(), [...sums].sort(), `state after ${kills} kills over ${n} records`);
  for (let i = 0; i < n; i++) published.push(`r${i}`);
  return published;
}

/** How often each message id appears in a receiver job's outputs. */
function seenIds(outputDir: string): Map<string, number> {
  const seen = new Map<string, number>();
  for (const lines of outputs(outputDir, "seen"))
    for (const l of lines) seen.set(l.split(",")[0]!, (seen.get(l.split(",")[0]!) ?? 0) + 1);
  return seen;
}

/**
 * Kills a WAL receiver job 5 times while messages keep coming, lets a last run finish, and
 * checks that every message published is in the output at least once.
 */
async function receiverLosesNothing(
  t: { diagnostic(s: string): void },
  kind: string,
  name: string,
  url: string,
  publishLine: (line: string) => Promise<void>,
  drained: (outputDir: string, published: number) => Promise<boolean>,
): Promise<void> {
  const root = tempDir("sluice-broker-kill-");
  let n = 0;
  const publish = async (count: number) => {
    for (let i = 0; i < count; i++, n++) await publishLine(`m${n},k${n % 5},1`);
  };
  const args = [kind, join(root, "ck"), join(root, "out"), name, url];
  await publish(400);
  for (let run = 0; run < 5; run++) {
    const r = await runBrokerJob(args, 1200 + run * 173, () => drained(join(root, "out"), n));
    assert.equal(r.signal, "SIGKILL", r.stderr);
    await publish(60);
  }
  const final = await runBrokerJob(args, undefined, () => drained(join(root, "out"), n));
  assert.equal(final.code, 0, final.stderr);
  const seen = seenIds(join(root, "out"));
  const lost = Array.from({ length: n }, (_, i) => `m${i}`).filter((id) => !seen.has(id));
  assert.deepEqual(lost, [], `messages lost: ${lost.length} of ${n}`);
  t.diagnostic(
    `${kind}: ${n} messages, ${[...seen.values()].filter((c) => c > 1).length} delivered again after a kill (at ` +
      `least once)`,
  );
}

test("Redis Streams direct stream killed with SIGKILL 5 times while entries arrive: the state equals a plain fold (exactly once)", async (t) => {
  const redis = await redisOrSkip(REDIS, t);
  if (!redis) return;
  const stream = `sluice-kill-${process.pid}-${Date.now()}`;
  try {
    await directSurvivesKills(
      "redis",
      stream,
      REDIS,
      async (line) => void (await redis.xadd(stream, "*", "data", line)),
      async () => {
        const last = ((await redis.xrevrange(stream, "+", "-", "COUNT", 1)) as [string, string[]][])[0]?.[0];
        const groups = (await redis.xinfo("GROUPS", stream).catch(() => [])) as unknown[][];
        return groups.some((g) => g.includes(last));
      },
    );
  } finally {
    await redis.del(stream);
    redis.disconnect();
  }
});

test("NATS JetStream direct stream killed with SIGKILL 5 times while messages arrive: the state equals a plain fold (exactly once)", async (t) => {
  if (!(await natsOrSkip(NATS, t))) return;
  const { nc, jsm, js, stream } = await jetStreamFor("SLUICE_KILL");
  const kv = await new Kvm(nc).create(`sluice_progress_${stream}`);
  try {
    await directSurvivesKills(
      "nats",
      stream,
      NATS,
      async (line) => void (await js.publish(`${stream}.r`, new TextEncoder().encode(line))),
      async () => {
        const last = (await jsm.streams.info(stream)).state.last_seq;
        return (await kv.get("kill-test"))?.string() === String(last);
      },
    );
  } finally {
    await jsm.streams.delete(stream).catch(() => undefined);
    await jsm.streams.delete(`KV_sluice_progress_${stream}`).catch(() => undefined);
    await nc.close();
  }
});

test("RabbitMQ receiver with the WAL killed with SIGKILL 5 times: every message is in the output (none lost), the queue ends empty", async (t) => {
  if (!(await rabbitOrSkip(RABBIT, t))) return;
  const queue = `sluice-kill-${process.pid}-${Date.now()}`;
  const conn = await amqp.connect(RABBIT);
  const ch = await conn.createChannel();
  await ch.assertQueue(queue, { durable: true });
  try {
    await receiverLosesNothing(
      t,
      "rabbitmq",
      queue,
      RABBIT,
      async (line) => void ch.sendToQueue(queue, Buffer.from(line), { persistent: true }),
      async () => (await ch.checkQueue(queue)).messageCount === 0,
    );
  } finally {
    await ch.deleteQueue(queue).catch(() => undefined);
    await conn.close();
  }
});

test("MQTT receiver with the WAL killed with SIGKILL 5 times: every QoS 1 message is in the output (none lost)", async (t) => {
  if (!(await mqttOrSkip(MQTT, t))) return;
  const topic = `sluice/kill/${process.pid}/${Date.now()}`;
  const publisher = await mqtt.connectAsync(MQTT);
  // the receiver's persistent session must exist before the first message, or the broker keeps nothing for it
  const session = await mqtt.connectAsync(MQTT, {
    protocolVersion: 5,
    clean: false,
    clientId: `sluice-${topic.replace(/[^A-Za-z0-9_-]/g, "_")}`,
    properties: { sessionExpiryInterval: 3600 },
  });
  await session.subscribeAsync(topic, { qos: 1 });
  await session.endAsync();
  try {
    // MQTT has no queue to inspect: the job is done when every message published is in the output
    await receiverLosesNothing(
      t,
      "mqtt",
      topic,
      MQTT,
      async (line) => void (await publisher.publishAsync(topic, line, { qos: 1 })),
      async (out, published) => seenIds(out).size >= published,
    );
  } finally {
    await publisher.endAsync();
  }
});

test("Kafka to Kafka killed with SIGKILL 20 times while records arrive: the state equals a plain fold, and a read_committed consumer of the output sees every record exactly once", async (t) => {
  const BROKERS = await kafkaOrSkip(t);
  if (!BROKERS) return;
  const brokers = BROKERS.split(",");
  const { Admin, Consumer, Producer, stringSerializers } = await import("@platformatic/kafka");
  const topic = `sluice-kill-${process.pid}-${Date.now()}`;
  const admin = new Admin({ clientId: "sluice-test", bootstrapBrokers: brokers });
  await admin.createTopics({ topics: [topic, `${topic}-out`], partitions: 2, replicas: 1 });
  const producer = new Producer({
    clientId: "sluice-test",
    bootstrapBrokers: brokers,
    serializers: stringSerializers,
    idempotent: true, // a retried send is not a second record
  });
  const offsets = new Consumer({ clientId: "sluice-test", groupId: `${topic}-probe`, bootstrapBrokers: brokers });
  let pending: { topic: string; value: string }[] = [];
  try {
    const published = await directSurvivesKills(
      "kafka",
      topic,
      BROKERS,
      async (line) => {
        pending.push({ topic, value: line });
        if (pending.length >= 10) {
          const batch = pending;
          pending = [];
          await producer.send({ messages: batch });
        }
      },
      async () => {
        if (pending.length > 0) {
          const batch = pending;
          pending = [];
          await producer.send({ messages: batch });
        }
        const ends = (await offsets.listOffsets({ topics: [topic] })).get(topic)!;
        const [g] = await admin.listConsumerGroupOffsets({ groups: ["kill-test"] });
        const done = g?.topics.find((x) => x.name === topic)?.partitions ?? [];
        return ends.every((end, p) => done.find((x) => x.partitionIndex === p)?.committedOffset === end);
      },
      20,
    );
    const committed = await readTopic(brokers, `${topic}-out`, published.length + 1, "read_committed", 5000);
    const ids = committed.map(([, v]) => v.split(",")[0]!);
    const twice = ids.filter((id, i) => ids.indexOf(id) !== i);
    assert.deepEqual(twice, [], "no record twice in the output");
    assert.deepEqual(new Set(ids), new Set(published), "every record in the output");
    const everything = await readTopic(brokers, `${topic}-out`, 100_000, "read_uncommitted", 5000);
    t.diagnostic(
      `kafka: ${published.length} records, 20 kills; read_committed ${committed.length} (each once), ` +
        `read_uncommitted ${everything.length} (${everything.length - committed.length} from aborted transactions)`,
    );
  } finally {
    await admin.deleteTopics({ topics: [topic, `${topic}-out`] }).catch(() => undefined);
    await producer.close();
    await offsets.close(true);
    await admin.close();
  }
});
