import type { NatsConnection } from "@nats-io/transport-node";
import { lazyModule } from "../util/lazy.js";

const natsLib = lazyModule<typeof import("@nats-io/transport-node")>("@nats-io/transport-node");
const jetstreamLib = lazyModule<typeof import("@nats-io/jetstream")>("@nats-io/jetstream");
import { SluiceError } from "../core/errors.js";

/** Options of `publishToNats`. */
export interface NatsSinkOptions {
  readonly servers: string;
  /** The subject messages are published to (a JetStream stream must capture it). */
  readonly subject: string;
  /** Identifies the job in message ids (default: the subject). */
  readonly jobId?: string;
}

const connections = new Map<string, Promise<NatsConnection>>();

/**
 * Publishes a batch's records to JetStream, each with the message id
 * `<job>:<output>:<batchTime>:<index>`: JetStream drops a re-published id within the stream's
 * duplicate window (2 minutes by default), so a batch re-run soon after a crash publishes
 * nothing twice. Strings are sent as they are, other values as JSON.
 */
export async function publishBatchToNats(records: readonly unknown[], batchTime: number, outputId: number, opts: NatsSinkOptions): Promise<number> {
  let nc = connections.get(opts.servers);
  if (!nc) connections.set(opts.servers, (nc = natsLib().connect({ servers: opts.servers })));
  const js = jetstreamLib().jetstream(await nc.catch((err: Error) => {
    connections.delete(opts.servers);
    throw new SluiceError(`cannot reach NATS at ${opts.servers}: ${err.message}`, { cause: err });
  }));
  let duplicates = 0;
  const job = opts.jobId ?? opts.subject;
  for (const [i, r] of records.entries()) {
    const ack = await js.publish(opts.subject, typeof r === "string" ? r : JSON.stringify(r), { msgID: `${job}:${outputId}:${batchTime}:${i}` });
    if (ack.duplicate) duplicates++;
  }
  return duplicates;
}

/** Closes the sink's connections (tests; a job's process ending closes them too). */
export async function closeNatsSinks(): Promise<void> {
  for (const [servers, nc] of connections) {
    connections.delete(servers);
    await (await nc).close();
  }
}
