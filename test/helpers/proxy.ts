import { createServer, connect, type Server, type Socket } from "node:net";
import { after } from "node:test";

/** A TCP proxy in front of a loopback service, to drop its connections mid-stream like a broker restart would. */
export interface CuttableProxy {
  readonly port: number;
  /** Connections made through the proxy so far. */
  readonly connections: number;
  /** Drops every open connection; with `refuseMs`, new ones are refused for that long (the broker "restarting"). */
  cut(refuseMs?: number): void;
  /** While on, bytes from the client are swallowed: connections stay open but nothing answers (a half-open link). */
  stall(on: boolean): void;
  close(): Promise<void>;
}

export async function cuttableProxy(targetPort: number, targetHost = "127.0.0.1"): Promise<CuttableProxy> {
  const open = new Set<Socket>();
  let refuseUntil = 0;
  let connections = 0;
  let stalled = false;
  const server: Server = createServer((client) => {
    if (Date.now() < refuseUntil) {
      client.destroy();
      return;
    }
    connections++;
    const upstream = connect(targetPort, targetHost);
    for (const [a, b] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      open.add(a);
      a.on("error", () => b.destroy());
      a.on("close", () => (open.delete(a), b.destroy()));
      a.on("data", (chunk: Buffer) => {
        if (!(stalled && a === client)) b.write(chunk);
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  const proxy: CuttableProxy = {
    port,
    get connections() {
      return connections;
    },
    stall(on: boolean) {
      stalled = on;
    },
    cut(refuseMs = 0) {
      refuseUntil = Date.now() + refuseMs;
      for (const s of open) s.destroy();
    },
    async close() {
      proxy.cut();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  after(() => proxy.close());
  return proxy;
}
