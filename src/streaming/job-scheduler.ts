import { SluiceError, describeError } from "../core/errors.js";
import type { Clock } from "./clock.js";
import type { Job } from "./dstream/output.js";
import type { BatchInfo, ListenerBus, OutputOperationInfo } from "./listener.js";
import { formatBatchTime } from "./pprint.js";

/** The jobs of one batch time. */
export interface JobSet {
  readonly time: number;
  readonly jobs: readonly Job[];
  readonly numRecords: number;
  /** Errors met while building the batch's jobs (a user transform threw), one per output op. */
  readonly generationErrors: readonly StreamingJobError[];
}

/** A batch's output operation failed; names the batch time and the operation. */
export class StreamingJobError extends SluiceError {
  constructor(readonly batchTime: number, readonly outputOpId: number, readonly operation: string, cause: unknown) {
    super(`Job for output operation ${outputOpId} (${operation}) of batch ${formatBatchTime(batchTime)} [${batchTime} ms] failed: ${describeError(cause)}`, { cause });
  }
}

interface Running {
  readonly set: JobSet;
  readonly submissionTime: number;
  startTime?: number;
  pending: number;
  readonly ops: OutputOperationInfo[];
}

/**
 * Runs batches' jobs in batch order, `spark.streaming.concurrentJobs` at a time (1 by
 * default: one job after another, batches never overlap). A slow batch makes later ones
 * wait in the queue; nothing is dropped. A failing job is reported; later ones still run.
 */
export class JobScheduler {
  private readonly queue: { job: Job; batch: Running }[] = [];
  private active = 0;
  private idleWaiters: (() => void)[] = [];
  private accepting = true;

  constructor(
    private readonly clock: Clock,
    private readonly concurrentJobs: number,
    private readonly bus: ListenerBus,
    private readonly onError: (err: StreamingJobError) => void,
    private readonly onBatchDone: (time: number) => void,
  ) {}

  submit(set: JobSet): void {
    if (!this.accepting) return;
    const batch: Running = { set, submissionTime: this.clock.now(), pending: set.jobs.length, ops: [] };
    this.bus.post("onBatchSubmitted", this.info(batch));
    for (const err of set.generationErrors) {
      batch.ops.push({ id: err.outputOpId, name: err.operation, failureReason: err.message });
      this.onError(err);
    }
    if (set.jobs.length === 0) {
      this.finish(batch);
      return;
    }
    for (const job of set.jobs) this.queue.push({ job, batch });
    this.pump();
  }

  private pump(): void {
    while (this.active < this.concurrentJobs && this.queue.length > 0) {
      const { job, batch } = this.queue.shift()!;
      this.active++;
      void this.run(job, batch).finally(() => {
        this.active--;
        this.pump();
        if (this.active === 0 && this.queue.length === 0) this.wakeIdle();
      });
    }
  }

  private async run(job: Job, batch: Running): Promise<void> {
    if (batch.startTime === undefined) {
      batch.startTime = this.clock.now();
      this.bus.post("onBatchStarted", this.info(batch));
    }
    const startTime = this.clock.now();
    let failureReason: string | undefined;
    try {
      await job.run();
    } catch (err) {
      const wrapped = new StreamingJobError(job.time, job.outputOpId, job.name, err);
      failureReason = wrapped.message;
      this.onError(wrapped);
    }
    const op = { id: job.outputOpId, name: job.name, startTime, endTime: this.clock.now(), failureReason };
    batch.ops.push(op);
    this.bus.post("onOutputOperationCompleted", job.time, op);
    if (--batch.pending === 0) this.finish(batch);
  }

  private finish(batch: Running): void {
    const end = this.clock.now();
    batch.startTime ??= end;
    this.bus.post("onBatchCompleted", this.info(batch, end));
    this.onBatchDone(batch.set.time);
  }

  private info(b: Running, endTime?: number): BatchInfo {
    const start = b.startTime;
    return {
      batchTime: b.set.time,
      numRecords: b.set.numRecords,
      submissionTime: b.submissionTime,
      processingStartTime: start,
      processingEndTime: endTime,
      outputOperations: [...b.ops].sort((x, y) => x.id - y.id),
      schedulingDelay: start === undefined ? undefined : start - b.submissionTime,
      processingDelay: start === undefined || endTime === undefined ? undefined : endTime - start,
      totalDelay: endTime === undefined ? undefined : endTime - b.set.time,
    };
  }

  get queuedJobs(): number {
    return this.queue.length;
  }

  /** Resolves when no job is queued or running. */
  whenIdle(): Promise<void> {
    if (this.active === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private wakeIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  /** Stops taking batches; without `graceful` the queued jobs are dropped. Waits for running ones. */
  async stop(graceful: boolean): Promise<void> {
    if (!graceful) this.queue.length = 0;
    await this.whenIdle();
    this.accepting = false;
  }
}
