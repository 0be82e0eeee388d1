import type { NatsConnection } from "@nats-io/transport-node";
import type { BatchSink } from "../../streaming/sink.js";
import type { Connections } from "../../util/connections.js";
import { lazyModule } from "../../util/lazy.js";

const natsLib = lazyModule<typeof import("@nats-io/transport-node")>("@nats-io/transport-node");
const jetstreamLib = lazyModule<typeof import("@nats-io/jetstream")>("@nats-io/jetstream");
import { SluiceError } from "../../util/errors.js";

/** Options of `publishToNats`. */
export interface NatsSinkOptions {
  readonly servers: string;
  /** The subject messages are published to (a JetStream stream must capture it). */
  readonly subject: string;
  /** Identifies the job in message ids (default: the subject). */
  readonly jobId?: string;
}

/**
 * Publishes a batch's records to JetStream, each with the message id
 * `<job>:<output>:<batchTime>:<index>`: JetStream drops a re-published id within the stream's
 * duplicate window (2 minutes by default), so a batch re-run soon after a crash publishes
 * nothing twice. Strings are sent as they are, other values as JSON.
 */
export async function publishBatchToNats(
  conns: Connections,
  records: readonly unknown[],
  batchTime: number,
  outputId: number,
  opts: NatsSinkOptions,
): Promise<number> {
  const open = () => natsLib().connect({ servers: opts.servers });
  const nc = await conns
    .get(`nats ${opts.servers}`, open, (c: NatsConnection) => c.close())
    .catch((err: Error) => {
      throw new SluiceError(`cannot reach NATS at ${opts.servers}: ${err.message}`, { cause: err });
    });
  const js = jetstreamLib().jetstream(nc);
  let duplicates = 0;
  const job = opts.jobId ?? opts.subject;
  for (const [i, r] of records.entries()) {
    const ack = await js.publish(opts.subject, typeof r === "string" ? r : JSON.stringify(r), {
      msgID: `${job}:${outputId}:${batchTime}:${i}`,
    });
    if (ack.duplicate) duplicates++;
  }
  return duplicates;
}

/** `stream.publishToNats(opts)` as a sink: records published with ids JetStream deduplicates. */
export function natsSink<T>(opts: NatsSinkOptions): BatchSink<T> {
  return {
    name: "publishToNats",
    write: (b) => publishBatchToNats(b.connections, b.records, b.time, b.outputId, opts),
  };
}
