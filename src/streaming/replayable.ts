/** A batch's input from a replayable source: records after `from` up to and including `to`. */
export interface OffsetRange {
  /** Exclusive start position. */
  readonly from: string;
  /** Inclusive end position (equal to `from` when the batch took nothing). */
  readonly to: string;
  /** How many records the range held when it was planned (a replay must find as many). */
  readonly count: number;
}

/**
 * A source whose records are addressed by position, so a batch's input is a range that can be
 * logged and read again exactly (files, Redis Streams, NATS JetStream, Kafka). The engine plans
 * each range just before its batch runs, records it in the offsets log, and acknowledges it to
 * the source only after the batch is committed.
 */
export interface ReplayableSource<T> {
  describe(): string;
  /** Where a fresh job starts (exclusive): the source's own record of committed progress. */
  initialPosition(): Promise<string>;
  /** The next records after `from`, at most `max`; the range ends at the last one. */
  readAfter(from: string, max: number): Promise<{ range: OffsetRange; records: T[] }>;
  /** The records of a logged range again; fewer than it held is an error naming the range. */
  readRange(range: OffsetRange): Promise<T[]>;
  /** The batch holding `range` is committed: record the progress at the source. */
  commit(range: OffsetRange): Promise<void>;
  close(): Promise<void>;
  /**
   * A call got no answer in time (a half-open connection): drop the connection, so the next call
   * makes a new one. Calls still pending may fail.
   */
  reset?(): void;
}
