import { randomUUID } from "node:crypto";
import { resolve } from "node:path";
import { CheckpointManager, type RecoveryPlan } from "../checkpoint/checkpoint-manager.js";
import { CheckpointError } from "../checkpoint/errors.js";
import type { FsPort } from "../checkpoint/fs-port.js";
import type { SparkContext } from "../core/context.js";
import type { ReceiverTracker } from "../receiver/tracker.js";
import { IllegalArgumentError } from "../util/errors.js";
import { log } from "../util/log.js";
import { BatchCheckpointer } from "./batch-checkpointer.js";
import type { DStreamGraph } from "./graph.js";
import type { JobGenerator } from "./job-generator.js";

/** What a context hands to its start: its graph, receivers and settings. */
export interface StartParts {
  readonly sc: SparkContext;
  readonly batchMs: number;
  readonly graph: DStreamGraph;
  readonly tracker: ReceiverTracker;
  readonly checkpointDir: string | undefined;
  readonly fs: FsPort;
  /** The job generator, made once the checkpointer (if any) is known. */
  readonly makeGenerator: (checkpointer: BatchCheckpointer | undefined) => JobGenerator;
  /** The first batch time after now. */
  readonly firstBatchTime: () => number;
}

/** What a started context runs. */
export interface Started {
  readonly generator: JobGenerator;
  readonly checkpointer: BatchCheckpointer | undefined;
  /** The job's identity: kept in the checkpoint, so the same after a restart; per run without one. */
  readonly jobId: string;
}

/**
 * `plan`, read from checkpoint directory `dir`, for the graph `setupFunc` built: a graph that
 * differs from the checkpoint's is refused with the difference.
 */
export function readRecoveryPlan(plan: RecoveryPlan, dir: string, graph: DStreamGraph, batchMs: number): RecoveryPlan {
  const { fingerprint, summary } = graph.fingerprint(batchMs);
  if (fingerprint !== plan.metadata.fingerprint) {
    const removed = plan.metadata.summary.filter((l) => !summary.includes(l)).map((l) => `  - ${l}`);
    const added = summary.filter((l) => !plan.metadata.summary.includes(l)).map((l) => `  + ${l}`);
    const was = `${plan.metadata.fingerprint.slice(0, 12)}…, now ${fingerprint.slice(0, 12)}…`;
    throw new CheckpointError(
      "SLUICE_E_GRAPH_MISMATCH",
      `the checkpoint in ${dir} was written by another job graph (${was}):\n` +
        `${[...removed, ...added].join("\n")}\nUse a new checkpoint directory for the changed job`,
    );
  }
  return plan;
}

/** A new job: the metadata is written, receivers start, the timer starts at the next batch time. */
export function startFresh(p: StartParts): Started {
  const first = p.firstBatchTime();
  p.graph.start(first - p.batchMs, p.checkpointDir ?? p.sc.getCheckpointDir());
  const ck = openCheckpointer(p);
  const jobId = ck ? randomUUID() : `${p.sc.appName}-${p.sc.startTime}-${randomUUID().slice(0, 8)}`;
  return closingOnError(ck, () => {
    if (ck) {
      ck.manager.resetForNewJob(p.sc.conf.getBoolean("spark.sluice.checkpoint.reset", false));
      const { fingerprint, summary } = p.graph.fingerprint(p.batchMs);
      const inputs = p.graph.inputResumeStates();
      const metadata = {
        appName: p.sc.appName,
        jobId,
        batchMs: p.batchMs,
        zeroTime: first - p.batchMs,
        fingerprint,
        summary,
        inputs,
      };
      ck.ready = ck.manager.writeMetadata(metadata);
      ck.ready.catch(() => undefined); // the first batch's offsets write awaits it and reports the error
    }
    const generator = p.makeGenerator(ck);
    p.tracker.attach(p.graph.receivers(), walDir(p), p.fs, ck?.ready);
    p.tracker.startAll();
    generator.start(first);
    return { generator, checkpointer: ck, jobId };
  });
}

/**
 * Resumes a checkpointed job: original zero time, logged inputs, saved state; committed
 * batches after a snapshot are replayed with outputs suppressed, the uncommitted one is
 * re-run with its logged input, batch times missed while down run in order, then the
 * timer takes over.
 */
export function startRecovered(p: StartParts, plan: RecoveryPlan): Started {
  const zero = plan.metadata.zeroTime;
  const b = p.batchMs;
  p.graph.start(zero, p.checkpointDir ?? p.sc.getCheckpointDir());
  const ck = openCheckpointer(p)!;
  return closingOnError(ck, () => {
    const generator = p.makeGenerator(ck);
    p.tracker.attach(p.graph.receivers(), walDir(p), p.fs);
    p.graph.restoreInputs(plan.offsets, plan.metadata.inputs);
    const known = ck.restoreState(p.sc, plan);
    p.tracker.startAll();
    const committed = plan.lastCommitted ?? zero;
    const stateful = p.graph.statefulStreams();
    const replayFrom = Math.min(committed, ...stateful.map((s) => known.get(s) ?? zero));
    for (let t = replayFrom + b; t <= committed; t += b) {
      const behind = stateful.filter((s) => (known.get(s) ?? zero) < t);
      if (behind.length > 0) generator.replay(t, behind);
    }
    let last = committed;
    for (const pending of plan.pending) {
      generator.rerunLogged(pending.batchTime);
      last = pending.batchTime;
    }
    const nextTick = p.firstBatchTime();
    for (let t = last + b; t < nextTick; t += b) generator.generateJobs(t);
    generator.start(Math.max(nextTick, last + b));
    const rerun = `${plan.pending.length} batch(es) re-run`;
    log.info(
      `recovered from ${ck.manager.dir}: last committed batch ${plan.lastCommitted ?? "none"}, ${rerun}, ` +
        `state from ${known.size} snapshot(s)`,
    );
    return { generator, checkpointer: ck, jobId: plan.metadata.jobId ?? `checkpoint:${ck.manager.dir}` };
  });
}

/** `start()`, releasing the checkpoint directory's lock if it throws. */
function closingOnError(ck: BatchCheckpointer | undefined, start: () => Started): Started {
  try {
    return start();
  } catch (err) {
    ck?.manager.close();
    throw err;
  }
}

/** The receivers' write-ahead log directory, when `spark.streaming.receiver.writeAheadLog.enable` is on. */
function walDir(p: StartParts): string | undefined {
  if (!p.sc.conf.getBoolean("spark.streaming.receiver.writeAheadLog.enable", false)) return undefined;
  if (!p.checkpointDir) {
    throw new IllegalArgumentError(
      "spark.streaming.receiver.writeAheadLog.enable needs a checkpoint directory: " +
        "call ssc.checkpoint(dir) (the log is kept there)",
    );
  }
  return resolve(p.checkpointDir, "wal");
}

function openCheckpointer(p: StartParts): BatchCheckpointer | undefined {
  if (!p.checkpointDir) return undefined;
  const waitSeconds = Number(p.sc.conf.get("spark.sluice.checkpoint.lockWaitSeconds", "10"));
  if (!(waitSeconds >= 0)) {
    throw new IllegalArgumentError(`spark.sluice.checkpoint.lockWaitSeconds must be >= 0, got ${waitSeconds}`);
  }
  const manager = new CheckpointManager(p.checkpointDir, p.fs, Math.round(waitSeconds * 1000));
  manager.open();
  const intervals = p.graph
    .statefulStreams()
    .map((s) => (s.checkpointInterval ?? 0) * 1000)
    .filter((ms) => ms > 0);
  const snapshotEvery = intervals.length ? Math.min(...intervals) : p.batchMs * Math.ceil(10_000 / p.batchMs);
  const retain = p.sc.conf.getInt("spark.streaming.minBatchesToRetain", 100);
  const cleanWal = (keepFrom: number) => p.tracker.cleanupWal(keepFrom);
  return new BatchCheckpointer(manager, p.graph, p.batchMs, snapshotEvery, retain, cleanWal);
}
