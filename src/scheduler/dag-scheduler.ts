import type { Emit, RDDNode, ShuffleDependency } from "../core/node.js";
import type { RDD } from "../core/rdd.js";
import { IllegalStateError, TaskFailedError } from "../core/errors.js";
import type { ShuffleManager } from "../shuffle/shuffle-manager.js";
import { writeShuffleOutput } from "../shuffle/shuffle-writer.js";
import type { BlockManager } from "../storage/block-manager.js";
import { originOf, type TaskContext } from "./task-context.js";
import { planMapTask } from "./task-plan.js";
import { WorkerTaskError, type WorkerPool } from "./worker-pool.js";
import { log } from "../util/log.js";

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
}

/**
 * Runs jobs: cuts the lineage into stages at shuffle dependencies, runs the map stages
 * whose outputs are missing (parents first), then one result task per partition. Each
 * task computes its stage's narrow chain as one fused push loop. A failing task is
 * retried up to `spark.task.maxFailures` times.
 */
export class DAGScheduler {
  private nextStageId = 0;

  constructor(private readonly host: SchedulerHost) {}

  async runJob<T, R>(rdd: RDD<T>, partitions: readonly number[], fn: PartitionFunc<T, R>): Promise<R[]> {
    this.host.assertActive();
    await this.prepareStage(rdd);
    const stageId = this.nextStageId++;
    const results: R[] = [];
    for (const split of partitions) {
      results.push(await this.runTask(stageId, rdd, split, (ctx) => fn((emit) => ctx.iterate(rdd, split, emit), split)));
    }
    return results;
  }

  /** Runs every missing parent map stage and the `prepare` steps of the stage ending at `rdd`. */
  private async prepareStage(rdd: RDD<unknown>): Promise<void> {
    const { shuffles, nodes } = this.stageOf(rdd);
    for (const dep of shuffles) {
      if (!this.host.shuffleManager.isAvailable(dep.shuffleId)) await this.runMapStage(dep);
    }
    for (const node of nodes) await node.prepare?.();
  }

  private async runMapStage(dep: ShuffleDependency): Promise<void> {
    await this.prepareStage(dep.rdd);
    await dep.partitioner.prepare?.();
    const stageId = this.nextStageId++;
    const parent = dep.rdd;
    const onDriver = (split: number) => this.runTask(stageId, parent, split, (ctx) => writeShuffleOutput(dep, (emit) => ctx.iterate(parent, split, emit)));
    const splits = Array.from({ length: parent.getNumPartitions() }, (_, i) => i);
    const pool = this.host.workerPool;
    let outputs: [unknown, unknown][][][];
    if (pool && !pool.broken && splits.length > 1) {
      outputs = await Promise.all(splits.map((split) => this.runMapTaskOnWorker(pool, stageId, dep, split, onDriver)));
    } else {
      outputs = [];
      for (const split of splits) outputs.push(await onDriver(split));
    }
    this.host.shuffleManager.putMapOutputs(dep.shuffleId, outputs);
  }

  /**
   * A map task on a worker thread when its stage can be shipped (see `planMapTask`), retried
   * there like any task; a task that cannot run in a worker runs on the driver, with the reason
   * logged (at INFO: `sluice submit --verbose`).
   */
  private async runMapTaskOnWorker(pool: WorkerPool, stageId: number, dep: ShuffleDependency, split: number, onDriver: (split: number) => Promise<[unknown, unknown][][]>): Promise<[unknown, unknown][][]> {
    const plan = planMapTask(dep, split);
    if ("reason" in plan) {
      this.explainDriverStage(stageId, plan.reason);
      return onDriver(split);
    }
    this.host.assertActive();
    try {
      return await pool.run(plan);
    } catch (err) {
      // whatever failed in the worker (a function reading its closure or `this`, or a real
      // error) is run again on the driver, where retries and error reports work as always
      const why = err instanceof WorkerTaskError && err.shippingProblem
        ? `${err.name}: ${err.message} (a function reads a variable from its closure, which a worker thread cannot see)`
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

  private async runTask<R>(stageId: number, rdd: RDD<unknown>, split: number, body: (ctx: TaskContext) => R | Promise<R>): Promise<R> {
    const maxFailures = this.host.maxTaskFailures;
    for (let attempt = 0; ; attempt++) {
      // let timers and sockets run between tasks: a long job never starves receivers
      await new Promise<void>((resolve) => setImmediate(resolve));
      this.host.assertActive();
      try {
        return await body(new LocalTaskContext(stageId, split, attempt, this.host));
      } catch (err) {
        if (err instanceof IllegalStateError || attempt + 1 >= maxFailures) {
          const origin = originOf(err);
          throw new TaskFailedError(origin?.rddId ?? rdd.id, origin?.callSite ?? rdd.node.callSite, split, stageId, attempt + 1, err);
        }
      }
    }
  }
}

/** A task's view of the engine when it runs on the driver's thread. */
class LocalTaskContext implements TaskContext {
  constructor(
    readonly stageId: number,
    readonly partitionId: number,
    readonly attemptNumber: number,
    private readonly host: SchedulerHost,
  ) {}

  iterate<T>(rdd: RDD<T>, split: number, emit: Emit<T>): void {
    if (!rdd.isPersisted) {
      rdd.node.computeInto(split, this, emit);
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
    for (let i = 0; i < data.length; i++) emit(data[i]!);
  }

  readShuffle(shuffleId: number, reduceId: number): readonly (readonly [unknown, unknown][])[] {
    return this.host.shuffleManager.read(shuffleId, reduceId);
  }
}
