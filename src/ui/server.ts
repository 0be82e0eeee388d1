import { existsSync, readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { hostname, networkInterfaces } from "node:os";
import { dirname, extname, join, normalize, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { LazyMetrics } from "./metrics.js";
import { apiResponse, type AppFacts } from "./api.js";
import type { StatusStore, UiEvent } from "./status-store.js";

/** Where `npm run build:ui` puts the front end (package root `dist-ui/`). */
export const UI_FILES = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "dist-ui");

/** Paths of the single-page front end; each serves index.html and the page picks its view. */
const PAGES = new Set([
  "/streaming",
  "/streaming/batch",
  "/receivers",
  "/jobs",
  "/jobs/job",
  "/stages/stage",
  "/environment",
]);

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".map": "application/json",
};

/** The web UI's HTTP server: pages, static files, live events (SSE), `/metrics` and `/api/v1`. */
export class UiServer {
  private readonly clients = new Set<ServerResponse>();
  private readonly unsubscribe: () => void;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly store: StatusStore,
  ) {
    this.unsubscribe = store.subscribe((e) => this.broadcast(e));
  }

  /**
   * Listens on `host:port`, or the next free port (up to `maxRetries` more), as Spark's UI does;
   * port 0 takes any free port. The server does not keep the process alive.
   */
  static async start(opts: {
    host: string;
    port: number;
    maxRetries: number;
    store: StatusStore;
    metrics: LazyMetrics;
    app: AppFacts;
    /** Names besides the bound address and localhost the UI is reached by (`spark.ui.allowedHosts`). */
    allowedHosts?: readonly string[];
    /** Pages with an open event stream at most (`spark.ui.maxEventClients`, 32). */
    maxEventClients?: number;
  }): Promise<UiServer> {
    let lastError: unknown;
    for (let i = 0; i <= opts.maxRetries; i++) {
      const port = opts.port === 0 ? 0 : opts.port + i;
      const server = createServer();
      try {
        await new Promise<void>((ok, fail) => {
          server.once("error", fail);
          server.listen(port, opts.host, () => ok());
        });
      } catch (err) {
        lastError = err;
        if ((err as NodeJS.ErrnoException).code === "EADDRINUSE" && opts.port !== 0) continue;
        throw err;
      }
      server.unref();
      // open pages (their event streams) must not keep a finished job's process alive either
      server.on("connection", (socket) => socket.unref());
      const bound = (server.address() as { port: number }).port;
      const ui = new UiServer(
        server,
        `http://${opts.host.includes(":") ? `[${opts.host}]` : opts.host}:${bound}`,
        opts.store,
      );
      ui.allowedHosts = hostNames(opts.host, opts.allowedHosts ?? []);
      if (opts.maxEventClients !== undefined) ui.maxEventClients = opts.maxEventClients;
      server.on(
        "request",
        (req, res) =>
          void ui.handle(req, res, opts.metrics, opts.app).catch((err: unknown) => {
            if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
            res.end(String(err));
          }),
      );
      return ui;
    }
    throw new Error(
      `no free port for the web UI from ${opts.port} to ${opts.port + opts.maxRetries} (spark.ui.port, ` +
        `spark.port.maxRetries): ${(lastError as Error).message}`,
    );
  }

  /** Host names the server answers to (see `hostNames`). */
  allowedHosts = new Set<string>();

  /** Whether `host` (the Host header) names this server. */
  private allowedHost(host: string | undefined): boolean {
    if (!host) return false;
    const name = host.replace(/:\d+$/, "").replace(/^\[(.*)\]$/, "$1");
    return this.allowedHosts.has(name.toLowerCase());
  }

  private async handle(req: IncomingMessage, res: ServerResponse, metrics: LazyMetrics, app: AppFacts): Promise<void> {
    res.setHeader("x-content-type-options", "nosniff");
    // a page elsewhere may point a name of its own at this address (DNS rebinding): answer only our own names
    if (!this.allowedHost(req.headers.host)) return send(res, 421, "text/plain", "unknown Host");
    const path = new URL(req.url ?? "/", "http://x").pathname.replace(/\/+$/, "") || "/";
    if (req.method !== "GET" && req.method !== "HEAD") return send(res, 405, "text/plain", "GET only");
    if (path === "/") {
      res.writeHead(302, { location: "/streaming" });
      res.end();
      return;
    }
    if (path === "/metrics") {
      const registry = metrics.registry();
      return send(res, 200, registry.contentType, await registry.metrics());
    }
    if (path === "/events") return this.openEvents(res, app);
    if (path.startsWith("/api/")) {
      let text = this.apiCache.get(path);
      if (text === undefined) {
        const body = apiResponse(path, this.store, app);
        if (body === undefined)
          return send(res, 404, "application/json", JSON.stringify({ error: `unknown path ${path}` }));
        text = JSON.stringify(body, null, 2);
        if (this.apiCache.size < 256) this.apiCache.set(path, text);
      }
      return send(res, 200, "application/json", text);
    }
    if (PAGES.has(path)) return this.file(res, "index.html");
    if (path.startsWith("/static/")) return this.file(res, path.slice("/static/".length));
    send(res, 404, "text/plain", `unknown page ${path}`);
  }

  private file(res: ServerResponse, name: string): void {
    const full = normalize(join(UI_FILES, name));
    if (!full.startsWith(UI_FILES) || !existsSync(full)) {
      const hint = existsSync(UI_FILES) ? "" : ` (the front end is not built: run npm run build:ui)`;
      return send(res, 404, "text/plain", `no file ${name}${hint}`);
    }
    send(res, 200, TYPES[extname(full)] ?? "application/octet-stream", readFileSync(full));
  }

  /** Server-sent events: every batch, receiver and job change as one `update` event. At most `maxEventClients`. */
  private openEvents(res: ServerResponse, app: AppFacts): void {
    if (this.clients.size >= this.maxEventClients) {
      return send(res, 503, "text/plain", `too many open pages (${this.maxEventClients}, spark.ui.maxEventClients)`);
    }
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
    res.write(`event: hello\ndata: ${JSON.stringify({ appId: app.appId, appName: app.appName })}\n\n`);
    this.clients.add(res);
    res.on("close", () => this.clients.delete(res));
  }

  private broadcast(e: UiEvent): void {
    this.apiCache.clear(); // what the API answers has changed
    if (this.clients.size === 0) return;
    const text = `event: update\ndata: ${JSON.stringify(e)}\n\n`;
    for (const c of this.clients) {
      // a page that does not read its events would make the driver buffer them for ever: it is dropped
      if (c.writableLength > SLOW_CLIENT_BYTES) {
        this.clients.delete(c);
        c.destroy();
      } else c.write(text);
    }
  }

  /** API answers since the last change, by path (a flood of polling clients costs one answer per change). */
  private readonly apiCache = new Map<string, string>();
  /** Pages with an open event stream at most (`spark.ui.maxEventClients`). */
  maxEventClients = 32;

  async close(): Promise<void> {
    this.unsubscribe();
    for (const c of this.clients) c.end();
    this.clients.clear();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, { "content-type": type, "cache-control": "no-store" });
  res.end(body);
}

/** An event stream with this much unsent is a page that does not read: it is dropped. */
const SLOW_CLIENT_BYTES = 1024 * 1024;

/**
 * The names a UI bound to `host` answers to: that address, localhost's names, `extra`, and when
 * bound to every interface (0.0.0.0, ::) this machine's name and addresses. Other Host headers
 * are refused, so a web page elsewhere cannot read the API by pointing a name at this address.
 */
export function hostNames(host: string, extra: readonly string[]): Set<string> {
  const names = new Set([host, "localhost", "127.0.0.1", "::1", ...extra].map((n) => n.toLowerCase()));
  if (host === "0.0.0.0" || host === "::") {
    names.add(hostname().toLowerCase());
    for (const addrs of Object.values(networkInterfaces()))
      for (const a of addrs ?? []) names.add(a.address.toLowerCase());
  }
  return names;
}
