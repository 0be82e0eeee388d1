import { IllegalArgumentError } from "../util/errors.js";
import { DStream } from "./dstream.js";

/** Output methods a package adds to every DStream, by name. */
export type StreamMethods = Record<string, (this: DStream<never>, ...args: never[]) => void>;

/**
 * The one extension point through which other layers add methods to streams: connectors add
 * `saveToPostgres`, `publishToNats`… so, each a one-liner over `stream.saveTo(sink)`, and the
 * DStream class imports none of their clients. Declare the methods' types with a
 * `declare module` block beside the call. A name DStream already has is refused.
 * @example addStreamMethods({ saveToLog(this: DStream<string>) { this.saveTo(logSink) } })
 */
export function addStreamMethods(methods: StreamMethods): void {
  const proto: object = DStream.prototype;
  for (const [name, fn] of Object.entries(methods)) {
    if (Reflect.has(proto, name) && Reflect.get(proto, name) !== fn) {
      throw new IllegalArgumentError(`DStream already has a method ${name}: an extension cannot replace it`);
    }
    Object.defineProperty(proto, name, { value: fn, writable: false, configurable: false, enumerable: false });
  }
}
