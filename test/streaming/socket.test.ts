import assert from "node:assert/strict";
import { createServer, type Server, type Socket } from "node:net";
import { after, test } from "node:test";
import type { ReceiverInfo } from "../../src/index.js";
import { collectBatches, runBatches, streamingFixture } from "../helpers/streaming.js";
import { stderrDuring } from "../helpers/log.js";

/** A line server on a free loopback port that hands each new connection to waiters. */
async function lineServer(): Promise<{ server: Server; port: number; nextConnection: () => Promise<Socket> }> {
  const pending: Socket[] = [];
  const waiters: ((s: Socket) => void)[] = [];
  const server = createServer((socket) => {
    const w = waiters.shift();
    if (w) w(socket);
    else pending.push(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const port = (server.address() as { port: number }).port;
  const nextConnection = () =>
    new Promise<Socket>((resolve) => {
      const s = pending.shift();
      if (s) resolve(s);
      else waiters.push(resolve);
    });
  return { server, port, nextConnection };
}

function nextEvent<K extends "onReceiverError" | "onReceiverStarted">(
  f: ReturnType<typeof streamingFixture>,
  event: K,
): Promise<ReceiverInfo> {
  return new Promise((resolve) => {
    const listener = {
      [event]: (info: ReceiverInfo) => {
        f.ssc.removeStreamingListener(listener);
        resolve(info);
      },
    };
    f.ssc.addStreamingListener(listener);
  });
}

test("socketTextStream reads lines, reconnects after the peer goes away, and loses nothing it received", async () => {
  const { port, nextConnection } = await lineServer();
  const f = streamingFixture(1);
  const lines = f.ssc.socketTextStream("127.0.0.1", port);
  const batches = collectBatches(lines);
  f.ssc.start();
  const supervisor = f.ssc.receiverTracker.supervisor(lines.id)!;

  const first = await nextConnection();
  first.write("hello world\r\nsecond line\n");
  await supervisor.whenRecords(2);
  await runBatches(f, 1);

  const lost = nextEvent(f, "onReceiverError");
  first.end("last words without newline");
  const info = await lost;
  assert.match(info.lastErrorMessage ?? "", new RegExp(`Socket data stream from 127.0.0.1:${port} had no more data`));
  assert.equal(supervisor.numRecords, 3, "the unterminated last line is kept");

  // the restart waits spark.streaming.receiverRestartDelay (2 s) on the manual clock
  const reconnected = nextConnection();
  await runBatches(f, 2);
  const second = await reconnected;
  const bytes = Buffer.from("ñandú 😀\n", "utf8");
  second.write(bytes.subarray(0, 2)); // split inside a multi-byte character
  second.write(bytes.subarray(2));
  await supervisor.whenRecords(4);
  await runBatches(f, 1);

  assert.deepEqual(batches, [
    [1000, ["hello world", "second line"]],
    [2000, ["last words without newline"]],
    [3000, []],
    [4000, ["ñandú 😀"]],
  ]);
  second.destroy();
  await f.ssc.stop(false);
});

test("a socket stream that cannot connect reports a clear error (at WARN, not ERROR) and retries every 2 s, as Spark does", async () => {
  const { server, port } = await lineServer();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  const f = streamingFixture(1);
  f.ssc.socketTextStream("127.0.0.1", port).count().pprint();
  const errors: string[] = [];
  f.ssc.addStreamingListener({
    onReceiverError: (i) => {
      errors.push(i.lastErrorMessage ?? "");
    },
  });
  const firstError = nextEvent(f, "onReceiverError");
  const logged = await stderrDuring(async () => {
    f.ssc.start();
    await firstError;
  });
  assert.ok(
    logged.some((l) => /WARN Restarting receiver socketTextStream/.test(l)),
    logged.join(""),
  );
  assert.ok(!logged.some((l) => / ERROR /.test(l)), logged.join(""));
  assert.match(
    errors[0]!,
    new RegExp(
      `Error connecting to 127.0.0.1:${port} \\(is a server listening there\\? e.g. nc -lk ${port}\\).*ECONNREFUSED`,
    ),
  );
  // a retry every 2 s (it was 2, 4, 8… up to 32 s: after nc came back the job looked hung)
  const second = nextEvent(f, "onReceiverError");
  f.clock.advance(1999);
  await new Promise((r) => setImmediate(r));
  assert.equal(errors.length, 1);
  f.clock.advance(1);
  await second;
  const third = nextEvent(f, "onReceiverError");
  f.clock.advance(1999);
  await new Promise((r) => setImmediate(r));
  assert.equal(errors.length, 2);
  f.clock.advance(1);
  await third;
  assert.equal(errors.length, 3);
  assert.equal(f.ssc.getState(), "ACTIVE", "the context keeps running");
  await f.ssc.scheduler.whenIdle();
  await f.ssc.stop(false);
});

test("socketTextStream takes the port as a number or as its digits (process.argv), and names a bad one", () => {
  const f = streamingFixture(1);
  assert.doesNotThrow(() => f.ssc.socketTextStream("localhost", "10001"));
  assert.throws(
    () => f.ssc.socketTextStream("localhost", "10001x"),
    /socketTextStream port must be a whole number 1\.\.65535, got "10001x"/,
  );
  assert.throws(() => f.ssc.socketTextStream("localhost", 70000), /got 70000/);
});
