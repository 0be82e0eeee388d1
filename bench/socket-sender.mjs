// Sends word lines over TCP at a fixed rate (lines/s) to whoever connects, every 10 ms a
// slice; every 100th line carries its send time ("ts:<ms>") for end-to-end latency.
// Usage: node bench/socket-sender.mjs <port> <linesPerSecond> <seconds>
import { createServer } from "node:net";

const [port, rate, seconds] = process.argv.slice(2).map(Number);
const vocab = Array.from({ length: 1000 }, (_, i) => `w${i}`);
let n = 0;
const server = createServer((socket) => {
  const start = Date.now();
  let sent = 0;
  const timer = setInterval(() => {
    const now = Date.now();
    const due = Math.floor(((now - start) / 1000) * rate);
    let chunk = "";
    for (; sent < due; sent++) {
      n++;
      chunk +=
        n % 100 === 0
          ? `ts:${now} ${vocab[n % 1000]}\n`
          : `${vocab[n % 1000]} ${vocab[(n * 7) % 1000]} ${vocab[(n * 13) % 1000]}\n`;
    }
    if (chunk) socket.write(chunk);
    if (now - start >= seconds * 1000) {
      // stop at the deadline even if the receiver held data back (what it did not take is dropped)
      clearInterval(timer);
      socket.destroy();
      process.exit(0);
    }
  }, 10);
  socket.on("error", () => clearInterval(timer));
});
server.listen(port, "127.0.0.1", () => process.stdout.write("ready\n"));
