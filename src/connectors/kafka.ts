import type { Admin, Consumer, Message } from "@platformatic/kafka";
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
}

/** Options beyond `kafkaParams`: batch size, partitions, and how values are decoded. */
export interface KafkaStreamOptions extends MessageFormatOptions {
  readonly maxRecordsPerBatch?: number;
  readonly partitions?: number;
}

/** A record as read: its place and its key and value bytes. */
export interface KafkaRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
  readonly key: Buffer | undefined;
  readonly value: Buffer | undefined;
}

const EMPTY = Buffer.alloc(0);
const kafkaLib = lazyModule<typeof import("@platformatic/kafka")>("@platformatic/kafka");

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
  private reads: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly topics: string[],
    private readonly brokers: string[],
    private readonly groupId: string,
  ) {}

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
    return `Kafka ${this.brokers.join(",")} topics ${this.topics.join(",")} (group ${this.groupId})`;
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
    const [earliest, latest] = await this.reach("list offsets", () =>
      Promise.all([
        this.lister.listOffsets({ topics: this.topics, timestamp: -2n }),
        this.lister.listOffsets({ topics: this.topics, timestamp: -1n }),
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
          if (this.topics.includes(t.name) && p.committedOffset >= 0n)
            out.set(`${t.name}/${p.partitionIndex}`, p.committedOffset);
    return out;
  }

  /** Reads are one at a time: each joins a reader group that owns the topic's partitions while it reads. */
  read(partition: string, from: bigint, until: bigint): Promise<KafkaRecord[]> {
    const next = this.reads.then(() => this.readOne(partition, from, until));
    this.reads = next.catch(() => undefined);
    return next;
  }

  private async readOne(name: string, from: bigint, until: bigint): Promise<KafkaRecord[]> {
    const cut = name.lastIndexOf("/");
    const topic = name.slice(0, cut);
    const partition = Number(name.slice(cut + 1));
    const reader = new (kafkaLib().Consumer)({
      clientId: "sluice-reader",
      groupId: `${this.groupId}.sluice-reader`,
      bootstrapBrokers: this.brokers,
      retries: 3,
    });
    const out: KafkaRecord[] = [];
    try {
      const stream = await this.reach("read", () =>
        reader.consume({
          topics: [topic],
          mode: "manual",
          offsets: [{ topic, partition, offset: from }],
          autocommit: false,
          maxWaitTime: 500,
        }),
      );
      try {
        for await (const m of stream as AsyncIterable<Message>) {
          if (m.topic !== topic || m.partition !== partition || m.offset < from) continue;
          if (m.offset < until) out.push({ topic, partition, offset: m.offset, key: m.key, value: m.value });
          if (m.offset >= until - 1n) break;
        }
      } finally {
        await stream.close();
      }
    } finally {
      await reader.close(true);
    }
    return out;
  }

  async commit(next: Map<string, bigint>): Promise<void> {
    const byTopic = new Map<string, { partition: number; offset: bigint }[]>();
    for (const [name, offset] of next) {
      const cut = name.lastIndexOf("/");
      const list = byTopic.get(name.slice(0, cut)) ?? [];
      list.push({ partition: Number(name.slice(cut + 1)), offset });
      byTopic.set(name.slice(0, cut), list);
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

function createKafkaDirectStream(
  ssc: StreamingContext,
  topics: string[],
  kafkaParams: KafkaParams,
  opts: KafkaStreamOptions & { format: "json" | "avro" },
): DecodedStream<[string | null, Record<string, unknown>]>;
function createKafkaDirectStream(
  ssc: StreamingContext,
  topics: string[],
  kafkaParams: KafkaParams,
  opts?: KafkaStreamOptions,
): DecodedStream<[string | null, string]>;
function createKafkaDirectStream(
  ssc: StreamingContext,
  topics: string[],
  kafkaParams: KafkaParams,
  opts: KafkaStreamOptions = {},
): DecodedStream<unknown> {
  if (!Array.isArray(topics) || topics.length === 0)
    throw new IllegalArgumentError("KafkaUtils.createDirectStream needs at least one topic");
  const servers = kafkaParams["bootstrap.servers"];
  if (typeof servers !== "string" || servers.trim() === "")
    throw new IllegalArgumentError(
      `kafkaParams needs "bootstrap.servers" (host:port[,host:port]), got ${JSON.stringify(servers)}`,
    );
  const reset = kafkaParams["auto.offset.reset"] ?? "latest";
  const starting: StartingOffsets = reset === "earliest" || reset === "smallest" ? "earliest" : "latest";
  const log = new KafkaLog(
    topics,
    servers.split(",").map((s) => s.trim()),
    kafkaParams["group.id"] ?? `sluice-${topics.join("-")}`,
  );
  return keyedStream(ssc, new PartitionedLogSource(log, starting), "KafkaUtils.createDirectStream", opts);
}

/**
 * A direct stream of `[key, value]` over a partitioned source of Kafka-shaped records (shared with tests' in-memory
 * logs).
 */
export function keyedStream(
  ssc: StreamingContext,
  source: PartitionedLogSource<KafkaRecord>,
  name: string,
  opts: KafkaStreamOptions,
): DecodedStream<unknown> {
  const stream = directStream(
    ssc,
    {
      source,
      name,
      maxRecordsPerBatch: opts.maxRecordsPerBatch,
      partitions: opts.partitions,
      payload: (r: KafkaRecord) => r.value ?? EMPTY,
      where: (r) => `kafka ${r.topic}/${r.partition} offset ${r.offset}`,
      raw: (r): [string | null, string] => [keyText(r), (r.value ?? EMPTY).toString("utf8")],
      shape: (r, value) => [keyText(r), value],
    },
    opts,
  );
  return stream;
}
