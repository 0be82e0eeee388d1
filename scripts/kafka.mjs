// A real Apache Kafka broker (KRaft, no ZooKeeper) for Sluice's tests and examples, fetched
// through Maven (test/kafka/pom.xml; Maven caches the jars) and run with the machine's Java 17+.
//
//   node scripts/kafka.mjs start [--brokers 3]   formats fresh storage, starts the broker(s) on
//                                               free 127.0.0.1 ports, waits until they answer,
//                                               prints the bootstrap servers
//   node scripts/kafka.mjs stop                  stops them (SIGTERM, then SIGKILL after 20 s)
//   node scripts/kafka.mjs status                prints the bootstrap servers of running brokers
//
// State (bootstrap servers, pids, storage, logs) is kept in test-artifacts/kafka/ (or
// $SLUICE_KAFKA_HOME): `npm test` and `examples/kafka_wordcount.ts` read the bootstrap servers
// from there when SLUICE_KAFKA_BROKERS does not name a cluster.
import { execFileSync, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer, connect } from "node:net";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(fileURLToPath(new URL("..", import.meta.url)));
export const KAFKA_HOME = resolve(process.env.SLUICE_KAFKA_HOME ?? join(root, "test-artifacts", "kafka"));
const POM = join(root, "test", "kafka", "pom.xml");
const stateFile = (home) => join(home, "cluster.json");

const java = () => (process.env.JAVA_HOME ? join(process.env.JAVA_HOME, "bin", "java") : "java");

/** The broker's classpath, from Maven (resolved once per pom.xml change; Maven caches the jars). */
function classpath() {
  const out = join(KAFKA_HOME, "classpath.txt");
  if (existsSync(out) && statSync(out).mtimeMs > statSync(POM).mtimeMs) return readFileSync(out, "utf8").trim();
  mkdirSync(KAFKA_HOME, { recursive: true });
  try {
    execFileSync("mvn", ["-q", "-B", "-f", POM, "dependency:build-classpath", `-Dmdep.outputFile=${out}`], {
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 600_000,
    });
  } catch (err) {
    throw new Error(`Maven could not fetch the Kafka broker (${POM}): ${err.stderr || err.message}`);
  }
  return readFileSync(out, "utf8").trim();
}

async function freePort() {
  const s = createServer();
  await new Promise((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

function answers(port) {
  return new Promise((resolveAnswer) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => (socket.destroy(), resolveAnswer(true)));
    socket.once("error", () => resolveAnswer(false));
  });
}

/** Waits until the cluster serves metadata for a topic it creates (a broker that only listens is not ready). */
async function waitReady(bootstrap, deadline) {
  const { Admin } = await import("@platformatic/kafka");
  let last;
  while (Date.now() < deadline) {
    const admin = new Admin({ clientId: "sluice-kafka-script", bootstrapBrokers: bootstrap, retries: 0 });
    try {
      await admin.listTopics();
      return;
    } catch (err) {
      last = err;
    } finally {
      await admin.close().catch(() => undefined);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the Kafka broker at ${bootstrap.join(",")} did not answer in time: ${last?.message ?? last}`);
}

function running(home = KAFKA_HOME) {
  if (!existsSync(stateFile(home))) return undefined;
  const state = JSON.parse(readFileSync(stateFile(home), "utf8"));
  const living = state.pids.filter(alive);
  return living.length === state.pids.length ? state : undefined;
}

/** Starts `brokers` brokers with their state in `home` (one cluster per home); resolves once they answer. */
export async function start(brokers = 1, home = KAFKA_HOME) {
  const existing = running(home);
  if (existing && existing.bootstrap.length === brokers) return existing;
  if (existing) await stop(home);
  const cp = classpath();
  rmSync(join(home, "nodes"), { recursive: true, force: true });
  const nodes = [];
  for (let id = 1; id <= brokers; id++) nodes.push({ id, port: await freePort(), controller: await freePort() });
  const voters = nodes.map((n) => `${n.id}@127.0.0.1:${n.controller}`).join(",");
  const rf = Math.min(3, brokers);
  const clusterId =
    execFileSync(java(), ["-cp", cp, "kafka.tools.StorageTool", "random-uuid"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    })
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => /^[A-Za-z0-9_-]{22}$/.test(l))[0] ?? randomUUID().slice(0, 22);
  const pids = [];
  for (const n of nodes) {
    const dir = join(home, "nodes", String(n.id));
    mkdirSync(dir, { recursive: true });
    const props = join(dir, "server.properties");
    writeFileSync(
      props,
      [
        "process.roles=broker,controller",
        `node.id=${n.id}`,
        `controller.quorum.voters=${voters}`,
        `listeners=PLAINTEXT://127.0.0.1:${n.port},CONTROLLER://127.0.0.1:${n.controller}`,
        `advertised.listeners=PLAINTEXT://127.0.0.1:${n.port}`,
        "controller.listener.names=CONTROLLER",
        "inter.broker.listener.name=PLAINTEXT",
        "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
        `log.dirs=${join(dir, "data")}`,
        `offsets.topic.replication.factor=${rf}`,
        `transaction.state.log.replication.factor=${rf}`,
        `transaction.state.log.min.isr=${Math.min(2, rf)}`,
        `share.coordinator.state.topic.replication.factor=${rf}`,
        `share.coordinator.state.topic.min.isr=${Math.min(2, rf)}`,
        "group.initial.rebalance.delay.ms=0",
        "num.partitions=1",
        "auto.create.topics.enable=true",
        "",
      ].join("\n"),
    );
    execFileSync(java(), ["-cp", cp, "kafka.tools.StorageTool", "format", "-t", clusterId, "-c", props], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    pids.push(launch(cp, dir));
  }
  const bootstrap = nodes.map((n) => `127.0.0.1:${n.port}`);
  const state = { bootstrap, pids, home, clusterId, ports: nodes.map((n) => n.port) };
  writeFileSync(stateFile(home), JSON.stringify(state, null, 2));
  try {
    await untilAnswering(state);
  } catch (err) {
    await stop(home);
    const logs = nodes.map((n) => join(home, "nodes", String(n.id), "broker.log")).join(", ");
    throw new Error(`${err.message} (logs: ${logs})`);
  }
  return state;
}

/** Starts the broker whose storage and settings are in `dir`; returns its pid. */
function launch(cp, dir) {
  const log = openSync(join(dir, "broker.log"), "a");
  const child = spawn(java(), ["-Xms128m", "-Xmx512m", "-cp", cp, "kafka.Kafka", join(dir, "server.properties")], {
    detached: true,
    stdio: ["ignore", log, log],
  });
  child.unref();
  return child.pid;
}

async function untilAnswering(state) {
  const deadline = Date.now() + 90_000;
  for (const port of state.ports) while (!(await answers(port)) && Date.now() < deadline) await wait(200);
  await waitReady(state.bootstrap, deadline);
}

/** Stops broker `id` (1-based) of the cluster in `home`, as a crash (`SIGKILL`) or a clean stop; its storage stays. */
export async function stopBroker(id, home = KAFKA_HOME, signal = "SIGTERM") {
  const state = JSON.parse(readFileSync(stateFile(home), "utf8"));
  await halt([state.pids[id - 1]], signal);
}

/** Starts broker `id` of the cluster in `home` again, on its ports and storage; resolves once the cluster answers. */
export async function restartBroker(id, home = KAFKA_HOME) {
  const state = JSON.parse(readFileSync(stateFile(home), "utf8"));
  state.pids[id - 1] = launch(classpath(), join(home, "nodes", String(id)));
  writeFileSync(stateFile(home), JSON.stringify(state, null, 2));
  await untilAnswering(state);
}

const wait = (ms) => new Promise((r) => setTimeout(r, ms));

const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Signals `pids`, waits up to 20 s for them to end, then kills what is left. */
async function halt(pids, signal = "SIGTERM") {
  for (const pid of pids) if (alive(pid)) process.kill(pid, signal);
  const deadline = Date.now() + 20_000;
  while (pids.some(alive) && Date.now() < deadline) await wait(100);
  for (const pid of pids) if (alive(pid)) process.kill(pid, "SIGKILL");
}

export async function stop(home = KAFKA_HOME) {
  if (!existsSync(stateFile(home))) return;
  await halt(JSON.parse(readFileSync(stateFile(home), "utf8")).pids);
  rmSync(stateFile(home), { force: true });
}

/** The bootstrap servers of the running cluster started in `home`, if any. */
export function bootstrapServers(home = KAFKA_HOME) {
  return running(home)?.bootstrap.join(",");
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [command = "status", ...rest] = process.argv.slice(2);
  const n = rest[0] === "--brokers" ? Number(rest[1]) : 1;
  try {
    if (command === "start") {
      const state = await start(n);
      process.stdout.write(`${state.bootstrap.join(",")}\n`);
    } else if (command === "stop") {
      await stop();
    } else if (command === "status") {
      const b = bootstrapServers();
      if (!b) {
        process.stderr.write("no Kafka broker started by scripts/kafka.mjs is running\n");
        process.exitCode = 1;
      } else process.stdout.write(`${b}\n`);
    } else {
      process.stderr.write("usage: node scripts/kafka.mjs start [--brokers N] | stop | status\n");
      process.exitCode = 2;
    }
  } catch (err) {
    process.stderr.write(`kafka: ${err.message}\n`);
    process.exitCode = 1;
  }
}
