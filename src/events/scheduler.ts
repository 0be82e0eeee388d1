import { AsyncLocalStorage } from "node:async_hooks";
import { EventBus } from "./bus.js";

/** What a job was run for: a streaming batch's output operation, when it was one. */
export interface JobGroup {
  readonly batchTime?: number;
  readonly outputOpId?: number;
}

/** A job: one action, its stages (map stages first, the result stage last). */
export interface JobInfo {
  readonly jobId: number;
  readonly description: string;
  readonly group: JobGroup | undefined;
  readonly submissionTime: number;
  readonly completionTime?: number;
  readonly status: "RUNNING" | "SUCCEEDED" | "FAILED";
  readonly failureReason?: string;
}

/** A stage of a job: a shuffle's map side, or the job's result stage. */
export interface StageInfo {
  readonly stageId: number;
  readonly jobId: number;
  readonly name: string;
  readonly kind: "ShuffleMapStage" | "ResultStage";
  readonly numTasks: number;
  readonly submissionTime: number;
  readonly completionTime?: number;
  readonly failureReason?: string;
}

/** A finished task attempt, with the records its stage read and produced. */
export interface TaskInfo {
  readonly stageId: number;
  readonly jobId: number;
  readonly partition: number;
  readonly attempt: number;
  readonly launchTime: number;
  readonly finishTime: number;
  /** Records the task read from its sources and shuffles. */
  readonly recordsIn: number;
  /** Records the task produced: shuffle records written, or records handed to the action. */
  readonly recordsOut: number;
  readonly executor: "driver" | "worker";
  readonly failureReason?: string;
}

/** Callbacks on jobs, stages and tasks (`sc.addSparkListener`); all optional. */
export interface SparkListener {
  onJobStart?(job: JobInfo): void;
  onJobEnd?(job: JobInfo): void;
  onStageSubmitted?(stage: StageInfo): void;
  onStageCompleted?(stage: StageInfo): void;
  onTaskEnd?(task: TaskInfo): void;
}

/** The job group of the code running now: the streaming scheduler runs each output operation in one. */
export const jobGroups = new AsyncLocalStorage<JobGroup>();

/** Delivers scheduler events; a listener that throws is reported, never fails a job. */
export class SparkListenerBus extends EventBus<SparkListener> {
  constructor() {
    super("SparkListener");
  }
}
