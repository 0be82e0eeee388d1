import type { NatsConnection } from "@nats-io/transport-node";
import type { KV } from "@nats-io/kv";
import { lazyModule, RetryingOnce } from "../../util/lazy.js";

const natsLib = lazyModule<typeof import("@nats-io/transport-node")>("@nats-io/transport-node");
const jetstreamLib = lazyModule<typeof import("@nats-io/jetstream")>("@nats-io/jetstream");
const kvLib = lazyModule<typeof import("@nats-io/kv")>("@nats-io/kv");
import { CheckpointError } from "../../checkpoint/errors.js";
import type { StreamingContext } from "../../streaming/context.js";
import { directStream, type DecodedStream } from "../direct.js";
import type { MessageFormatOptions } from "../message-format.js";
import type { OffsetRange, ReplayableSource } from "../../streaming/replayable.js";

/** A message of a JetStream stream. */
export interface JetStreamMessage {
  readonly seq: number;
  readonly subject: string;
  readonly data: string;
}

/** A message as read, before it becomes a record. */
interface RawMessage {
  readonly seq: number;
  readonly subject: string;
  readonly bytes: Uint8Array;
}

/** Options of `NatsJetStreamUtils.createDirectStream` (with `format`, the stream carries decoded objects). */
export interface NatsJetStreamOptions extends MessageFormatOptions {
  readonly servers: string;
  readonly stream: string;
  /** Subject filter (default: every subject of the stream). */
  readonly subject?: string;
  /**
   * The name under which the job's committed position is kept at the server (a key-value bucket), so a fresh job
   * resumes there.
   */
  readonly durable: string;
  readonly maxRecordsPerBatch?: number;
  readonly partitions?: number;
}

const decoder = new TextDecoder();

/** NATS JetStream as a replayable source: positions are stream sequence numbers. */
class JetStreamSource implements ReplayableSource<RawMessage> {
  /** The connection, made on first use (a failed attempt is tried again by the next read). */
  private readonly conn = new RetryingOnce(async () => {
    let nc: NatsConnection;
    try {
      nc = await natsLib().connect({ servers: this.opts.servers, maxReconnectAttempts: -1, reconnectTimeWait: 500 });
    } catch (err) {
      throw new Error(`cannot reach NATS at ${this.opts.servers}: ${(err as Error).message}`, { cause: err });
    }
    return { nc, js: jetstreamLib().jetstream(nc), jsm: await jetstreamLib().jetstreamManager(nc) };
  });

  /** The bucket where committed positions are kept, one key per durable name. */
  private readonly kv = new RetryingOnce(async (): Promise<KV> => {
    const { nc } = await this.connected();
    return new (kvLib().Kvm)(nc).create(`sluice_progress_${this.opts.stream}`.replace(/[^A-Za-z0-9_-]/g, "_"));
  });

  constructor(private readonly opts: NatsJetStreamOptions) {}

  describe(): string {
    const subject = this.opts.subject ? ` ${this.opts.subject}` : "";
    return `NATS ${this.opts.servers} stream ${this.opts.stream}${subject} (${this.opts.durable})`;
  }

  /** Drops the connection after a call got no answer (a half-open link); the next call connects again. */
  reset(): void {
    this.kv.take();
    void this.conn.take()?.then(
      ({ nc }) => nc.close(),
      () => undefined,
    );
  }

  /** `f`, its failure naming the server and the stream (a NATS timeout says neither). */
  private async named<R>(what: string, f: () => Promise<R>): Promise<R> {
    try {
      return await f();
    } catch (err) {
      if (err instanceof CheckpointError) throw err;
      const message = (err as Error).message;
      if (message.includes(this.opts.servers)) throw err;
      throw new Error(`${what} from NATS ${this.opts.servers} stream ${this.opts.stream}: ${message}`, { cause: err });
    }
  }

  private connected() {
    return this.conn.get();
  }

  private progress(): Promise<KV> {
    return this.kv.get();
  }

  async initialPosition(): Promise<string> {
    const entry = await this.named("reading the committed position", async () =>
      (await this.progress()).get(this.opts.durable),
    );
    return entry && entry.string() !== "" ? entry.string() : "0";
  }

  /** Messages after `from` (at most `max`, and not past `upTo`), read by an ordered consumer. */
  private async read(from: number, max: number, upTo: number): Promise<RawMessage[]> {
    const { js, jsm } = await this.connected();
    const last = (await jsm.streams.info(this.opts.stream)).state.last_seq;
    if (last <= from || max <= 0) return [];
    const consumer = await js.consumers.get(this.opts.stream, {
      opt_start_seq: from + 1,
      filter_subjects: this.opts.subject,
    });
    const out: RawMessage[] = [];
    const batch = await consumer.fetch({ max_messages: max, expires: 2000 });
    for await (const m of batch) {
      if (m.seq > upTo) break;
      out.push({ seq: m.seq, subject: m.subject, bytes: m.data });
      if (out.length >= max || m.seq >= Math.min(upTo, last) || m.info.pending === 0) break;
    }
    return out;
  }

  async readAfter(from: string, max: number): Promise<{ range: OffsetRange; records: RawMessage[] }> {
    const records = await this.named("reading", () => this.read(Number(from), max, Infinity));
    return {
      range: { from, to: records.length ? String(records[records.length - 1]!.seq) : from, count: records.length },
      records,
    };
  }

  async readRange(range: OffsetRange): Promise<RawMessage[]> {
    if (range.count === 0) return [];
    const records = await this.named("re-reading", () => this.read(Number(range.from), range.count, Number(range.to)));
    if (records.length < range.count) {
      const { jsm } = await this.connected();
      const first = (await jsm.streams.info(this.opts.stream)).state.first_seq;
      // fewer than logged while they are all still kept: a fetch cut short (a dropped connection); the batch retries
      if (first <= Number(range.from) + 1)
        throw new Error(
          `read ${records.length} of the ${range.count} messages of (${range.from}, ${range.to}] from NATS ` +
            `${this.opts.servers}`,
        );
      throw new CheckpointError(
        "SLUICE_E_NOT_RECOVERABLE",
        `SLUICE_E_SOURCE_TRIMMED: a logged batch needs ${range.count} messages of JetStream stream ` +
          `'${this.opts.stream}' in (${range.from}, ${range.to}] but only ${records.length} remain; raise the ` +
          `stream's retention or restore it`,
      );
    }
    return records;
  }

  /** Records the range's end as the durable name's committed position (a key-value bucket on the same server). */
  async commit(range: OffsetRange): Promise<void> {
    await this.named("committing", async () => (await this.progress()).put(this.opts.durable, range.to));
  }

  async close(): Promise<void> {
    const c = this.conn.take();
    if (c)
      await c.then(
        ({ nc }) => nc.drain(),
        () => undefined,
      );
  }
}

/**
 * NATS JetStream as a direct, replayable input: each batch takes the messages after the
 * previous batch's last sequence number; the range is logged before the batch runs, and the
 * committed position is stored at the server under `durable` after the batch is committed.
 * @example NatsJetStreamUtils.createDirectStream(ssc, { servers: "127.0.0.1:4222", stream: "EVENTS", durable: "sluice"
 * })
 */
export const NatsJetStreamUtils = {
  createDirectStream: createJetStreamDirectStream,
};

function createJetStreamDirectStream(
  ssc: StreamingContext,
  opts: NatsJetStreamOptions & { format: "json" | "avro" },
): DecodedStream<Record<string, unknown>>;
function createJetStreamDirectStream(
  ssc: StreamingContext,
  opts: NatsJetStreamOptions,
): DecodedStream<JetStreamMessage>;
function createJetStreamDirectStream(ssc: StreamingContext, opts: NatsJetStreamOptions): DecodedStream<unknown> {
  return directStream(
    ssc,
    {
      source: new JetStreamSource(opts),
      name: "NatsJetStreamUtils.createDirectStream",
      maxRecordsPerBatch: opts.maxRecordsPerBatch,
      partitions: opts.partitions,
      payload: (m: RawMessage) => m.bytes,
      where: (m) => `nats ${opts.stream} seq ${m.seq}`,
      raw: (m): JetStreamMessage => ({ seq: m.seq, subject: m.subject, data: decoder.decode(m.bytes) }),
    },
    opts,
  );
}
