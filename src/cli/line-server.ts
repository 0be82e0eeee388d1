import { createReadStream, existsSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";

// The line servers the course's exercises need, in Node: `sluice nc -lk PORT` (what you type,
// line by line, as `nc -lk` does) and `sluice feed FILE --port PORT --rate N` (a file's lines,
// paced, looping). Both listen on every interface (IPv4 and IPv6, so `localhost` reaches them
// whichever address it resolves to) and send each line to every connected client.

/** Listens on `port`; resolves once listening. A port in use is a clear error. */
function listen(port: number, onClient: (s: Socket) => void): Promise<Server> {
  const server = createServer(onClient);
  return new Promise((resolve, reject) => {
    server.once("error", (err: NodeJS.ErrnoException) =>
      reject(
        err.code === "EADDRINUSE"
          ? new Error(`port ${port} is in use: another server (an nc?) listens there; stop it or pick another port`)
          : err,
      ),
    );
    server.listen(port, () => resolve(server));
  });
}

/** The port argument as a number 1..65535, or an error naming what was given. */
export function parsePort(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > 65535) throw new Error(`a port is a whole number 1..65535, got "${text}"`);
  return n;
}

/**
 * `nc -l[k] PORT`: every line read from `input` goes to every client connected; lines typed before any client
 * connects wait for the first. Without `keep`, it ends when its first client goes away (as `nc -l`).
 */
export async function ncServer(
  port: number,
  keep: boolean,
  input: Readable = process.stdin,
  say: (s: string) => void = (s) => process.stderr.write(s),
): Promise<Server> {
  const clients = new Set<Socket>();
  const waiting: string[] = [];
  let served = false;
  const server = await listen(port, (socket) => {
    if (!keep && served) return void socket.destroy();
    served = true;
    clients.add(socket);
    say(`sluice nc: connection from ${socket.remoteAddress}:${socket.remotePort}\n`);
    for (const line of waiting.splice(0)) socket.write(line);
    socket.on("error", () => undefined);
    socket.on("close", () => {
      clients.delete(socket);
      if (!keep) server.close();
    });
  });
  say(`sluice nc: listening on port ${port}; type lines to send them${keep ? "" : " (one connection)"}\n`);
  const lines = createInterface({ input });
  lines.on("line", (line) => {
    const text = line + "\n";
    if (clients.size === 0) waiting.push(text);
    for (const c of clients) c.write(text);
  });
  lines.on("close", () => {
    for (const c of clients) c.end();
    server.close();
  });
  return server;
}

/** `feed FILE`: the file's lines at `rate` lines/s to each client, from its first line, looping unless `once`. */
export async function feedServer(
  file: string,
  port: number,
  rate: number,
  once: boolean,
  say: (s: string) => void = (s) => process.stderr.write(s),
): Promise<Server> {
  if (!existsSync(file)) throw new Error(`no file ${file} to feed`);
  if (!(rate > 0)) throw new Error(`--rate is lines per second, more than 0; got ${rate}`);
  const server = await listen(port, (socket) => void feed(socket));
  say(`sluice feed: ${file} at ${rate} lines/s on port ${port}${once ? "" : ", looping"}\n`);

  async function feed(socket: Socket): Promise<void> {
    let closed = false;
    socket.on("error", () => undefined);
    socket.on("close", () => void (closed = true));
    const start = performance.now();
    let sent = 0;
    do {
      const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
      let any = false;
      for await (const line of lines) {
        any = true;
        if (closed) break;
        const due = start + (sent / rate) * 1000;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        if (!socket.write(line + "\n")) await new Promise((r) => socket.once("drain", r));
        sent++;
      }
      lines.close();
      if (!any) break; // an empty file: nothing to loop over
    } while (!once && !closed);
    if (!closed) socket.end();
  }
  return server;
}
