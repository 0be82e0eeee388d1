import { resolve } from "node:path";
import { IllegalArgumentError } from "../util/errors.js";
import { avroType, type AvroSchema } from "../util/formats/avro.js";
import type { StreamingContext } from "./context.js";
import { DStream } from "./dstream.js";
import { FileInputDStream, readBinaryRecords } from "./dstream/file-input.js";
import { checkFileStreamOptions, readRecords, type FileFormat, type MalformedSink } from "./dstream/record-formats.js";

/** The options of `ssc.fileStream`. */
export interface FileStreamOptions {
  readonly format: FileFormat;
  readonly schema?: AvroSchema;
  readonly deadLetter?: MalformedSink["deadLetter"];
}

/** `ssc.fileStream(directory, options)`: records of new files, malformed ones counted and dead-lettered. */
export function fileStream(
  ssc: StreamingContext,
  directory: string,
  options: FileStreamOptions,
): DStream<Record<string, unknown>> & { malformedRecords(): number } {
  checkFileStreamOptions(options);
  const schema = options.schema === undefined ? undefined : avroType(options.schema);
  const malformed: MalformedSink = { count: 0, deadLetter: options.deadLetter };
  const read = (p: string) => readRecords(p, options.format, malformed, schema);
  const stream = new DStream(ssc, new FileInputDStream(ssc, resolve(directory), read));
  return Object.assign(stream, { malformedRecords: () => malformed.count });
}

/** `ssc.binaryRecordsStream(directory, recordLength)`: fixed-length byte records of new files. */
export function binaryRecordsStream(
  ssc: StreamingContext,
  directory: string,
  recordLength: number,
): DStream<Uint8Array> {
  if (!Number.isInteger(recordLength) || recordLength <= 0) {
    throw new IllegalArgumentError(`recordLength must be a whole number > 0, got ${recordLength}`);
  }
  return new DStream(ssc, new FileInputDStream(ssc, resolve(directory), (p) => readBinaryRecords(p, recordLength)));
}
