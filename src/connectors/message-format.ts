import { open } from "node:fs/promises";
import { dirname } from "node:path";
import { mkdirSync } from "node:fs";
import { IllegalArgumentError } from "../util/errors.js";
import { avroType, decodeAvroDatum, type AvroSchema } from "../util/formats/avro.js";
import { parseJsonObject } from "../util/formats/json-lines.js";

/** A message that could not be decoded, as handed to a dead-letter sink. */
export interface DeadLetter {
  /** The message's bytes as received. */
  readonly payload: Uint8Array;
  readonly error: Error;
  /** Where it came from: the source and the message's position or delivery. */
  readonly source: string;
}

/** Where undecodable messages go; awaited before the message is acknowledged to its broker. */
export type DeadLetterSink = (letter: DeadLetter) => void | Promise<void>;

/** How a broker source turns payloads into records (the options every broker source takes). */
export interface MessageFormatOptions {
  /**
   * `"json"`: each message one JSON object; `"avro"`: each message one Avro datum of `schema` (binary encoding).
   * Default: the payload as UTF-8 text.
   */
  readonly format?: "json" | "avro";
  /** The Avro schema of `format: "avro"`. */
  readonly schema?: AvroSchema;
  /** Where malformed messages go (see `deadLetterFile`); they are counted either way and never fail the job. */
  readonly deadLetter?: DeadLetterSink;
}

const utf8 = new TextDecoder("utf-8", { fatal: false });

/**
 * Decodes broker payloads per `MessageFormatOptions`, counting malformed ones and handing them
 * to the dead-letter sink. Without a format, payloads are UTF-8 text and nothing is malformed.
 */
export class MessageDecoder {
  private readonly parse: ((bytes: Uint8Array) => unknown) | undefined;
  /** Messages that did not decode, since the stream was created. */
  malformed = 0;

  constructor(
    private readonly opts: MessageFormatOptions,
    sourceName: string,
  ) {
    if (opts.format === undefined) {
      if (opts.schema !== undefined) throw new IllegalArgumentError(`${sourceName}: a schema needs format: "avro"`);
      return;
    }
    if (opts.format === "json") {
      this.parse = (bytes) => parseJsonObject(utf8.decode(bytes));
    } else if (opts.format === "avro") {
      if (opts.schema === undefined)
        throw new IllegalArgumentError(`${sourceName}: format "avro" needs the messages' schema`);
      const type = avroType(opts.schema);
      this.parse = (bytes) => decodeAvroDatum(type, bytes);
    } else {
      throw new IllegalArgumentError(`${sourceName}: format must be "json" or "avro", got "${String(opts.format)}"`);
    }
  }

  /** Whether payloads are decoded (else they are text). */
  get decodes(): boolean {
    return this.parse !== undefined;
  }

  /** The records of `messages` in order; malformed ones are counted, dead-lettered (awaited) and left out. */
  async decode<M>(
    messages: readonly M[],
    payload: (m: M) => Uint8Array,
    where: (m: M) => string,
    shape: (m: M, value: unknown) => unknown = (_m, v) => v,
  ): Promise<unknown[]> {
    const parse = this.parse;
    if (!parse) return messages.map((m) => utf8.decode(payload(m)));
    const out: unknown[] = [];
    for (const m of messages) {
      let bytes: Uint8Array = new Uint8Array(0);
      try {
        bytes = payload(m);
        out.push(shape(m, parse(bytes)));
      } catch (err) {
        this.malformed++;
        await this.opts.deadLetter?.({
          payload: bytes,
          error: err instanceof Error ? err : new Error(String(err)),
          source: where(m),
        });
      }
    }
    return out;
  }
}

/**
 * A dead-letter sink that appends one JSON line per message to `path` — `{ source, error, payload }`,
 * the payload as text when it is valid UTF-8, else `payloadBase64` — and fsyncs before returning,
 * so a message is on disk before its broker is told it was handled.
 * @example RabbitMQUtils.createStream(ssc, { url, queue, format: "json", deadLetter:
 * deadLetterFile("dead/orders.jsonl") })
 */
export function deadLetterFile(path: string): DeadLetterSink {
  mkdirSync(dirname(path), { recursive: true });
  const strict = new TextDecoder("utf-8", { fatal: true });
  let chain: Promise<void> = Promise.resolve();
  return (letter) => {
    let text: string | undefined;
    try {
      text = strict.decode(letter.payload);
    } catch {
      text = undefined;
    }
    const line =
      JSON.stringify({
        source: letter.source,
        error: letter.error.message,
        ...(text === undefined ? { payloadBase64: Buffer.from(letter.payload).toString("base64") } : { payload: text }),
      }) + "\n";
    // appends are serialized so lines never interleave; one that fails does not fail the next
    const written = chain.then(async () => {
      const handle = await open(path, "a");
      try {
        await handle.appendFile(line);
        await handle.sync();
      } finally {
        await handle.close();
      }
    });
    chain = written.catch(() => undefined);
    return written;
  };
}
