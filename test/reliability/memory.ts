// T16: the memory job run under `node --max-old-space-size`, its source offering `overload`
// times what its sink keeps, with or without backpressure; reports the peak heap (and its share
// of --max-old-space-size), the longest batch queue, how the run ended (alive, SLUICE_E_MEMORY, or a V8
// abort), how long the backlog took to drain once the overload ended, and records lost.
import { spawn } from "node:child_process";
import { createServer, type Server, type Socket } from "node:net";
import { resolve } from "node:path";

export interface MemoryTrial {
  source: "socket" | "reliable";
  overload: number;
  backpressure: boolean;
  heapMb: number;
  seconds: number;
  /** What the sink keeps, records/s. */
  capacity?: number;
  conf?: Record<string, string>;
  /** Longest wait for the backlog to drain after the overload, seconds (default 120). */
  drainLimitSeconds?: number;
}

export interface MemoryOutcome {
  source: string;
  overload: number;
  backpressure: boolean;
  /** `--max-old-space-size`, MB. */
  heapMb: number;
  ended: "alive" | "SLUICE_E_MEMORY" | "V8 abort" | "other";
  /** The largest heap in use seen (sampled every 100 ms), MB, and as a share of `--max-old-space-size`. */
  peakHeapMb: number;
  peakHeapPct: number;
  maxQueuedBatches: number;
  /** Seconds from the end of the overload until every record offered was processed. */
  drainSeconds?: number;
  offered: number;
  processed: number;
  lost: number;
  detail?: string;
}

interface Report {
  heapUsed: number;
  queued: number;
  processed: number;
  acked?: number;
}

/**
 * Serves lines to one connection at `rate` while TCP takes them; while it pushes back the producer waits and then
 * goes on at `rate` (what it could not send meanwhile is not made up). `sent` counts what was written.
 */
function lineServer(rate: number, seconds: number): { server: Server; sent: () => number } {
  let sent = 0;
  let served = false;
  const server = createServer((socket: Socket) => {
    // one connection: the receiver's reconnect after the end finds nothing more to read
    if (served) return void socket.destroy();
    served = true;
    let last = performance.now();
    let owed = 0;
    let over = false;
    setTimeout(() => {
      over = true;
      socket.end(); // what was written is still delivered
    }, seconds * 1000);
    const pump = (): void => {
      if (over) return;
      const now = performance.now();
      owed += ((now - last) / 1000) * rate;
      last = now;
      let chunk = "";
      for (; owed >= 1; owed--, sent++) chunk += `w${sent % 1000} w${(sent * 7) % 1000} n${sent}\n`;
      const resume = (): void => {
        last = performance.now();
        setTimeout(pump, 10);
      };
      if (chunk && !socket.write(chunk)) socket.once("drain", resume);
      else setTimeout(pump, 10);
    };
    socket.on("error", () => undefined);
    pump();
  });
  return { server, sent: () => sent };
}

export async function runMemoryTrial(t: MemoryTrial): Promise<MemoryOutcome> {
  const capacity = t.capacity ?? 50_000;
  const rate = t.overload * capacity;
  const lines = t.source === "socket" ? lineServer(rate, t.seconds) : undefined;
  let port = 0;
  if (lines) {
    await new Promise<void>((r) => lines.server.listen(0, "127.0.0.1", r));
    port = (lines.server.address() as { port: number }).port;
  }
  const child = spawn(
    process.execPath,
    [`--max-old-space-size=${t.heapMb}`, "--import", "tsx", resolve("test/reliability/memory-job.ts")],
    {
      env: {
        ...process.env,
        SLUICE_LOG_LEVEL: "ERROR",
        T16_SOURCE: t.source,
        T16_PORT: String(port),
        T16_CAPACITY: String(capacity),
        T16_RATE: String(rate),
        T16_SECONDS: String(t.seconds),
        T16_BACKPRESSURE: String(t.backpressure),
        T16_CONF: JSON.stringify(t.conf ?? {}),
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let last: Report | undefined;
  let peak = 0;
  let maxQueued = 0;
  let error: string | undefined;
  let stderr = "";
  let buffered = "";
  let overloadEnd: number | undefined;
  let drainSeconds: number | undefined;
  const offered = () => (t.source === "socket" ? lines!.sent() : (last?.acked ?? 0));
  const started = performance.now();
  child.stdout.on("data", (d: Buffer) => {
    buffered += d;
    for (let nl = buffered.indexOf("\n"); nl >= 0; nl = buffered.indexOf("\n")) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      if (line.startsWith("T16-ERROR ")) error = line.slice(10);
      if (!line.startsWith("T16 ")) continue;
      last = JSON.parse(line.slice(4)) as Report;
      peak = Math.max(peak, last.heapUsed);
      maxQueued = Math.max(maxQueued, last.queued);
      const now = performance.now();
      if (overloadEnd === undefined && now - started >= t.seconds * 1000) overloadEnd = now;
      if (overloadEnd !== undefined && drainSeconds === undefined && last.processed >= offered() && offered() > 0) {
        drainSeconds = (now - overloadEnd) / 1000;
        child.kill("SIGTERM");
      }
      if (overloadEnd !== undefined && now - overloadEnd > (t.drainLimitSeconds ?? 120) * 1000) child.kill("SIGTERM");
    }
  });
  child.stderr.on("data", (d: Buffer) => void (stderr = (stderr + d).slice(-20_000)));
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((r) =>
    child.on("exit", (c, s) => r([c, s])),
  );
  lines?.server.close();
  const aborted = /heap out of memory|Allocation failed/.test(stderr) || signal === "SIGABRT" || code === 134;
  const ended: MemoryOutcome["ended"] = aborted
    ? "V8 abort"
    : error?.startsWith("SLUICE_E_MEMORY")
      ? "SLUICE_E_MEMORY"
      : signal === "SIGTERM" && error === undefined
        ? "alive"
        : "other";
  const processed = last?.processed ?? 0;
  return {
    source: t.source,
    overload: t.overload,
    backpressure: t.backpressure,
    heapMb: t.heapMb,
    ended,
    peakHeapMb: Math.round(peak / 1048576),
    peakHeapPct: Math.round((peak / (t.heapMb * 1048576)) * 1000) / 10,
    maxQueuedBatches: maxQueued,
    drainSeconds: drainSeconds === undefined ? undefined : Math.round(drainSeconds * 10) / 10,
    offered: offered(),
    processed,
    lost: ended === "alive" ? offered() - processed : 0,
    ...(ended === "alive" ? {} : { detail: error ?? `exit ${code ?? signal}: ${stderr.slice(-2000)}` }),
  };
}
