import type { StreamingContext } from "../streaming/context.js";
import { DStream } from "../streaming/dstream.js";
import { DirectInputDStream } from "../streaming/dstream/direct-input.js";
import { MessageDecoder, type MessageFormatOptions } from "./message-format.js";
import type { ReplayableSource } from "../streaming/replayable.js";

/** A stream that also counts the messages it could not decode. */
export type DecodedStream<T> = DStream<T> & { malformedRecords(): number };

/** How a direct stream reads its source's messages. */
export interface DirectStreamSpec<M, Raw> {
  readonly source: ReplayableSource<M>;
  readonly name: string;
  readonly maxRecordsPerBatch?: number;
  readonly partitions?: number;
  /** A message's bytes, for `format`. */
  readonly payload: (m: M) => Uint8Array;
  /** A message's place, for dead letters ("redis events entry 1-2"). */
  readonly where: (m: M) => string;
  /** What the stream carries when no `format` is given. */
  readonly raw: (m: M) => Raw;
  /** What it carries for a decoded message (default: the decoded value). */
  readonly shape?: (m: M, value: unknown) => unknown;
}

/**
 * A direct (replayable) stream over `spec.source`: records are the messages as `spec.raw` makes
 * them, or, with `format`, decoded objects — malformed ones counted and dead-lettered.
 */
export function directStream<M, Raw>(
  ssc: StreamingContext,
  spec: DirectStreamSpec<M, Raw>,
  format: MessageFormatOptions,
): DecodedStream<unknown> {
  const decoder = new MessageDecoder(format, spec.name);
  const decode = decoder.decodes
    ? (messages: M[]) => decoder.decode(messages, spec.payload, spec.where, spec.shape)
    : async (messages: M[]) => messages.map(spec.raw);
  const node = new DirectInputDStream<M, unknown>(
    ssc,
    spec.source,
    spec.maxRecordsPerBatch ?? 100_000,
    spec.partitions ?? ssc.sparkContext.defaultParallelism,
    decode,
  );
  return Object.assign(new DStream(ssc, node), { malformedRecords: () => decoder.malformed });
}
