import type { ReceiverTracker } from "../receiver/tracker.js";
import { RecurringTimer, type Clock } from "./clock.js";
import type { DStreamGraph } from "./graph.js";
import type { JobScheduler } from "./job-scheduler.js";

/**
 * Ticks every batch interval; at each batch time it gives the batch the received blocks,
 * builds the batch's jobs from the graph and submits them to the scheduler.
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
  ) {
    this.timer = new RecurringTimer(clock, batchMs, (t) => this.generateJobs(t));
  }

  /** The first batch time, one interval after the zero time. */
  firstBatchTime(): number {
    return this.timer.startTime();
  }

  start(first: number): void {
    this.timer.start(first);
  }

  stop(): void {
    this.timer.stop();
  }

  private generateJobs(time: number): void {
    this.tracker.allocateBlocksToBatch(time);
    const { jobs, errors } = this.graph.generateJobs(time);
    this.lastGenerated = time;
    this.scheduler.submit({ time, jobs, numRecords: this.tracker.recordsIn(time), generationErrors: errors });
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
