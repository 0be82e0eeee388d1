import { jobGroups } from "../events/scheduler.js";
import { log } from "../util/log.js";
import { SluiceError, describeError } from "../util/errors.js";
import type { Clock } from "../util/clock.js";
import type { Job } from "./dstream/output.js";
import type { BatchInfo, ListenerBus, OutputOperationInfo } from "../events/streaming.js";
import { formatBatchTime } from "./pprint.js";

/** The jobs of one batch time, with the steps that log its input before and commit it after. */
export interface JobSet {
  readonly time: number;
  readonly jobs: readonly Job[];
  /** The records the batch took from its inputs; asked again as they become known (a file stream's, once read). */
  readonly numRecords: () => number;
  /** Errors met while building the batch's jobs (a user transform threw), one per output op. */
  readonly generationErrors: readonly StreamingJobError[];
  /**
   * Runs before any job (fixes and logs the batch's input). A failure fails the batch, fatally when `fatalOnFailure`.
   */
  readonly before?: () => Promise<void>;
  /**
   * Runs after every job succeeded (commits the batch, acknowledges its input). A failure is fatal when
   * `fatalOnFailure`.
   */
  readonly after?: () => Promise<void>;
  /** A checkpointed batch: a failure stops the context (the batch is not committed; a restart re-runs it). */
  readonly fatalOnFailure?: boolean;
}

/** A batch's output operation failed; names the batch time and the operation. */
export class StreamingJobError extends SluiceError {
  constructor(
    readonly batchTime: number,
    readonly outputOpId: number,
    readonly operation: string,
    cause: unknown,
  ) {
    super(
      `Job for output operation ${outputOpId} (${operation}) of batch ${formatBatchTime(batchTime)} ` +
        `[${batchTime} ms] failed: ${describeError(cause)}`,
      { cause },
    );
  }
}

/** Batches waiting behind a running one before the job is said to fall behind. */
const QUEUE_WARNING = 3;

/** What the scheduler reports to its context. */
export interface SchedulerEvents {
  /** A job failed; `fatal` when the batch was being checkpointed (it is then not committed). */
  onError(err: StreamingJobError, fatal: boolean): void;
  onBatchDone(time: number): void;
}

/**
 * Runs batches strictly in batch order, one at a time; inside a batch its output jobs run in
 * registration order, up to `spark.streaming.concurrentJobs` at once (1 by default). A slow
 * batch makes later ones wait in the queue; nothing is dropped. A failed job is reported;
 * when the batch is checkpointed it is not committed and the failure is fatal.
 */
export class JobScheduler {
  /** Batches waiting to run, with when each was submitted. */
  private readonly queue: { set: JobSet; submitted: number }[] = [];
  private running = false;
  private idleWaiters: (() => void)[] = [];
  private accepting = true;
  /** Said once per stretch of falling behind. */
  private warnedQueue = false;

  constructor(
    private readonly clock: Clock,
    private readonly concurrentJobs: number,
    private readonly bus: ListenerBus,
    private readonly events: SchedulerEvents,
  ) {}

  submit(set: JobSet): void {
    if (!this.accepting) return;
    const submitted = this.clock.now();
    this.queue.push({ set, submitted });
    this.bus.post("onBatchSubmitted", info(set, submitted));
    if (this.queue.length >= QUEUE_WARNING && !this.warnedQueue) {
      this.warnedQueue = true;
      log.warn(
        `${this.queue.length} batches are waiting behind a slow one: the job falls behind its input. Make batches ` +
          `faster, or turn on spark.streaming.backpressure.enabled so receivers slow down to the rate the job keeps`,
      );
    }
    if (!this.running) void this.drain();
  }

  private async drain(): Promise<void> {
    this.running = true;
    for (let next = this.queue.shift(); next; next = this.queue.shift()) await this.runBatch(next.set, next.submitted);
    this.warnedQueue = false; // caught up: warn again if it falls behind again
    this.running = false;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private async runBatch(set: JobSet, submitted: number): Promise<void> {
    const ops: OutputOperationInfo[] = [];
    const fatal = set.fatalOnFailure ?? false;
    let failed = false;
    const fail = (err: StreamingJobError) => {
      failed = true;
      ops.push({ id: err.outputOpId, name: err.operation, failureReason: err.message });
      this.events.onError(err, fatal);
    };
    set.generationErrors.forEach(fail);
    try {
      await set.before?.();
    } catch (err) {
      fail(new StreamingJobError(set.time, -1, "log batch input", err));
      return;
    }
    const start = this.clock.now();
    this.bus.post("onBatchStarted", info(set, submitted, start));
    const pending = [...set.jobs];
    const worker = async () => {
      for (let job = pending.shift(); job && !(failed && fatal); job = pending.shift()) {
        const jobStart = this.clock.now();
        let failureReason: string | undefined;
        try {
          // the engine's jobs started by this output operation are tagged with its batch (the UI groups them)
          await jobGroups.run({ batchTime: job.time, outputOpId: job.outputOpId }, () => job.run());
        } catch (err) {
          const wrapped = new StreamingJobError(job.time, job.outputOpId, job.name, err);
          failureReason = wrapped.message;
          fail(wrapped);
        }
        const op = {
          id: job.outputOpId,
          name: job.name,
          startTime: jobStart,
          endTime: this.clock.now(),
          failureReason,
          ...(job.internal ? { internal: true } : {}),
        };
        if (!failureReason) ops.push(op);
        this.bus.post("onOutputOperationCompleted", job.time, op);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrentJobs, Math.max(1, pending.length)) }, worker));
    if (!failed && set.after) {
      try {
        await set.after();
      } catch (err) {
        fail(new StreamingJobError(set.time, -1, "commit batch", err));
      }
    }
    this.bus.post("onBatchCompleted", info(set, submitted, start, this.clock.now(), ops));
    this.events.onBatchDone(set.time);
  }

  get queuedBatches(): number {
    return this.queue.length;
  }

  /** Resolves when no batch is queued or running. */
  whenIdle(): Promise<void> {
    if (!this.running && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops taking batches; without `graceful` the queued ones are dropped. Waits for the running one. */
  async stop(graceful: boolean): Promise<void> {
    if (!graceful) this.queue.length = 0;
    await this.whenIdle();
    this.accepting = false;
  }
}

function info(
  set: JobSet,
  submitted: number,
  start?: number,
  end?: number,
  ops: OutputOperationInfo[] = [],
): BatchInfo {
  return {
    batchTime: set.time,
    numRecords: set.numRecords(),
    submissionTime: submitted,
    processingStartTime: start,
    processingEndTime: end,
    outputOperations: [...ops].sort((x, y) => x.id - y.id),
    // as Spark's: from the batch's time to its start, so the time spent queued behind slow batches counts
    schedulingDelay: start === undefined ? undefined : start - set.time,
    processingDelay: start === undefined || end === undefined ? undefined : end - start,
    totalDelay: end === undefined ? undefined : end - set.time,
  };
}
