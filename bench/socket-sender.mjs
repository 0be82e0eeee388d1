// Sends lines over TCP at a fixed rate (lines/s) to whoever connects, every 10 ms a slice.
// Some lines carry a marker, "ts:<sendMs>_<seq>", as their first field (a word, or an event's
// key): the engines under test report when a marker reaches their output, for end-to-end
// latency and completeness. At the end it prints "sent <lines> <markers>".
// It prints "ready <port>" when listening (port 0 takes a free one).
// Usage: node bench/socket-sender.mjs <port> <linesPerSecond> <seconds> [words|events] [markersPerSecond]
//   words:  three words of a 1000-word vocabulary per line (the word counts' input)
//   events: "<auction> <bidder> <price>", bids on auctions of which 100 are hot (90% of bids)
//           among 10000 (the keyed windowed count's input, Nexmark-style)
import { createServer } from "node:net";

const [port, rate, seconds] = process.argv.slice(2, 5).map(Number);
const kind = process.argv[5] ?? "words";
const markerEvery = process.argv[6] ? Math.max(1, Math.round(rate / Number(process.argv[6]))) : 100;
const vocab = Array.from({ length: 1000 }, (_, i) => `w${i}`);
let n = 0;
let markers = 0;
const line =
  kind === "events"
    ? (n) => `a${n % 10 < 9 ? (n * 31) % 100 : (n * 7919) % 10000} b${(n * 13) % 5000} ${(n * 17) % 1000}`
    : (n) => `${vocab[n % 1000]} ${vocab[(n * 7) % 1000]} ${vocab[(n * 13) % 1000]}`;
const server = createServer((socket) => {
  const start = Date.now();
  let sent = 0;
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    clearInterval(timer);
    socket.destroy();
    process.stdout.write(`sent ${sent} ${markers}\n`, () => process.exit(0));
  };
  const timer = setInterval(() => {
    const now = Date.now();
    const due = Math.floor(((now - start) / 1000) * rate);
    let chunk = "";
    for (; sent < due; sent++) {
      n++;
      if (n % markerEvery === 0) {
        markers++;
        const l = line(n);
        chunk += `ts:${now}_${markers}${l.slice(l.indexOf(" "))}\n`;
      } else chunk += line(n) + "\n";
    }
    if (chunk) socket.write(chunk);
    // stop at the deadline even if the receiver held data back (what it did not take is dropped)
    if (now - start >= seconds * 1000) finish();
  }, 10);
  socket.on("error", finish);
});
server.listen(port, "127.0.0.1", () => process.stdout.write(`ready ${server.address().port}\n`));
