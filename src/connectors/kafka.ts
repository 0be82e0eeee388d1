import type { Admin, ClusterMetadata, Consumer } from "@platformatic/kafka";

/** One partition of a fetch response. */
type FetchResponsePartition = Awaited<ReturnType<Consumer["fetch"]>>["responses"][number]["partitions"][number];
import { lazyModule } from "../util/lazy.js";
import { IllegalArgumentError } from "../util/errors.js";
import type { StreamingContext } from "../streaming/context.js";
import { directStream, type DecodedStream } from "./direct.js";
import type { MessageFormatOptions } from "./message-format.js";
import {
  PartitionedLogSource,
  type PartitionBounds,
  type PartitionedLog,
  type StartingOffsets,
} from "./partitioned-log.js";

/** Kafka settings, named as Spark's `kafkaParams` are. */
export interface KafkaParams {
  /** `host:port[,host:port…]`. */
  readonly "bootstrap.servers": string;
  /** The consumer group whose committed offsets record the job's progress (default `sluice-<topics>`). */
  readonly "group.id"?: string;
  /** Where a group with no committed offsets starts (default `latest`, as Spark's; `smallest`/`largest` accepted). */
  readonly "auto.offset.reset"?: "earliest" | "latest" | "smallest" | "largest";
  /** `read_committed` leaves out records of aborted transactions (default `read_uncommitted`, as Kafka's). */
  readonly "isolation.level"?: "read_committed" | "read_uncommitted";
}

/** Where a group without committed offsets starts: Spark's `startingOffsets`, by topic and partition. */
export type KafkaStartingOffsets = "earliest" | "latest" | Record<string, Record<string, number>>;

/** Options beyond `kafkaParams`: batch size, partitions, and how values are decoded. */
export interface KafkaStreamOptions extends MessageFormatOptions {
  readonly maxRecordsPerBatch?: number;
  /**
   * Records per second per partition at most (Spark's `spark.streaming.kafka.maxRatePerPartition`, also read from
   * the conf): a batch takes at most this times the batch interval from each partition.
   */
  readonly maxRatePerPartition?: number;
  readonly partitions?: number;
  /**
   * Where a group without committed offsets starts (`"earliest"`, `"latest"`, or `{ "events": { "0": 23 } }` with
   * `latest` for partitions not named); overrides `auto.offset.reset`, as Spark's `startingOffsets`.
   */
  readonly startingOffsets?: KafkaStartingOffsets;
  /** Records deleted before they were read: stop the job (true, default) or skip them with a warning (false). */
  readonly failOnDataLoss?: boolean;
}

/** What `messageHandler` gets for each record: Kafka's ConsumerRecord, its key as text, its value decoded. */
export interface ConsumerRecord<V = string> {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  /** Milliseconds since the epoch, as the producer (or the broker) stamped it. */
  readonly timestamp: number;
  readonly key: string | null;
  readonly value: V;
  readonly headers: readonly [string, string | null][];
}

/** A record as read: its place, its key and value bytes, its timestamp (ms) and headers (Kafka's ConsumerRecord). */
export interface KafkaRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
  readonly key: Buffer | undefined;
  readonly value: Buffer | undefined;
  readonly timestamp?: number;
  readonly headers?: readonly [string, Buffer | null][];
}

/** Bytes fetched per partition per request. */
const PARTITION_FETCH_BYTES = 4 * 1024 * 1024;
/** A record batch holding a transaction's commit or abort marker, not records. */
const CONTROL_BATCH = 0x20;
/** A record batch written inside a transaction. */
const TRANSACTIONAL_BATCH = 0x10;

const EMPTY = Buffer.alloc(0);
const kafkaLib = lazyModule<typeof import("@platformatic/kafka")>("@platformatic/kafka");

/** A partition's name in positions (`events/3`) as its topic and number. */
function topicPartition(name: string): [string, number] {
  const cut = name.lastIndexOf("/");
  return [name.slice(0, cut), Number(name.slice(cut + 1))];
}

/** `startingOffsets` as the partitioned source takes them. */
function startingFrom(s: KafkaStartingOffsets): StartingOffsets {
  if (s === "earliest" || s === "latest") return s;
  if (s === null || typeof s !== "object")
    throw new IllegalArgumentError(`startingOffsets is "earliest", "latest" or { topic: { partition: offset } }`);
  const out = new Map<string, bigint>();
  for (const [topic, parts] of Object.entries(s))
    for (const [p, o] of Object.entries(parts)) {
      if (!Number.isInteger(o) || o < 0)
        throw new IllegalArgumentError(`startingOffsets ${topic}/${p}: an offset is a whole number >= 0, got ${o}`);
      out.set(`${topic}/${p}`, BigInt(o));
    }
  return out;
}

/** The ConsumerRecord `messageHandler` gets. */
function consumerRecord<V>(r: KafkaRecord, value: V): ConsumerRecord<V> {
  return {
    topic: r.topic,
    partition: r.partition,
    offset: Number(r.offset),
    timestamp: r.timestamp ?? 0,
    key: keyText(r),
    value,
    headers: (r.headers ?? []).map(([k, v]) => [k, v === null ? null : v.toString("utf8")]),
  };
}

/** A record's key as UTF-8 text, or null (PySpark's default key decoder). */
function keyText(r: KafkaRecord): string | null {
  return r.key === undefined || r.key === null ? null : r.key.toString("utf8");
}

/**
 * Kafka through `@platformatic/kafka`: offsets listed by a consumer, progress kept as the group's committed offsets
 * (set by the admin client).
 */
class KafkaLog implements PartitionedLog<KafkaRecord> {
  private clients: { admin: Admin; lister: Consumer } | undefined;

  /** The topics read now: the given ones, or those matching the pattern when `bounds` last looked. */
  private topics: string[];

  constructor(
    topics: string[] | RegExp,
    private readonly brokers: string[],
    private readonly groupId: string,
    /** 0: read_uncommitted, 1: read_committed. */
    private readonly isolation: 0 | 1 = 0,
  ) {
    this.pattern = topics instanceof RegExp ? topics : undefined;
    this.topics = topics instanceof RegExp ? [] : topics;
  }

  /** `subscribePattern`: topics are listed every batch, so a topic created while the job runs is read too. */
  private readonly pattern: RegExp | undefined;

  /** The admin client and the offsets consumer, made on first use. */
  private get admin(): Admin {
    return this.made().admin;
  }

  private get lister(): Consumer {
    return this.made().lister;
  }

  private made(): { admin: Admin; lister: Consumer } {
    const { Admin, Consumer } = kafkaLib();
    this.clients ??= {
      admin: new Admin({ clientId: "sluice-admin", bootstrapBrokers: this.brokers, retries: 3 }),
      lister: new Consumer({
        clientId: "sluice-offsets",
        groupId: `${this.groupId}.sluice-offsets`,
        bootstrapBrokers: this.brokers,
        retries: 3,
      }),
    };
    return this.clients;
  }

  describe(): string {
    const what = this.pattern ? `topics /${this.pattern.source}/` : `topics ${this.topics.join(",")}`;
    return `Kafka ${this.brokers.join(",")} ${what} (group ${this.groupId})`;
  }

  /** Drops the clients after a call got no answer; the next call makes new ones. */
  reset(): void {
    void this.close();
  }

  private async reach<T>(what: string, f: () => Promise<T>): Promise<T> {
    try {
      return await f();
    } catch (err) {
      throw new Error(`cannot ${what} at Kafka ${this.brokers.join(",")}: ${(err as Error).message}`, { cause: err });
    }
  }

  async bounds(): Promise<Map<string, PartitionBounds>> {
    if (this.pattern) {
      const all = await this.reach("list topics", () => this.admin.listTopics());
      const found = all.filter((t) => !t.startsWith("__") && this.pattern!.test(t)).sort();
      if (found.join(",") !== this.topics.join(",")) this.metadata = undefined;
      this.topics = found;
      if (found.length === 0) return new Map();
    }
    // with read_committed the end is the last stable offset: records of open transactions wait for a later batch
    const [earliest, latest] = await this.reach("list offsets", () =>
      Promise.all([
        this.lister.listOffsets({ topics: this.topics, timestamp: -2n }),
        this.lister.listOffsets({ topics: this.topics, timestamp: -1n, isolationLevel: this.isolation }),
      ]),
    );
    const out = new Map<string, PartitionBounds>();
    for (const [topic, offsets] of latest)
      offsets.forEach((l, i) => out.set(`${topic}/${i}`, { earliest: earliest.get(topic)?.[i] ?? 0n, latest: l }));
    return out;
  }

  async committed(): Promise<Map<string, bigint>> {
    const groups = await this.reach("list the group's offsets", () =>
      this.admin.listConsumerGroupOffsets({ groups: [this.groupId] }),
    );
    const out = new Map<string, bigint>();
    for (const g of groups)
      for (const t of g.topics)
        for (const p of t.partitions)
          if ((this.pattern ? this.pattern.test(t.name) : this.topics.includes(t.name)) && p.committedOffset >= 0n)
            out.set(`${t.name}/${p.partitionIndex}`, p.committedOffset);
    return out;
  }

  /** The topics' leaders and ids, refreshed when a fetch finds them changed. */
  private metadata: Promise<ClusterMetadata> | undefined;

  private topicMetadata(refresh = false): Promise<ClusterMetadata> {
    if (refresh || !this.metadata) {
      this.metadata = this.reach("read the topics' metadata", () =>
        this.lister.metadata({ topics: this.topics, forceUpdate: true }),
      );
      this.metadata.catch(() => (this.metadata = undefined));
    }
    return this.metadata;
  }

  /**
   * The records of `[from, until)` of one partition, fetched from its leader without joining any group (the
   * job's consumer group only records its progress), several requests if the range is large; partitions are read
   * in parallel over the stream's one client. Transaction markers are skipped, and with `read_committed` the
   * records of aborted transactions too.
   */
  async read(name: string, from: bigint, until: bigint): Promise<KafkaRecord[]> {
    const [topic, partition] = topicPartition(name);
    const out: KafkaRecord[] = [];
    const aborted = new Map<bigint, bigint>(); // producer id → first offset of its aborted transaction
    let offset = from;
    let emptyFetches = 0;
    let refresh = false;
    while (offset < until) {
      const meta = await this.topicMetadata(refresh);
      const t = meta.topics.get(topic);
      const leader = t?.partitions[partition]?.leader;
      if (!t || leader === undefined || leader < 0) {
        if (refresh) throw new Error(`Kafka ${this.brokers.join(",")} has no leader for ${topic}/${partition}`);
        refresh = true;
        continue;
      }
      const response = await this.reach(`read ${topic}/${partition}`, () =>
        this.lister.fetch({
          node: leader,
          maxWaitTime: 100,
          minBytes: 1,
          maxBytes: PARTITION_FETCH_BYTES,
          isolationLevel: this.isolation,
          topics: [
            {
              topicId: t.id,
              partitions: [
                {
                  partition,
                  currentLeaderEpoch: -1,
                  fetchOffset: offset,
                  lastFetchedEpoch: -1,
                  partitionMaxBytes: PARTITION_FETCH_BYTES,
                },
              ],
            },
          ],
        }),
      );
      const part = response.responses[0]?.partitions.find((x) => x.partitionIndex === partition);
      if (!part || part.errorCode !== 0) {
        // a moved leader or a stale id: look the partition up again, once, before giving up on this read
        if (refresh) throw new Error(`reading ${topic}/${partition} at ${offset}: Kafka error code ${part?.errorCode}`);
        refresh = true;
        continue;
      }
      refresh = false;
      const before = offset;
      offset = this.collect(part, topic, partition, offset, until, aborted, out);
      if (offset === before) {
        // nothing past `offset` yet though the range was planned from the partition's end: wait a little, then fail
        if (++emptyFetches > 50) {
          throw new Error(
            `Kafka returned nothing for ${topic}/${partition} from offset ${offset} (range ends ${until})`,
          );
        }
      } else emptyFetches = 0;
    }
    return out;
  }

  /** Adds the records of one fetched partition within `[offset, until)` to `out`; returns the next offset to fetch. */
  private collect(
    part: FetchResponsePartition,
    topic: string,
    partition: number,
    offset: bigint,
    until: bigint,
    aborted: Map<bigint, bigint>,
    out: KafkaRecord[],
  ): bigint {
    const committedOnly = this.isolation === 1;
    if (committedOnly) for (const a of part.abortedTransactions) aborted.set(a.producerId, a.firstOffset);
    let next = offset;
    for (const batch of part.records ?? []) {
      const last = batch.firstOffset + BigInt(batch.lastOffsetDelta);
      if (last < offset) continue;
      if (batch.attributes & CONTROL_BATCH) {
        aborted.delete(batch.producerId); // the transaction's end: later batches of this producer are new ones
      } else if (!(
        committedOnly &&
        batch.attributes & TRANSACTIONAL_BATCH &&
        (aborted.get(batch.producerId) ?? last + 1n) <= last
      )) {
        for (const r of batch.records) {
          const at = batch.firstOffset + BigInt(r.offsetDelta);
          if (at < offset || at >= until) continue;
          out.push({
            topic,
            partition,
            offset: at,
            key: r.key ?? undefined,
            value: r.value ?? undefined,
            timestamp: Number(batch.firstTimestamp + r.timestampDelta),
            headers: r.headers.map(([k, v]: [Buffer | null, Buffer | null]): [string, Buffer | null] => [
              k?.toString("utf8") ?? "",
              v,
            ]),
          });
        }
      }
      next = last + 1n > next ? last + 1n : next;
    }
    return next > until ? until : next;
  }

  async commit(next: Map<string, bigint>): Promise<void> {
    const byTopic = new Map<string, { partition: number; offset: bigint }[]>();
    for (const [name, offset] of next) {
      const [topic, partition] = topicPartition(name);
      const list = byTopic.get(topic) ?? [];
      list.push({ partition, offset });
      byTopic.set(topic, list);
    }
    await this.reach("commit offsets", () =>
      this.admin.alterConsumerGroupOffsets({
        groupId: this.groupId,
        topics: [...byTopic].map(([name, partitionOffsets]) => ({ name, partitionOffsets })),
      }),
    );
  }

  async close(): Promise<void> {
    const c = this.clients;
    this.clients = undefined;
    this.metadata = undefined;
    if (c) await Promise.allSettled([c.admin.close(), c.lister.close(true)]);
  }
}

/**
 * Kafka as a direct, replayable input (Spark's `KafkaUtils.createDirectStream`): each batch's
 * range is a set of per-partition offsets, logged before the batch runs and committed to the
 * group after it is committed. Records are `[key, value]` (UTF-8 text, or the decoded value with `format`).
 * @example KafkaUtils.createDirectStream(ssc, ["events"], { "bootstrap.servers": "127.0.0.1:9092" })
 */
export const KafkaUtils = {
  createDirectStream: createKafkaDirectStream,
};

function createKafkaDirectStream<T>(
  ssc: StreamingContext,
  topics: string[] | RegExp,
  kafkaParams: KafkaParams,
  opts: KafkaStreamOptions & { messageHandler: (r: ConsumerRecord<string>) => T; format?: undefined },
): DecodedStream<T>;
function createKafkaDirectStream<T>(
  ssc: StreamingContext,
  topics: string[] | RegExp,
  kafkaParams: KafkaParams,
  opts: KafkaStreamOptions & {
    messageHandler: (r: ConsumerRecord<Record<string, unknown>>) => T;
    format: "json" | "avro";
  },
): DecodedStream<T>;
function createKafkaDirectStream(
  ssc: StreamingContext,
  topics: string[] | RegExp,
  kafkaParams: KafkaParams,
  opts: KafkaStreamOptions & { format: "json" | "avro" },
): DecodedStream<[string | null, Record<string, unknown>]>;
function createKafkaDirectStream(
  ssc: StreamingContext,
  topics: string[] | RegExp,
  kafkaParams: KafkaParams,
  opts?: KafkaStreamOptions,
): DecodedStream<[string | null, string]>;
function createKafkaDirectStream(
  ssc: StreamingContext,
  topics: string[] | RegExp,
  kafkaParams: KafkaParams,
  opts: KafkaStreamOptions & { messageHandler?: (r: ConsumerRecord<never>) => unknown } = {},
): DecodedStream<unknown> {
  if (!(topics instanceof RegExp) && (!Array.isArray(topics) || topics.length === 0))
    throw new IllegalArgumentError("KafkaUtils.createDirectStream needs at least one topic, or a RegExp of topics");
  const servers = kafkaParams["bootstrap.servers"];
  if (typeof servers !== "string" || servers.trim() === "")
    throw new IllegalArgumentError(
      `kafkaParams needs "bootstrap.servers" (host:port[,host:port]), got ${JSON.stringify(servers)}`,
    );
  const reset = kafkaParams["auto.offset.reset"] ?? "latest";
  const starting: StartingOffsets = startingFrom(
    opts.startingOffsets ?? (reset === "earliest" || reset === "smallest" ? "earliest" : "latest"),
  );
  const isolation = kafkaParams["isolation.level"] ?? "read_uncommitted";
  if (isolation !== "read_committed" && isolation !== "read_uncommitted")
    throw new IllegalArgumentError(
      `kafkaParams "isolation.level" is read_committed or read_uncommitted, got ${isolation}`,
    );
  const log = new KafkaLog(
    topics,
    servers.split(",").map((s) => s.trim()),
    kafkaParams["group.id"] ??
      `sluice-${topics instanceof RegExp ? topics.source.replace(/\W+/g, "_") : topics.join("-")}`,
    isolation === "read_committed" ? 1 : 0,
  );
  const rate =
    opts.maxRatePerPartition ?? Number(ssc.sparkContext.conf.get("spark.streaming.kafka.maxRatePerPartition", "0"));
  const perPartition = rate > 0 ? Math.max(1, Math.floor((rate * ssc.batchMs) / 1000)) : Infinity;
  const source = new PartitionedLogSource(log, starting, perPartition, opts.failOnDataLoss ?? true);
  return keyedStream(ssc, source, "KafkaUtils.createDirectStream", opts);
}

/**
 * A direct stream of `[key, value]` over a partitioned source of Kafka-shaped records (shared with tests' in-memory
 * logs).
 */
export function keyedStream(
  ssc: StreamingContext,
  source: PartitionedLogSource<KafkaRecord>,
  name: string,
  opts: KafkaStreamOptions & { messageHandler?: (r: ConsumerRecord<never>) => unknown },
): DecodedStream<unknown> {
  const handler = opts.messageHandler as ((r: ConsumerRecord<unknown>) => unknown) | undefined;
  if (handler !== undefined && typeof handler !== "function")
    throw new IllegalArgumentError("messageHandler must be a function of a ConsumerRecord");
  const stream = directStream(
    ssc,
    {
      source,
      name,
      maxRecordsPerBatch: opts.maxRecordsPerBatch,
      partitions: opts.partitions,
      payload: (r: KafkaRecord) => r.value ?? EMPTY,
      where: (r) => `kafka ${r.topic}/${r.partition} offset ${r.offset}`,
      raw: (r) => {
        const value = (r.value ?? EMPTY).toString("utf8");
        return handler ? handler(consumerRecord(r, value)) : [keyText(r), value];
      },
      shape: (r, value) => (handler ? handler(consumerRecord(r, value)) : [keyText(r), value]),
    },
    opts,
  );
  return stream;
}
