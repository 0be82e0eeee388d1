import { mkdirSync } from "node:fs";
import { open } from "node:fs/promises";
import { dirname } from "node:path";
import { strictUtf8 } from "./utf8.js";

/** A record or message that could not be taken, as handed to a dead-letter sink. */
export interface DeadLetter {
  /** Its bytes as received (a message), or its JSON (a record). */
  readonly payload: Uint8Array;
  readonly error: Error;
  /** Where it came from: the source and its position, or the operator or sink that refused it. */
  readonly source: string;
}

/** Where refused records go; awaited before their input is acknowledged. */
export type DeadLetterSink = (letter: DeadLetter) => void | Promise<void>;

/**
 * A dead-letter sink appending one JSON line per letter to `path` (created with its folder):
 * `{"source", "error", "payload"}`, or `payloadBase64` for bytes that are not UTF-8 text. Each
 * line is fsynced before the promise resolves; lines never interleave.
 * @example KafkaUtils.createDirectStream(ssc, ["orders"], params, { format: "json", deadLetter:
 * deadLetterFile("dead/orders.jsonl") })
 */
export function deadLetterFile(path: string): DeadLetterSink {
  mkdirSync(dirname(path), { recursive: true });
  let chain: Promise<void> = Promise.resolve();
  return (letter) => {
    const text = strictUtf8(letter.payload);
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
