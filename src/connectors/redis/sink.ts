import type { Redis } from "ioredis";
import type { BatchSink } from "../../streaming/sink.js";
import type { Connections } from "../../util/connections.js";
import { SluiceError } from "../../util/errors.js";
import { lazyModule } from "../../util/lazy.js";

const ioredis = lazyModule<typeof import("ioredis")>("ioredis");

/** Options of `saveToRedis`. */
export interface RedisSinkOptions {
  readonly url: string;
  /** The hash the pairs are written into (`HSET hash key value`). */
  readonly hash: string;
  /** Identifies the job in the batch markers (default: the hash name). */
  readonly jobId?: string;
  /** How long batch markers are kept, in seconds (default 7 days). */
  readonly markerTtlSeconds?: number;
}

// one atomic step: the batch's marker is set only if new, and the pairs are written only then
const WRITE_ONCE = `
if redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then
  for i = 2, #ARGV, 2 do redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1]) end
  return 1
end
return 0`;

/**
 * Writes a batch's `[key, value]` pairs into a Redis hash in one Lua script, at most once per
 * (job, output, batch time): a marker key is set with the writes, so a batch re-run after a
 * crash finds it and writes nothing. Values that are not strings are stored as JSON.
 */
export async function writeBatchToRedis(
  conns: Connections,
  pairs: readonly [unknown, unknown][],
  batchTime: number,
  outputId: number,
  opts: RedisSinkOptions,
): Promise<boolean> {
  const open = () => new (ioredis().Redis)(opts.url, { maxRetriesPerRequest: 3 });
  const redis = await conns.get(`redis ${opts.url}`, open, (r: Redis) => r.disconnect());
  const text = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));
  const marker = `sluice:commit:${opts.jobId ?? opts.hash}:${outputId}:${batchTime}`;
  const args = [String(opts.markerTtlSeconds ?? 7 * 24 * 3600), ...pairs.flatMap(([k, v]) => [text(k), text(v)])];
  try {
    return (await redis.eval(WRITE_ONCE, 2, marker, opts.hash, ...args)) === 1;
  } catch (err) {
    throw new SluiceError(
      `writing batch ${batchTime} to Redis hash '${opts.hash}' at ${opts.url} failed: ${(err as Error).message}`,
      { cause: err },
    );
  }
}

/** `stream.saveToRedis(opts)` as a sink: each batch's pairs written into the hash at most once. */
export function redisSink<K, V>(opts: RedisSinkOptions): BatchSink<[K, V]> {
  return { name: "saveToRedis", write: (b) => writeBatchToRedis(b.connections, b.records, b.time, b.outputId, opts) };
}
