import { RDD } from "../../core/rdd.js";
import { beforeDeadline, withRetries } from "../../util/clock.js";
import { SluiceError } from "../../util/errors.js";
import { log } from "../../util/log.js";
import { PreparedNode } from "../../core/rdds/prepared.js";
import { sliceEvenly } from "../../core/rdds/parallel-collection.js";
import type { OffsetRange, ReplayableSource } from "../replayable.js";
import type { StreamingContext } from "../context.js";
import type { DStream } from "../dstream.js";
import type { DStreamNode } from "./node.js";

/** A source call that got no answer in time (retried like any failed call). */
export class SourceTimeoutError extends Error {
  override readonly name = "SourceTimeoutError";
}

/**
 * A "direct" stream over a replayable source (no receiver): just before batch `t` runs, its
 * input is fixed as the range after the previous batch's end (at most `maxRecordsPerBatch`),
 * logged, and read; after the batch is committed the range is acknowledged to the source.
 * After a crash the logged ranges are read again, so a re-run batch sees the same records.
 */
export class DirectInputDStream<M, T = M> implements DStreamNode<T> {
  readonly kind = "DirectInputDStream";
  readonly dependencies: readonly DStream<unknown>[] = [];
  private lastEnd: string | undefined;
  private readonly ranges = new Map<number, OffsetRange>();
  private readonly fetched = new Map<number, Promise<T[]>>();

  constructor(
    private readonly ssc: StreamingContext,
    private readonly source: ReplayableSource<M>,
    private readonly maxRecordsPerBatch: number,
    private readonly partitions: number,
    /** Messages to records (a `MessageDecoder`'s), applied on first read and on a replay alike. */
    private readonly decode: (messages: M[]) => Promise<T[]>,
  ) {}

  slideMs(): number {
    return this.ssc.batchMs;
  }

  describe(): string {
    return `source=${this.source.describe()}`;
  }

  recordsIn(time: number): number | undefined {
    return this.ranges.get(time)?.count;
  }

  async planAsync(time: number): Promise<OffsetRange> {
    const logged = this.ranges.get(time);
    if (logged) return logged;
    this.lastEnd ??= await this.retrying("finding where to start", () => this.source.initialPosition());
    const from = this.lastEnd;
    const { range, records } = await this.retrying(`reading batch ${time}`, () =>
      this.source.readAfter(from, this.maxRecordsPerBatch),
    );
    this.ranges.set(time, range);
    const decoded = this.decode(records);
    decoded.catch(() => undefined); // a failure is the batch's, reported when it reads them
    this.fetched.set(time, decoded);
    this.lastEnd = range.to;
    return range;
  }

  restorePlans(plans: ReadonlyMap<number, unknown>): void {
    for (const [t, range] of plans as ReadonlyMap<number, OffsetRange>) {
      this.ranges.set(t, range);
      this.lastEnd = range.to;
    }
  }

  /** The records of batch `time`: read when it was planned, or read again from its logged range. */
  private recordsOf(time: number): Promise<T[]> {
    let p = this.fetched.get(time);
    if (!p) {
      const range = this.ranges.get(time);
      p = range
        ? this.retrying(`re-reading batch ${time}`, () => this.source.readRange(range)).then((m) => this.decode(m))
        : Promise.resolve([]);
      this.fetched.set(time, p);
    }
    return p;
  }

  compute(time: number): RDD<T> {
    return new RDD(
      this.ssc.sparkContext,
      new PreparedNode(
        async () => sliceEvenly(await this.recordsOf(time), this.partitions),
        this.partitions,
        `batch ${time} of ${this.source.describe()}`,
        "SourceBatchRDD",
      ),
    );
  }

  async committed(time: number): Promise<void> {
    const range = this.ranges.get(time);
    this.fetched.delete(time);
    for (const t of this.ranges.keys()) if (t < time - 10 * this.ssc.batchMs) this.ranges.delete(t);
    if (range && range.count > 0) await this.retrying(`committing batch ${time}`, () => this.source.commit(range));
  }

  /**
   * `f`, tried again with backoff (100 ms doubling to 2 s) while the source fails for
   * `spark.streaming.source.retrySeconds` (default 30) — a broker restarting or a dropped
   * connection being re-made; a Sluice error (a trimmed range) or a longer outage is thrown.
   */
  private async retrying<R>(what: string, f: () => Promise<R>): Promise<R> {
    const clock = this.ssc.ioClock;
    const conf = this.ssc.sparkContext.conf;
    const deadline = clock.now() + 1000 * Number(conf.get("spark.streaming.source.retrySeconds", "30"));
    const callMs = 1000 * Number(conf.get("spark.streaming.source.callTimeoutSeconds", "10"));
    return withRetries(
      clock,
      deadline,
      () => this.answered(what, f(), callMs),
      (err) => !(err instanceof SluiceError),
      (err, delay) =>
        log.warn(
          `${what} from ${this.source.describe()} failed (${(err as Error).message}); trying again in ${delay} ms`,
        ),
    );
  }

  /**
   * `call`, or an error once it has not answered for `ms` on the I/O clock (a half-open link
   * swallows requests without failing them): the source then drops its connection, so the next
   * attempt makes a new one.
   */
  private async answered<R>(what: string, call: Promise<R>, ms: number): Promise<R> {
    const clock = this.ssc.ioClock;
    call.catch(() => undefined); // a call that fails after its timeout has nothing left to tell
    if (await beforeDeadline(clock, clock.now() + ms, call)) return call;
    this.source.reset?.();
    throw new SourceTimeoutError(
      `${what} from ${this.source.describe()} got no answer within ${ms / 1000} s ` +
        `(spark.streaming.source.callTimeoutSeconds); the connection was dropped to be made again`,
    );
  }

  stop(): void {
    this.source
      .close()
      .catch((err: unknown) => log.warn(`closing ${this.source.describe()} failed: ${(err as Error).message}`));
  }
}
