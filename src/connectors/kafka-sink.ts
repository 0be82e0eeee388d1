import type { Admin, Consumer, Producer } from "@platformatic/kafka";
import type { BatchSink, SinkBatch } from "../streaming/sink.js";
import { IllegalArgumentError, SluiceError } from "../util/errors.js";
import { lazyModule } from "../util/lazy.js";
import { log } from "../util/log.js";
import { SystemClock, withRetries } from "../util/clock.js";

const kafkaLib = lazyModule<typeof import("@platformatic/kafka")>("@platformatic/kafka");

/** Options of `publishToKafka`. */
export interface KafkaSinkOptions<T = unknown> {
  /** `host:port[,host:port…]`. */
  readonly "bootstrap.servers": string;
  readonly topic: string;
  /**
   * `exactlyOnce` (default): one Kafka transaction per batch, which also records the batch as written, so that a
   * `read_committed` consumer sees each record once even when a batch is re-run after a crash. `atLeastOnce`: the
   * idempotent producer without transactions (a re-run batch is written again).
   */
  readonly guarantee?: "exactlyOnce" | "atLeastOnce";
  /** A record's key (default: the first element of a `[key, value]` pair, else none). */
  readonly key?: (record: T) => string | Buffer | null | undefined;
  /** A record's value (default: a pair's second element, else the record; strings as they are, others as JSON). */
  readonly value?: (record: T) => string | Buffer;
  /** A record's headers. */
  readonly headers?: (record: T) => Record<string, string>;
}

const isPair = (r: unknown): r is [unknown, unknown] => Array.isArray(r) && r.length === 2;
const bytes = (x: unknown): Buffer =>
  Buffer.isBuffer(x)
    ? x
    : x instanceof Uint8Array
      ? Buffer.from(x)
      : Buffer.from(typeof x === "string" ? x : JSON.stringify(x));

/** The clients one output keeps (closed when the context stops). */
interface KafkaOutput {
  producer: Producer;
  admin: Admin;
  /** Stands for the marker group in transactions (it never joins the group). */
  marker: Consumer;
  coordinator?: number;
}

/**
 * Writes one batch. Exactly once: a transaction (its id fixed per job and output, so a restarted job fences the
 * crashed one's and aborts what it left open) holds the batch's records and an offset commit of the batch time to
 * the marker group `sluice-eos-<job>-<output>`; before writing, a batch whose time the marker group already holds
 * was written by an earlier run and is skipped.
 */
async function writeBatch<T>(b: SinkBatch<T>, opts: KafkaSinkOptions<T>): Promise<void> {
  const servers = opts["bootstrap.servers"].split(",").map((s) => s.trim());
  const exactly = (opts.guarantee ?? "exactlyOnce") === "exactlyOnce";
  const marker = `sluice-eos-${b.jobId}-${b.outputId}`;
  const key = `kafka-sink ${servers.join(",")} ${opts.topic} ${b.jobId} ${b.outputId}`;
  const clients = () =>
    b.connections
      .get(
        key,
        async (): Promise<KafkaOutput> => {
          const { Admin, Consumer, Producer } = kafkaLib();
          const clientId = `sluice-sink-${b.outputId}`;
          return {
            producer: new Producer({
              clientId,
              bootstrapBrokers: servers,
              idempotent: true,
              // Kafka's "no producer yet" (-1): @platformatic/kafka 1.35 otherwise asks as producer 0, epoch 0, and a
              // restarted job's producer is then told it is fenced by the crashed run's instead of fencing it
              ...(exactly ? { transactionalId: marker, producerId: -1n, producerEpoch: -1 } : {}),
            }),
            admin: new Admin({ clientId, bootstrapBrokers: servers }),
            marker: new Consumer({ clientId, groupId: marker, bootstrapBrokers: servers }),
          };
        },
        async (o: KafkaOutput) => {
          await Promise.allSettled([o.producer.close(), o.admin.close(), o.marker.close(true)]);
        },
      )
      .catch((err: Error) => {
        throw new SluiceError(`cannot reach Kafka at ${servers.join(",")}: ${err.message}`, { cause: err });
      });
  const messages = b.records.map((r) => {
    const k = opts.key ? opts.key(r) : isPair(r) ? r[0] : undefined;
    const value = opts.value ? opts.value(r) : isPair(r) ? r[1] : r;
    const headers = opts.headers?.(r);
    return {
      topic: opts.topic,
      key: k === null || k === undefined ? undefined : bytes(k),
      value: bytes(value),
      ...(headers ? { headers: new Map(Object.entries(headers).map(([h, v]) => [bytes(h), bytes(v)])) } : {}),
    };
  });
  if (!exactly) {
    if (messages.length > 0) await (await clients()).producer.send({ messages });
    return;
  }
  // a new transactional producer may first meet a coordinator still loading, or the transaction a crashed run left
  // open being aborted: it is made again (the failed one dropped) and the batch tried again, for up to RETRY_MS
  const attempt = async () => {
    try {
      await transactionally(await clients(), b.time, marker, opts.topic, messages);
    } catch (err) {
      await b.connections.drop(key);
      throw err;
    }
  };
  try {
    await withRetries(
      retryClock,
      retryClock.now() + RETRY_MS,
      attempt,
      () => true,
      (err, delay) =>
        log.warn(`publishToKafka ${opts.topic}: batch ${b.time}: ${kafkaErrorText(err)}; trying again in ${delay} ms`),
    );
  } catch (err) {
    throw new SluiceError(`publishToKafka ${opts.topic}: batch ${b.time} was not written: ${kafkaErrorText(err)}`, {
      cause: err,
    });
  }
}

/** The sink's retries run on real time: a batch's writes wait on the broker, not on the engine's clock. */
const retryClock = new SystemClock();

/** How long a batch's transaction is tried again before the batch fails. */
const RETRY_MS = 30_000;

/** Writes the batch in one transaction with its marker, unless the marker says an earlier run wrote it. */
async function transactionally(
  out: KafkaOutput,
  time: number,
  marker: string,
  topic: string,
  messages: { topic: string; key?: Buffer; value: Buffer }[],
): Promise<void> {
  // read each attempt: an attempt whose commit went through but whose answer was lost must not write again
  if ((await writtenUpTo(out.admin, marker, topic)) > BigInt(time)) {
    log.info(`publishToKafka ${topic}: batch ${time} was written by an earlier run; not written again`);
    return;
  }
  out.coordinator ??= await out.marker.findGroupCoordinator();
  const tx = await out.producer.beginTransaction();
  try {
    if (messages.length > 0) await tx.send({ messages });
    await tx.addConsumer(out.marker);
    await tx.addOffset({
      topic,
      partition: 0,
      offset: BigInt(time),
      metadata: { consumer: { groupId: marker, generationId: -1, memberId: "", coordinatorId: out.coordinator } },
    } as never);
    await tx.commit();
  } catch (err) {
    await tx.abort().catch(() => undefined);
    throw err;
  }
}

/** A client error with the errors it gathered (the client wraps the broker's answers in `errors`). */
function kafkaErrorText(err: unknown): string {
  const e = err as Error & { errors?: unknown[] };
  const inner = (e.errors ?? []).map((x) => kafkaErrorText(x)).filter(Boolean);
  return inner.length > 0 ? `${e.message} (${[...new Set(inner)].join("; ")})` : String(e?.message ?? err);
}

/** The marker group's committed offset: one past the time of the last batch written (0 if none). */
async function writtenUpTo(admin: Admin, group: string, topic: string): Promise<bigint> {
  const [g] = await admin.listConsumerGroupOffsets({ groups: [group] });
  const p = g?.topics.find((t) => t.name === topic)?.partitions.find((x) => x.partitionIndex === 0);
  return p && p.committedOffset >= 0n ? p.committedOffset : 0n;
}

/** `stream.publishToKafka(topic, opts)` as a sink. */
export function kafkaSink<T>(opts: KafkaSinkOptions<T>): BatchSink<T> {
  if (!opts || typeof opts["bootstrap.servers"] !== "string" || opts["bootstrap.servers"].trim() === "")
    throw new IllegalArgumentError('publishToKafka needs "bootstrap.servers" (host:port[,host:port])');
  if (typeof opts.topic !== "string" || opts.topic === "")
    throw new IllegalArgumentError("publishToKafka needs the topic to write to");
  if (opts.guarantee !== undefined && opts.guarantee !== "exactlyOnce" && opts.guarantee !== "atLeastOnce")
    throw new IllegalArgumentError(`publishToKafka guarantee is exactlyOnce or atLeastOnce, got ${opts.guarantee}`);
  return { name: `publishToKafka ${opts.topic}`, write: (b) => writeBatch(b, opts) };
}
