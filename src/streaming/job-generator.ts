import type { ReceiverTracker } from "../receiver/tracker.js";
import type { BatchCheckpointer } from "./batch-checkpointer.js";
import { RecurringTimer, type Clock } from "../util/clock.js";
import type { DStreamCore } from "./dstream-core.js";
import type { DStreamGraph } from "./graph.js";
import type { JobScheduler } from "./job-scheduler.js";

/**
 * Ticks every batch interval; at each batch time it gives the batch the received blocks,
 * fixes the input of every input stream, builds the batch's jobs from the graph and submits
 * them. With a checkpointer, the input is logged before the jobs run and the batch is
 * committed after them.
 */
export class JobGenerator {
  private readonly timer: RecurringTimer;
  /** The last batch time whose jobs were generated. */
  lastGenerated = -Infinity;
  private tickWaiters: { time: number; resolve: () => void }[] = [];

  constructor(
    clock: Clock,
    batchMs: number,
    private readonly graph: DStreamGraph,
    private readonly tracker: ReceiverTracker,
    private readonly scheduler: JobScheduler,
    private readonly checkpointer: BatchCheckpointer | undefined,
  ) {
    this.timer = new RecurringTimer(clock, batchMs, (t) => this.generateJobs(t));
  }

  /** The first multiple of the batch interval strictly after now. */
  firstBatchTime(): number {
    return this.timer.startTime();
  }

  start(first: number): void {
    this.timer.start(first);
  }

  stop(): void {
    this.timer.stop();
  }

  /** A new batch: its input is fixed now, or just before it runs for broker inputs (and logged before it runs). */
  generateJobs(time: number): void {
    this.tracker.allocateBlocksToBatch(time);
    const inputs = this.graph.planInputs(time);
    const ck = this.checkpointer;
    const asking = this.graph.hasAsyncInputs();
    this.submit(
      time,
      ck || asking
        ? async () => {
            if (asking) Object.assign(inputs, await this.graph.planInputsAsync(time));
            if (ck) await ck.logOffsets(time, inputs);
          }
        : undefined,
    );
  }

  /** A batch whose input was logged before a crash: re-run it with that input. */
  rerunLogged(time: number): void {
    this.submit(time, undefined);
  }

  /** A committed batch after a snapshot: rebuild `streams`' state, outputs suppressed. */
  replay(time: number, streams: readonly DStreamCore<unknown>[]): void {
    const { jobs, errors } = this.graph.generateJobs(time, false, streams);
    this.scheduler.submit({ time, jobs, numRecords: () => 0, generationErrors: errors, fatalOnFailure: true });
  }

  private submit(time: number, before: (() => Promise<void>) | undefined): void {
    const { jobs, errors } = this.graph.generateJobs(time);
    const ck = this.checkpointer;
    this.lastGenerated = time;
    this.scheduler.submit({
      time,
      jobs,
      numRecords: () => this.tracker.recordsIn(time) + this.graph.inputRecordsIn(time),
      generationErrors: errors,
      before,
      after: async () => {
        if (ck) await ck.commit(time);
        await this.graph.batchCommitted(time);
      },
      fatalOnFailure: ck !== undefined,
    });
    const ready = this.tickWaiters.filter((w) => w.time <= time);
    this.tickWaiters = this.tickWaiters.filter((w) => w.time > time);
    for (const w of ready) w.resolve();
  }

  /** Resolves once a batch at or after `time` has been generated. */
  whenGenerated(time: number): Promise<void> {
    if (this.lastGenerated >= time) return Promise.resolve();
    return new Promise((resolve) => this.tickWaiters.push({ time, resolve }));
  }
}
