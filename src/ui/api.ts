import type { BatchView, JobView, ReceiverView, StageView, StatusStore } from "./status-store.js";

/** Spark's REST API time text: ISO 8601 with "GMT" for "Z". */
export function sparkTime(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : new Date(ms).toISOString().replace("Z", "GMT");
}

const avg = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : undefined);

/** The mean of a delay over the batches that have it. */
const avgOf = (batches: BatchView[], key: "schedulingDelay" | "processingTime" | "totalDelay") =>
  avg(batches.flatMap((b) => (b[key] === undefined ? [] : [b[key]])));

/** What the REST API needs besides the store. */
export interface AppFacts {
  readonly appId: string;
  readonly appName: string;
  readonly startTime: number;
  readonly conf: readonly [string, string][];
}

/** `/api/v1/applications/[id]/streaming/statistics`, shaped as Spark's. */
export function streamingStatistics(store: StatusStore): Record<string, unknown> {
  const done = [...store.batches.values()].filter((b) => b.status === "COMPLETED");
  const receivers = [...store.receivers.values()];
  const batchMs = store.streaming?.batchMs ?? 0;
  return {
    startTime: sparkTime(store.streaming?.startTime),
    batchDuration: batchMs,
    numReceivers: receivers.length,
    numActiveReceivers: receivers.filter((r) => r.active).length,
    numInactiveReceivers: receivers.filter((r) => !r.active).length,
    numTotalCompletedBatches: store.completedBatches,
    numRetainedCompletedBatches: done.length,
    numActiveBatches: [...store.batches.values()].filter((b) => b.status !== "COMPLETED").length,
    numProcessedRecords: store.totalRecords,
    numReceivedRecords: receivers.reduce((n, r) => n + r.totalRecords, 0),
    avgInputRate: batchMs ? avg(done.map((b) => (b.numRecords * 1000) / batchMs)) : undefined,
    avgSchedulingDelay: avgOf(done, "schedulingDelay"),
    avgProcessingTime: avgOf(done, "processingTime"),
    avgTotalDelay: avgOf(done, "totalDelay"),
    // Sluice's: records skipped or dead-lettered under spark.sluice.onRecordError
    numRefusedRecords: [...(store.streaming?.refusedRecords().values() ?? [])].reduce((a, b) => a + b, 0),
  };
}

/** One batch, as Spark's `BatchInfo` of the REST API. */
export function batchJson(b: BatchView, batchMs: number): Record<string, unknown> {
  // the user's output operations (the engine's state checkpoints are listed with the operations, not counted)
  const ops = b.outputOps.filter((o) => !o.internal);
  const failed = ops.filter((o) => o.failureReason).length;
  const completed = ops.filter((o) => o.endTime !== undefined && !o.failureReason).length;
  return {
    batchId: b.batchTime,
    batchTime: sparkTime(b.batchTime),
    status: b.status,
    batchDuration: batchMs,
    inputSize: b.numRecords,
    schedulingDelay: b.schedulingDelay,
    processingTime: b.processingTime,
    totalDelay: b.totalDelay,
    numActiveOutputOps: b.status === "PROCESSING" ? Math.max(0, ops.length - completed - failed) : 0,
    numCompletedOutputOps: completed,
    numFailedOutputOps: failed,
    numTotalOutputOps: ops.length,
    firstFailureReason: b.failureReason,
  };
}

export function outputOperationsJson(b: BatchView, store: StatusStore): Record<string, unknown>[] {
  return b.outputOps.map((o) => ({
    outputOpId: o.id,
    name: o.name,
    startTime: sparkTime(o.startTime),
    endTime: sparkTime(o.endTime),
    duration: o.startTime !== undefined && o.endTime !== undefined ? o.endTime - o.startTime : undefined,
    failureReason: o.failureReason,
    internal: o.internal ?? false,
    jobIds: b.jobIds.filter((j) => store.jobs.get(j)?.group?.outputOpId === o.id),
  }));
}

export function receiverJson(r: ReceiverView): Record<string, unknown> {
  return {
    streamId: r.streamId,
    streamName: r.name,
    isActive: r.active,
    executorId: "driver",
    executorHost: "localhost",
    lastErrorTime: sparkTime(r.lastErrorTime),
    lastErrorMessage: r.lastErrorMessage,
    avgEventRate: avg(r.rates.map(([, x]) => x)),
    eventRates: r.rates,
  };
}

export function jobJson(j: JobView, store: StatusStore): Record<string, unknown> {
  const stages = j.stageIds.map((s) => store.stages.get(s)).filter((s): s is StageView => s !== undefined);
  const tasks = stages.flatMap((s) => s.tasks);
  return {
    jobId: j.jobId,
    name: j.description,
    description:
      j.group?.batchTime === undefined
        ? undefined
        : `Streaming job from [output operation ${j.group.outputOpId}, batch time ${sparkTime(j.group.batchTime)}]`,
    submissionTime: sparkTime(j.submissionTime),
    completionTime: sparkTime(j.completionTime),
    stageIds: j.stageIds,
    jobGroup: j.group?.batchTime === undefined ? undefined : String(j.group.batchTime),
    status: j.status,
    numTasks: stages.reduce((n, s) => n + s.numTasks, 0),
    numCompletedTasks: tasks.filter((t) => !t.failureReason).length,
    numFailedTasks: tasks.filter((t) => t.failureReason).length,
    failureReason: j.failureReason,
  };
}

export function stageJson(s: StageView, withTasks: boolean): Record<string, unknown> {
  const ok = s.tasks.filter((t) => !t.failureReason);
  const sum = (f: (t: (typeof s.tasks)[number]) => number | undefined) => ok.reduce((n, t) => n + (f(t) ?? 0), 0);
  return {
    status: s.completionTime === undefined ? "ACTIVE" : s.failureReason ? "FAILED" : "COMPLETE",
    stageId: s.stageId,
    attemptId: 0,
    jobId: s.jobId,
    kind: s.kind,
    name: s.name,
    numTasks: s.numTasks,
    numCompleteTasks: ok.length,
    numFailedTasks: s.tasks.length - ok.length,
    inputRecords: sum((t) => t.recordsIn),
    outputRecords: s.kind === "ResultStage" ? sum((t) => t.recordsOut) : 0,
    shuffleWriteRecords: s.kind === "ShuffleMapStage" ? sum((t) => t.recordsOut) : 0,
    submissionTime: sparkTime(s.submissionTime),
    completionTime: sparkTime(s.completionTime),
    failureReason: s.failureReason,
    ...(withTasks
      ? {
          tasks: s.tasks.map((t) => ({
            partition: t.partition,
            attempt: t.attempt,
            launchTime: sparkTime(t.launchTime),
            duration: t.finishTime - t.launchTime,
            executorId: t.executor,
            recordsIn: t.recordsIn,
            recordsOut: t.recordsOut,
            status: t.failureReason ? "FAILED" : "SUCCESS",
            errorMessage: t.failureReason,
          })),
        }
      : {}),
  };
}

/**
 * Answers a `/api/v1/...` path (Spark's REST API, streaming and jobs parts), or undefined for
 * an unknown path. `[app-id]` must be this application's id.
 */
export function apiResponse(path: string, store: StatusStore, app: AppFacts): unknown {
  const parts = path.split("/").filter(Boolean); // api, v1, applications, id, ...
  if (parts[0] !== "api" || parts[1] !== "v1" || parts[2] !== "applications") return undefined;
  if (parts.length === 3) {
    return [
      {
        id: app.appId,
        name: app.appName,
        attempts: [
          {
            startTime: sparkTime(app.startTime),
            lastUpdated: sparkTime(Date.now()),
            duration: Date.now() - app.startTime,
            sparkUser: process.env.USER ?? "",
            completed: false,
          },
        ],
      },
    ];
  }
  if (parts[3] !== app.appId) return undefined;
  const [, , , , area, a, b, c] = parts;
  const batchMs = store.streaming?.batchMs ?? 0;
  switch (area) {
    case "environment":
      return { sparkProperties: app.conf, runtime: { nodeVersion: process.version } };
    case "jobs":
      if (a === undefined) return [...store.jobs.values()].reverse().map((j) => jobJson(j, store));
      return store.jobs.has(Number(a)) ? jobJson(store.jobs.get(Number(a))!, store) : undefined;
    case "stages":
      if (a === undefined) return [...store.stages.values()].reverse().map((s) => stageJson(s, false));
      return store.stages.has(Number(a)) ? stageJson(store.stages.get(Number(a))!, true) : undefined;
    case "streaming":
      if (a === "statistics") return streamingStatistics(store);
      if (a === "receivers") {
        if (b === undefined) return [...store.receivers.values()].map(receiverJson);
        const r = store.receivers.get(Number(b));
        return r ? receiverJson(r) : undefined;
      }
      if (a === "batches") {
        if (b === undefined) return [...store.batches.values()].reverse().map((x) => batchJson(x, batchMs));
        const batch = store.batches.get(Number(b));
        if (!batch) return undefined;
        if (c === "operations") return outputOperationsJson(batch, store);
        return batchJson(batch, batchMs);
      }
      return undefined;
    default:
      return undefined;
  }
}
