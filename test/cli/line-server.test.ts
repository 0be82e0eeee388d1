import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { writeFileSync } from "node:fs";
import { connect, createServer, type Server } from "node:net";
import { networkInterfaces } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { test } from "node:test";
import { feedServer, ncServer } from "../../src/cli/line-server.js";
import { ManualClock, SparkContext, StreamingContext } from "../../src/index.js";
import { tempDir } from "../helpers/context.js";

const hasIPv6Loopback = Object.values(networkInterfaces()).some((list) =>
  list?.some((a) => a.family === "IPv6" && a.address === "::1"),
);

/** A port free right now on this machine. */
async function freePort(): Promise<number> {
  const s: Server = createServer();
  await new Promise<void>((r) => s.listen(0, r));
  const { port } = s.address() as { port: number };
  await new Promise((r) => s.close(r));
  return port;
}

/** Reads lines from `port` on `host` until `n` have arrived. */
async function readLines(host: string, port: number, n: number): Promise<string[]> {
  const socket = connect(port, host);
  let text = "";
  for await (const chunk of socket) {
    text += String(chunk);
    if (text.split("\n").length > n) break;
  }
  socket.destroy();
  return text.split("\n").slice(0, n);
}

test("sluice nc -lk: lines typed before a client connects wait for it; later lines reach every client, on IPv4 and IPv6 localhost", async () => {
  const port = await freePort();
  const input = new PassThrough();
  const server = await ncServer(port, true, input, () => {});
  input.write("typed early\n");
  const first = readLines("127.0.0.1", port, 2);
  await new Promise((r) => setTimeout(r, 50)); // the connection is made (real sockets)
  const second = readLines(hasIPv6Loopback ? "::1" : "127.0.0.1", port, 1);
  await new Promise((r) => setTimeout(r, 50));
  input.write("to both\n");
  assert.deepEqual(await first, ["typed early", "to both"]);
  assert.deepEqual(await second, ["to both"]);
  input.end();
  await once(server, "close");
});

test("sluice feed: a file's lines, looping, read by a socketTextStream job", async () => {
  const dir = tempDir();
  const file = join(dir, "words.txt");
  writeFileSync(file, "a b\nc\n");
  const port = await freePort();
  const server = await feedServer(file, port, 1000, false, () => {});
  assert.deepEqual(await readLines("localhost", port, 5), ["a b", "c", "a b", "c", "a b"]);
  const clock = new ManualClock(0);
  const ssc = new StreamingContext(new SparkContext("local[1]", "feed"), 1, { clock, out: () => {} });
  const seen: string[] = [];
  ssc.socketTextStream("localhost", port).foreachRDD(async (rdd) => void seen.push(...(await rdd.collect())));
  ssc.start();
  await ssc.receiverTracker.supervisor(0)!.whenRecords(4);
  clock.advance(1000);
  await ssc.scheduler.whenIdle();
  await ssc.stop(true, false);
  server.close();
  assert.ok(seen.length >= 4, seen.join("|"));
  assert.deepEqual(seen.slice(0, 4), ["a b", "c", "a b", "c"]);
});

test("sluice nc -lk PORT as typed: the command reads stdin and serves it; a port in use is named", async () => {
  const port = await freePort();
  const child = spawn(process.execPath, ["bin/sluice.js", "nc", "-lk", String(port)], {
    stdio: ["pipe", "ignore", "pipe"],
  });
  let err = "";
  child.stderr.on("data", (d: Buffer) => void (err += d));
  while (!err.includes("listening")) await once(child.stderr, "data");
  const got = readLines("127.0.0.1", port, 1);
  await new Promise((r) => setTimeout(r, 50));
  child.stdin.write("hello from nc\n");
  assert.deepEqual(await got, ["hello from nc"]);
  const busy = spawn(process.execPath, ["bin/sluice.js", "nc", "-lk", String(port)], { stdio: "pipe" });
  let busyErr = "";
  busy.stderr.on("data", (d: Buffer) => void (busyErr += d));
  const [code] = (await once(busy, "exit")) as [number];
  assert.equal(code, 1);
  assert.match(busyErr, new RegExp(`port ${port} is in use`));
  child.stdin.end();
  await once(child, "exit");
});
