import assert from "node:assert/strict";
import { createServer, type Socket } from "node:net";
import { test } from "node:test";
import { SocketReceiver } from "../../src/receiver/socket-receiver.js";
import type { ReceiverHost } from "../../src/receiver/receiver.js";

/** Runs a SocketReceiver against a server that writes `chunks`, and returns what it stored. */
async function receive(
  chunks: Buffer[],
  maxRecordBytes: number,
): Promise<{ lines: string[]; receiver: SocketReceiver }> {
  const server = createServer((socket: Socket) => {
    void (async () => {
      for (const c of chunks) if (!socket.write(c)) await new Promise((r) => socket.once("drain", r));
      socket.end();
    })();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  const receiver = new SocketReceiver("127.0.0.1", port, maxRecordBytes);
  const lines: string[] = [];
  const done = new Promise<void>((resolve) => {
    const host: ReceiverHost<string> = {
      streamId: 0,
      store: (l) => void lines.push(l),
      storeAll: (ls) => void lines.push(...ls),
      storeBlock: async (ls) => void lines.push(...ls),
      restart: () => resolve(), // the peer closed: all was read
      stop: () => resolve(),
      reportError: () => {},
      isStarted: () => true,
      isStopped: () => false,
    };
    receiver.attach(host);
  });
  receiver.onStart();
  await done;
  receiver.onStop();
  await new Promise<void>((r) => server.close(() => r()));
  return { lines, receiver };
}

const MB = 1024 * 1024;
/** `bytes` of text in 64 KiB chunks, as a socket delivers it. */
const chunked = (text: Buffer) =>
  Array.from({ length: Math.ceil(text.length / 65536) }, (_, i) => text.subarray(i * 65536, (i + 1) * 65536));

test("a 20 MB line arrives whole; a line over spark.sluice.maxRecordBytes is dropped, counted, and the lines after it kept", async () => {
  const long = "x".repeat(20 * MB);
  const input = Buffer.from(`first\n${long}\n${"y".repeat(31 * MB)}\nafter\r\nlast`);
  const { lines, receiver } = await receive(chunked(input), 30 * MB);
  assert.deepEqual(
    lines.map((l) => (l.length > 100 ? `${l[0]}×${l.length}` : l)),
    ["first", `x×${20 * MB}`, "after", "last"],
  );
  assert.equal(receiver.oversizeRecords, 1);
});

test("a line of invalid UTF-8 is kept with U+FFFD and counted; a character split across chunks is decoded whole", async () => {
  const bad = Buffer.concat([Buffer.from("bad "), Buffer.from([0xc3, 0x28]), Buffer.from("\n")]);
  const nandu = Buffer.from("ñandú\n");
  const { lines, receiver } = await receive([bad, nandu.subarray(0, 1), nandu.subarray(1)], MB);
  assert.deepEqual(lines, ["bad \ufffd(", "ñandú"]);
  assert.equal(receiver.invalidUtf8Records, 1);
});
