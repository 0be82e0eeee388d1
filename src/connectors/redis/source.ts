import type { Redis } from "ioredis";
import { lazyModule } from "../../util/lazy.js";

const ioredis = lazyModule<typeof import("ioredis")>("ioredis");
import { CheckpointError } from "../../checkpoint/errors.js";
import { log } from "../../util/log.js";
import type { StreamingContext } from "../../streaming/context.js";
import { IllegalArgumentError } from "../../util/errors.js";
import { directStream, type DecodedStream } from "../direct.js";
import type { MessageFormatOptions } from "../message-format.js";
import type { OffsetRange, ReplayableSource } from "../../streaming/replayable.js";

/** An entry of a Redis stream. */
export interface StreamEntry {
  readonly id: string;
  readonly fields: Record<string, string>;
}

/** Options of `RedisStreams.createDirectStream`. */
export interface RedisStreamOptions extends Omit<MessageFormatOptions, "format"> {
  /**
   * `"json"`: each entry's `field` holds one JSON object, and the stream carries those objects. Default: the entries.
   */
  readonly format?: "json";
  /** The field holding the payload for `format` (default `"data"`). */
  readonly field?: string;
  readonly url: string;
  readonly stream: string;
  /** Consumer group whose last-delivered id records the job's committed progress (created at "0" when missing). */
  readonly group: string;
  /** Most entries one batch takes (default 100,000). */
  readonly maxRecordsPerBatch?: number;
  /** Partitions of each batch's RDD (default: the context's parallelism). */
  readonly partitions?: number;
}

/** Redis Streams as a replayable source: positions are entry ids. */
class RedisStreamSource implements ReplayableSource<StreamEntry> {
  private readonly redis: Redis;

  constructor(private readonly opts: RedisStreamOptions) {
    this.redis = new (ioredis().Redis)(opts.url, {
      lazyConnect: true,
      maxRetriesPerRequest: 3,
      retryStrategy: (n) => Math.min(2000, 100 * 2 ** n),
    });
    // a dropped connection is re-made by ioredis; the batch reading then retries (see DirectInputDStream)
    this.redis.on("error", (err: Error) => log.warn(`Redis ${opts.url}: ${err.message}`));
  }

  describe(): string {
    return `Redis ${this.opts.url} stream ${this.opts.stream} (group ${this.opts.group})`;
  }

  /** Drops the connection after a call got no answer (a half-open link); ioredis connects again. */
  reset(): void {
    this.redis.disconnect(true);
  }

  /**
   * Runs `f` on the connection; a failure names the server (a dropped connection is re-made by ioredis, the batch
   * retries).
   */
  private async call<T>(what: string, f: (r: Redis) => Promise<T>): Promise<T> {
    try {
      if (this.redis.status === "wait") await this.redis.connect();
      return await f(this.redis);
    } catch (err) {
      if (err instanceof CheckpointError || /BUSYGROUP/.test((err as Error).message)) throw err;
      throw new Error(`cannot ${what} at Redis ${this.opts.url}: ${(err as Error).message}`, { cause: err });
    }
  }

  async initialPosition(): Promise<string> {
    try {
      await this.call("create the consumer group", (r) =>
        r.xgroup("CREATE", this.opts.stream, this.opts.group, "0", "MKSTREAM"),
      );
    } catch (err) {
      if (!/BUSYGROUP/.test((err as Error).message)) throw err;
    }
    const groups = (await this.call("read the consumer group", (r) =>
      r.xinfo("GROUPS", this.opts.stream),
    )) as unknown[][];
    for (const g of groups) {
      const info = toRecord(g);
      if (info.name === this.opts.group) return String(info["last-delivered-id"] ?? "0-0");
    }
    return "0-0";
  }

  async readAfter(from: string, max: number): Promise<{ range: OffsetRange; records: StreamEntry[] }> {
    const raw = (await this.call("read entries", (r) => r.xrange(this.opts.stream, `(${from}`, "+", "COUNT", max))) as [
      string,
      string[],
    ][];
    const records = raw.map(toEntry);
    return {
      range: { from, to: records.length ? records[records.length - 1]!.id : from, count: records.length },
      records,
    };
  }

  async readRange(range: OffsetRange): Promise<StreamEntry[]> {
    if (range.count === 0) return [];
    const raw = (await this.call("read entries", (r) => r.xrange(this.opts.stream, `(${range.from}`, range.to))) as [
      string,
      string[],
    ][];
    if (raw.length < range.count) {
      throw new CheckpointError(
        "SLUICE_E_NOT_RECOVERABLE",
        `SLUICE_E_SOURCE_TRIMMED: a logged batch needs ${range.count} entries of Redis stream ` +
          `'${this.opts.stream}' in (${range.from}, ${range.to}] but only ${raw.length} remain; raise ` +
          `MAXLEN/retention or restore the stream`,
      );
    }
    return raw.map(toEntry);
  }

  async commit(range: OffsetRange): Promise<void> {
    await this.call("record progress", (r) => r.xgroup("SETID", this.opts.stream, this.opts.group, range.to));
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}

function toEntry([id, flat]: [string, string[]]): StreamEntry {
  const fields: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i]!] = flat[i + 1]!;
  return { id, fields };
}

function toRecord(flat: unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[String(flat[i])] = flat[i + 1];
  return out;
}

/**
 * Redis Streams as a direct (receiver-less), replayable input: each batch takes the entries
 * after the previous batch's last id; the range is logged before the batch runs, and the
 * consumer group's last-delivered id moves to it after the batch is committed.
 * @example RedisStreams.createDirectStream(ssc, { url: "redis://127.0.0.1:6379", stream: "events", group: "sluice" })
 */
export const RedisStreams = {
  createDirectStream: createRedisDirectStream,
};

function createRedisDirectStream(
  ssc: StreamingContext,
  opts: RedisStreamOptions & { format: "json" },
): DecodedStream<Record<string, unknown>>;
function createRedisDirectStream(ssc: StreamingContext, opts: RedisStreamOptions): DecodedStream<StreamEntry>;
function createRedisDirectStream(ssc: StreamingContext, opts: RedisStreamOptions): DecodedStream<unknown> {
  if ((opts.format as string | undefined) === "avro")
    throw new IllegalArgumentError(
      `RedisStreams.createDirectStream: Redis stream fields are read as text, so format "avro" is not offered; ` +
        `use "json"`,
    );
  const field = opts.field ?? "data";
  const encoder = new TextEncoder();
  return directStream(
    ssc,
    {
      source: new RedisStreamSource(opts),
      name: "RedisStreams.createDirectStream",
      maxRecordsPerBatch: opts.maxRecordsPerBatch,
      partitions: opts.partitions,
      payload: (e: StreamEntry) => {
        const v = e.fields[field];
        if (v === undefined) throw new Error(`entry has no field '${field}'`);
        return encoder.encode(v);
      },
      where: (e) => `redis ${opts.stream} entry ${e.id}`,
      raw: (e) => e,
    },
    opts,
  );
}
