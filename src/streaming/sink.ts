import type { Connections } from "../util/connections.js";
import type { RecordErrorPolicy } from "../util/record-errors.js";

/** One batch as a sink receives it. */
export interface SinkBatch<T> {
  /** The batch's records, collected on the driver. */
  readonly records: T[];
  /** The batch time (epoch ms): a sink that writes idempotently keys its writes by it. */
  readonly time: number;
  /** The output's position among the job's outputs, to tell two sinks of one job apart. */
  readonly outputId: number;
  /** The context's connections: pools opened here are closed when the context stops. */
  readonly connections: Connections;
  /** The job's identity (kept across restarts with a checkpoint): the default key of idempotent writes. */
  readonly jobId: string;
  /** What to do with a record the sink cannot write (`spark.sluice.onRecordError`). */
  readonly recordErrors: RecordErrorPolicy;
}

/**
 * An outside system that takes every batch of a stream: the one way connectors add outputs to
 * streams (`stream.saveTo(sink)`). `write` runs as the batch's output job; a batch re-run after
 * a crash calls it again with the same time and records.
 * @example stream.saveTo({ name: "log", write: async (b) => console.log(b.time, b.records.length) })
 */
export interface BatchSink<T> {
  /** The output's name in the UI and in errors, such as `saveToPostgres`. */
  readonly name: string;
  write(batch: SinkBatch<T>): Promise<unknown>;
}
