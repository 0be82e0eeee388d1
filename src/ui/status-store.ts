import type { JobInfo, SparkListener, StageInfo, TaskInfo } from "../events/scheduler.js";
import type { BatchInfo, ReceiverInfo, StreamingListener } from "../events/streaming.js";

/** A batch as the UI shows it. */
export interface BatchView {
  readonly batchTime: number;
  status: "QUEUED" | "PROCESSING" | "COMPLETED";
  numRecords: number;
  submissionTime: number;
  processingStartTime?: number;
  processingEndTime?: number;
  schedulingDelay?: number;
  processingTime?: number;
  totalDelay?: number;
  outputOps: {
    id: number;
    name: string;
    startTime?: number;
    endTime?: number;
    failureReason?: string;
    internal?: boolean;
  }[];
  failureReason?: string;
  jobIds: number[];
}

/** A receiver as the UI shows it: state, last error, and records per batch. */
export interface ReceiverView {
  readonly streamId: number;
  name: string;
  active: boolean;
  lastErrorMessage?: string;
  lastErrorTime?: number;
  totalRecords: number;
  /** [batchTime, records per second] for recent batches. */
  rates: [number, number][];
}

export interface StageView extends StageInfo {
  tasks: TaskInfo[];
}

export interface JobView extends JobInfo {
  stageIds: number[];
}

/** What one UI update sends to live pages. */
export type UiEvent =
  { kind: "batch"; batch: BatchView } | { kind: "receiver"; receiver: ReceiverView } | { kind: "job"; job: JobView };

/** How the store reads receivers' running totals and the scheduler's backlog. */
export interface StreamingSource {
  readonly batchMs: number;
  readonly startTime: number | undefined;
  receiverRecords(streamId: number): number | undefined;
  /** Records each receiver could not take as they came, by problem (oversize, invalid UTF-8). */
  receiverProblems(): ReadonlyMap<string, ReadonlyMap<string, number>>;
  queuedBatches(): number;
  stateSizes(): ReadonlyMap<string, number>;
  /** Records refused under `spark.sluice.onRecordError` (skipped or dead-lettered), by where. */
  refusedRecords(): ReadonlyMap<string, number>;
}

/**
 * Everything the web UI, the REST API and the metrics show: batches, receivers, jobs, stages
 * and tasks, fed by the streaming and scheduler listeners, bounded (the oldest batches and jobs
 * are dropped past `retainedBatches` / `retainedJobs`).
 */
export class StatusStore {
  readonly batches = new Map<number, BatchView>();
  readonly receivers = new Map<number, ReceiverView>();
  readonly jobs = new Map<number, JobView>();
  readonly stages = new Map<number, StageView>();
  streaming: StreamingSource | undefined;
  completedBatches = 0;
  failedBatches = 0;
  totalRecords = 0;
  private readonly lastReceiverTotals = new Map<number, number>();
  private readonly subscribers = new Set<(e: UiEvent) => void>();
  /** Told of every batch that completes (the metrics). */
  onBatchDone: ((b: BatchView) => void) | undefined;

  constructor(
    private readonly retainedBatches = 1000,
    private readonly retainedJobs = 1000,
  ) {}

  subscribe(f: (e: UiEvent) => void): () => void {
    this.subscribers.add(f);
    return () => this.subscribers.delete(f);
  }

  private emit(e: UiEvent): void {
    for (const f of this.subscribers) f(e);
  }

  /** The streaming half: batches and receivers. */
  readonly streamingListener: StreamingListener = {
    onBatchSubmitted: (info) => this.updateBatch(info, "QUEUED"),
    onBatchStarted: (info) => this.updateBatch(info, "PROCESSING"),
    onBatchCompleted: (info) => {
      const b = this.updateBatch(info, "COMPLETED");
      this.completedBatches++;
      this.totalRecords += info.numRecords;
      if (b.failureReason) this.failedBatches++;
      this.sampleReceivers(info.batchTime);
      this.onBatchDone?.(b);
    },
    onReceiverStarted: (info) => this.updateReceiver(info),
    onReceiverError: (info) => this.updateReceiver(info, true),
    onReceiverStopped: (info) => this.updateReceiver(info),
  };

  /** The engine half: jobs, stages, tasks, grouped under the batch that ran them. */
  readonly sparkListener: SparkListener = {
    onJobStart: (job) => {
      const view: JobView = { ...job, stageIds: [] };
      this.jobs.set(job.jobId, view);
      const t = job.group?.batchTime;
      if (t !== undefined) this.batches.get(t)?.jobIds.push(job.jobId);
      this.trimJobs();
    },
    onJobEnd: (job) => {
      const view = this.jobs.get(job.jobId);
      if (!view) return;
      Object.assign(view, job);
      this.emit({ kind: "job", job: view });
    },
    onStageSubmitted: (stage) => {
      this.stages.set(stage.stageId, { ...stage, tasks: [] });
      this.jobs.get(stage.jobId)?.stageIds.push(stage.stageId);
    },
    onStageCompleted: (stage) => {
      const view = this.stages.get(stage.stageId);
      if (view) Object.assign(view, stage, { tasks: view.tasks });
    },
    onTaskEnd: (task) => this.stages.get(task.stageId)?.tasks.push(task),
  };

  private updateBatch(info: BatchInfo, status: BatchView["status"]): BatchView {
    let b = this.batches.get(info.batchTime);
    if (!b) {
      b = {
        batchTime: info.batchTime,
        status,
        numRecords: info.numRecords,
        submissionTime: info.submissionTime,
        outputOps: [],
        jobIds: [],
      };
      this.batches.set(info.batchTime, b);
      if (this.batches.size > this.retainedBatches) this.batches.delete(this.batches.keys().next().value!);
    }
    b.status = status;
    b.numRecords = info.numRecords;
    b.processingStartTime = info.processingStartTime;
    b.processingEndTime = info.processingEndTime;
    b.schedulingDelay = info.schedulingDelay;
    b.processingTime = info.processingDelay;
    b.totalDelay = info.totalDelay;
    b.outputOps = info.outputOperations.map((o) => ({ ...o }));
    b.failureReason = info.outputOperations.find((o) => o.failureReason)?.failureReason;
    this.emit({ kind: "batch", batch: b });
    return b;
  }

  private updateReceiver(info: ReceiverInfo, error = false): void {
    let r = this.receivers.get(info.streamId);
    if (!r) {
      r = { streamId: info.streamId, name: info.name, active: info.active, totalRecords: 0, rates: [] };
      this.receivers.set(info.streamId, r);
    }
    r.name = info.name;
    r.active = info.active;
    if (error) {
      r.lastErrorMessage = info.lastErrorMessage;
      r.lastErrorTime = Date.now();
    }
    this.emit({ kind: "receiver", receiver: r });
  }

  /** Each receiver's records since the last batch, as a rate. */
  private sampleReceivers(batchTime: number): void {
    const s = this.streaming;
    if (!s) return;
    for (const r of this.receivers.values()) {
      const total = s.receiverRecords(r.streamId);
      if (total === undefined) continue;
      const delta = total - (this.lastReceiverTotals.get(r.streamId) ?? 0);
      this.lastReceiverTotals.set(r.streamId, total);
      r.totalRecords = total;
      r.rates.push([batchTime, (delta * 1000) / s.batchMs]);
      if (r.rates.length > 100) r.rates.shift();
      this.emit({ kind: "receiver", receiver: r });
    }
  }

  private trimJobs(): void {
    while (this.jobs.size > this.retainedJobs) {
      const [id, job] = this.jobs.entries().next().value!;
      for (const s of job.stageIds) this.stages.delete(s);
      this.jobs.delete(id);
    }
  }
}
