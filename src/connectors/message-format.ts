import { IllegalArgumentError } from "../util/errors.js";
import { avroType, decodeAvroDatum, type AvroSchema } from "../util/formats/avro.js";
import { parseJsonObject } from "../util/formats/json-lines.js";
import { strictUtf8 } from "../util/utf8.js";

export { deadLetterFile, type DeadLetter, type DeadLetterSink } from "../util/dead-letter.js";
import type { DeadLetterSink } from "../util/dead-letter.js";

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
      // JSON messages must be valid UTF-8: a message that is not is malformed, not silently mended
      this.parse = (bytes) => {
        const text = strictUtf8(bytes);
        if (text === undefined) throw new Error("not valid UTF-8");
        return parseJsonObject(text);
      };
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
