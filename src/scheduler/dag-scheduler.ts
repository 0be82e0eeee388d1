import { copyValue } from "../util/copy-value.js";
import type { Emit, RDDNode, ShuffleDependency } from "../core/node.js";
import type { RDD } from "../core/rdd.js";
import { IllegalStateError, TaskFailedError, describeError } from "../util/errors.js";
import { jobGroups, type JobInfo, type SparkListenerBus, type StageInfo } from "../events/scheduler.js";
import type { ShuffleManager } from "../shuffle/shuffle-manager.js";
import { writeShuffleOutput } from "../shuffle/shuffle-writer.js";
import type { BlockManager } from "../storage/block-manager.js";
import { collectFailures, originOf, type FailedRecord, type RecordFailure, type TaskContext } from "./task-context.js";
import type { RecordErrorPolicy } from "../util/record-errors.js";
import { planMapStage, type NotShippable, type ShippedStage } from "./task-plan.js";
import { WorkerTaskError, type WorkerPool } from "./worker-pool.js";
import { log } from "../util/log.js";
import type { SpillTarget } from "../shuffle/external-map.js";
import type { MemoryBudget } from "../shuffle/memory.js";
import type { SpilledSegment } from "../shuffle/shuffle-manager.js";
import { deleteSpill } from "../shuffle/spill-files.js";

/** What a result task does with its partition: `run` pushes the partition's records. */
export type PartitionFunc<T, R> = (run: (emit: Emit<T>) => void, split: number) => R | Promise<R>;

/** What the scheduler needs from its context. */
export interface SchedulerHost {
  readonly shuffleManager: ShuffleManager;
  readonly blockManager: BlockManager;
  readonly maxTaskFailures: number;
  /** `local[N]` with N > 1: worker threads for map tasks that can be shipped. */
  readonly workerPool?: WorkerPool;
  /** Throws when the context is stopped. */
  assertActive(): void;
  /** Job, stage and task events (the web UI listens). */
  readonly sparkListeners: SparkListenerBus;
  /** What happens to a record whose function throws (`spark.sluice.onRecordError`). */
  readonly recordErrors: RecordErrorPolicy;
  /** The first wait before a failed task is tried again, in ms (doubling, at most 2 s). */
  readonly taskRetryWaitMs: number;
  /** What shuffles and aggregations may hold in memory before they spill. */
  readonly memory: MemoryBudget;
}

/** Counts a task's records while it runs on the driver. */
interface TaskMetrics {
  recordsIn: number;
  recordsOut: number;
}

/**
 * Runs jobs: cuts the lineage into stages at shuffle dependencies, runs the map stages
 * whose outputs are missing (parents first), then one result task per partition. Each
 * task computes its stage's narrow chain as one fused push loop. A failing task is
 * retried up to `spark.task.maxFailures` times.
 */
export class DAGScheduler {
  private nextStageId = 0;
  private nextJobId = 0;

  constructor(private readonly host: SchedulerHost) {}

  private get bus(): SparkListenerBus {
    return this.host.sparkListeners;
  }

  async runJob<T, R>(rdd: RDD<T>, partitions: readonly number[], fn: PartitionFunc<T, R>): Promise<R[]> {
    this.host.assertActive();
    const job: JobInfo = {
      jobId: this.nextJobId++,
      description: rdd.node.callSite,
      group: jobGroups.getStore(),
      submissionTime: Date.now(),
      status: "RUNNING",
    };
    this.bus.post("onJobStart", job);
    try {
      await this.prepareStage(rdd, job.jobId);
      const results = await this.runStage(
        job.jobId,
        rdd,
        "ResultStage",
        partitions,
        (split) => (ctx) =>
          fn(
            (emit) =>
              ctx.iterate(rdd, split, (x) => {
                ctx.metrics.recordsOut++;
                emit(x);
              }),
            split,
          ),
      );
      this.bus.post("onJobEnd", { ...job, completionTime: Date.now(), status: "SUCCEEDED" });
      return results;
    } catch (err) {
      this.bus.post("onJobEnd", {
        ...job,
        completionTime: Date.now(),
        status: "FAILED",
        failureReason: describeError(err),
      });
      throw err;
    }
  }

  /**
   * Runs a stage's tasks, reporting the stage to listeners: one after another on the driver, or
   * all at once through `onWorker` (which falls back to the driver task it is given).
   */
  private async runStage<R>(
    jobId: number,
    rdd: RDD<unknown>,
    kind: StageInfo["kind"],
    splits: readonly number[],
    body: (split: number) => (ctx: LocalTaskContext) => R | Promise<R>,
    onWorker?: (stageId: number, split: number, onDriver: (split: number) => Promise<R>) => Promise<R>,
  ): Promise<R[]> {
    const stage: StageInfo = {
      stageId: this.nextStageId++,
      jobId,
      name: rdd.node.callSite,
      kind,
      numTasks: splits.length,
      submissionTime: Date.now(),
    };
    this.bus.post("onStageSubmitted", stage);
    try {
      const onDriver = (split: number) => this.runTask(stage.stageId, jobId, rdd, split, body(split));
      let results: R[];
      if (onWorker) results = await Promise.all(splits.map((split) => onWorker(stage.stageId, split, onDriver)));
      else {
        results = [];
        for (const split of splits) results.push(await onDriver(split));
      }
      this.bus.post("onStageCompleted", { ...stage, completionTime: Date.now() });
      return results;
    } catch (err) {
      this.bus.post("onStageCompleted", { ...stage, completionTime: Date.now(), failureReason: describeError(err) });
      throw err;
    }
  }

  /** Runs every missing parent map stage and the `prepare` steps of the stage ending at `rdd`. */
  private async prepareStage(rdd: RDD<unknown>, jobId: number): Promise<void> {
    const { shuffles, nodes } = this.stageOf(rdd);
    for (const dep of shuffles) {
      if (!this.host.shuffleManager.isAvailable(dep.shuffleId)) await this.runMapStage(dep, jobId);
    }
    for (const node of nodes) await node.prepare?.();
  }

  private async runMapStage(dep: ShuffleDependency, jobId: number): Promise<void> {
    await this.prepareStage(dep.rdd, jobId);
    await dep.partitioner.prepare?.();
    const parent = dep.rdd;
    const splits = Array.from({ length: parent.getNumPartitions() }, (_, i) => i);
    const shuffles = this.host.shuffleManager;
    // each task's output is kept as it finishes (spilled past the budget), not all at the end
    const write = (split: number) => (ctx: LocalTaskContext) => {
      const segments: SpilledSegment[] = [];
      const bound = { bytes: this.host.memory.taskBytes, spill: shuffles.spillBuckets.bind(shuffles), segments };
      let buckets: [unknown, unknown][][];
      try {
        buckets = writeShuffleOutput(dep, (emit) => ctx.iterate(parent, split, emit), bound);
      } catch (err) {
        for (const s of segments) deleteSpill(s.path);
        throw err;
      }
      ctx.metrics.recordsOut = countRecords(buckets);
      shuffles.putMapOutput(dep.shuffleId, split, buckets, segments);
    };
    const pool = this.host.workerPool;
    // the stage's functions are packed once, with what they read now (as Spark serializes a
    // closure when its job runs)
    let shipped: ShippedStage | NotShippable | undefined;
    const onWorker =
      pool && !pool.broken && splits.length > 1
        ? (stageId: number, split: number, onDriver: (split: number) => Promise<void>) => {
            // packed once per stage; a worker spills its buffers past its share of a task's memory
            // (both run at once)
            shipped ??= planMapStage(dep, this.host.recordErrors.mode !== "fail", {
              folder: shuffles.spillDir.ensureFolder(),
              bytes: this.host.memory.taskBytes / pool.size,
            });
            return this.runMapTaskOnWorker(pool, stageId, jobId, dep.shuffleId, shipped, split, onDriver);
          }
        : undefined;
    try {
      await this.runStage(jobId, parent, "ShuffleMapStage", splits, write, onWorker);
    } catch (err) {
      shuffles.remove(dep.shuffleId); // what finished is dropped, its spill files too
      throw err;
    }
    shuffles.markComplete(dep.shuffleId);
  }

  /**
   * A map task on a worker thread when its stage can be shipped (see `planMapTask`), retried
   * there like any task; a task that cannot run in a worker runs on the driver, with the reason
   * logged (at INFO: `sluice submit --verbose`).
   */
  private async runMapTaskOnWorker(
    pool: WorkerPool,
    stageId: number,
    jobId: number,
    shuffleId: number,
    stage: ShippedStage | NotShippable,
    split: number,
    onDriver: (split: number) => Promise<void>,
  ): Promise<void> {
    const plan = "reason" in stage ? stage : stage.task(split);
    if ("reason" in plan) {
      this.explainDriverStage(stageId, plan.reason);
      return onDriver(split);
    }
    this.host.assertActive();
    try {
      const launchTime = Date.now();
      const { output, recordsIn, failedRecords, accumulators, segments } = await pool.run(
        plan,
        (stage as ShippedStage).broadcasts,
      );
      // the task succeeded: what it added to accumulators counts, once
      for (const [id, total] of accumulators) (stage as ShippedStage).accumulators.get(id)?.(total);
      for (const f of failedRecords) {
        await this.host.recordErrors.refuse(f.record, Object.assign(new Error(f.message), { name: f.name }), f.where);
      }
      if (this.bus.active)
        this.bus.post("onTaskEnd", {
          stageId,
          jobId,
          partition: split,
          attempt: 0,
          launchTime,
          finishTime: Date.now(),
          recordsIn,
          recordsOut: output.records,
          executor: "worker",
        });
      this.host.shuffleManager.putEncodedOutput(shuffleId, split, output, segments);
    } catch (err) {
      // whatever failed in the worker (a function reading its closure or `this`, or a real
      // error) is run again on the driver, where retries and error reports work as always
      const why =
        err instanceof WorkerTaskError && err.shippingProblem
          ? `${err.name}: ${err.message} (in a worker thread; a value its function reads could not cross)`
          : err instanceof WorkerTaskError
            ? `${err.name}: ${err.message} in a worker thread; trying the task on the driver`
            : `worker threads are unavailable (${(err as Error).message})`;
      this.explainDriverStage(stageId, why);
      return onDriver(split);
    }
  }

  private readonly explained = new Set<number>();

  private explainDriverStage(stageId: number, reason: string): void {
    if (this.explained.has(stageId)) return;
    this.explained.add(stageId);
    log.info(`stage ${stageId} runs on the driver's thread: ${reason}`);
  }

  /** The shuffle dependencies that bound the stage ending at `rdd`, and its nodes. */
  private stageOf(rdd: RDD<unknown>): { shuffles: ShuffleDependency[]; nodes: RDDNode<unknown>[] } {
    const shuffles: ShuffleDependency[] = [];
    const nodes: RDDNode<unknown>[] = [];
    const seen = new Set<number>();
    const visit = (r: RDD<unknown>): void => {
      if (seen.has(r.id)) return;
      seen.add(r.id);
      if (r.isFullyCached()) return;
      nodes.push(r.node);
      for (const dep of r.node.dependencies) {
        if (dep.kind === "shuffle") shuffles.push(dep);
        else visit(dep.rdd);
      }
    };
    visit(rdd);
    return { shuffles, nodes };
  }

  private async runTask<R>(
    stageId: number,
    jobId: number,
    rdd: RDD<unknown>,
    split: number,
    body: (ctx: LocalTaskContext) => R | Promise<R>,
  ): Promise<R> {
    const maxFailures = this.host.maxTaskFailures;
    for (let attempt = 0; ; attempt++) {
      // let timers and sockets run between tasks: a long job never starves receivers
      await new Promise<void>((resolve) => setImmediate(resolve));
      this.host.assertActive();
      const ctx = new LocalTaskContext(stageId, split, attempt, this.host);
      const launchTime = Date.now();
      const report = (failureReason?: string) => {
        if (this.bus.active)
          this.bus.post("onTaskEnd", {
            stageId,
            jobId,
            partition: split,
            attempt,
            launchTime,
            finishTime: Date.now(),
            recordsIn: ctx.metrics.recordsIn,
            recordsOut: ctx.metrics.recordsOut,
            executor: "driver",
            failureReason,
          });
      };
      try {
        const result = await body(ctx);
        report();
        for (const f of ctx.failedRecords) await this.host.recordErrors.refuse(f.record, f.error, f.where);
        return result;
      } catch (err) {
        report(describeError(err));
        if (!(err instanceof IllegalStateError) && attempt + 1 < maxFailures) {
          const wait = Math.min(2000, this.host.taskRetryWaitMs * 2 ** attempt);
          log.warn(
            `task for partition ${split} of ${rdd} in stage ${stageId} failed (attempt ${attempt + 1} of ` +
              `${maxFailures}): ${describeError(err)}; trying again in ${wait} ms`,
          );
          if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        }
        if (err instanceof IllegalStateError || attempt + 1 >= maxFailures) {
          const origin = originOf(err);
          throw new TaskFailedError(
            origin?.rddId ?? rdd.id,
            origin?.callSite ?? rdd.node.callSite,
            split,
            stageId,
            attempt + 1,
            err,
          );
        }
      }
    }
  }
}

/** Records in all buckets of a map task's output. */
function countRecords(buckets: readonly (readonly unknown[])[]): number {
  let n = 0;
  for (const b of buckets) n += b.length;
  return n;
}

/** A task's view of the engine when it runs on the driver's thread; counts the records it reads. */
class LocalTaskContext implements TaskContext {
  readonly metrics: TaskMetrics = { recordsIn: 0, recordsOut: 0 };
  /** Records dropped under the record-error policy, handed to it once the task succeeded. */
  readonly failedRecords: FailedRecord[] = [];
  readonly recordFailed: RecordFailure | undefined;

  constructor(
    readonly stageId: number,
    readonly partitionId: number,
    readonly attemptNumber: number,
    private readonly host: SchedulerHost,
  ) {
    this.recordFailed = host.recordErrors.mode === "fail" ? undefined : collectFailures(this.failedRecords);
  }

  iterate<T>(rdd: RDD<T>, split: number, emit: Emit<T>): void {
    if (!rdd.isPersisted) {
      if (rdd.node.dependencies.length > 0) rdd.node.computeInto(split, this, emit);
      else {
        // a source: what it emits is the task's input
        const metrics = this.metrics;
        rdd.node.computeInto(split, this, (x) => {
          metrics.recordsIn++;
          emit(x);
        });
      }
      return;
    }
    const blocks = this.host.blockManager;
    let data = blocks.get(rdd.id, split) as readonly T[] | undefined;
    if (!data) {
      const computed: T[] = [];
      rdd.node.computeInto(split, this, (x) => computed.push(x));
      blocks.put(rdd.id, split, computed);
      data = computed;
    }
    // what the cache keeps is not handed out: a mutation downstream (or of a collected value) would rewrite it
    for (let i = 0; i < data.length; i++) emit(copyValue(data[i]!));
  }

  *readShuffle(shuffleId: number, reduceId: number): Generator<readonly [unknown, unknown][]> {
    for (const block of this.host.shuffleManager.read(shuffleId, reduceId)) {
      this.metrics.recordsIn += block.length;
      yield block;
    }
  }

  get spill(): SpillTarget {
    return { dir: this.host.shuffleManager.spillDir, bytes: this.host.memory.taskBytes };
  }
}
