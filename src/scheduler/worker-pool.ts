import { Worker } from "node:worker_threads";
import type { MapTaskPlan } from "./task-plan.js";
import type { EncodedBuckets, Extent, SpilledSegment } from "../shuffle/spill-files.js";

/** What a worker answers for a map task. */
export interface WorkerTaskResult {
  /** Its shuffle output, each reduce partition's block encoded on its own (see `encodeBuckets`). */
  readonly output: EncodedBuckets;
  readonly recordsIn: number;
  /** Records whose function threw, dropped under the record-error policy (the driver hands them to it). */
  readonly failedRecords: readonly ShippedFailure[];
  /** What the task added to each accumulator, by id (the driver adds it once, as the task succeeded). */
  readonly accumulators: readonly [number, number][];
  /** Buffers the task spilled to files as it ran (the rest of its output is in `output`). */
  readonly segments: readonly SpilledSegment[];
}

/** A failed record as a worker sends it back. */
export interface ShippedFailure {
  readonly record: unknown;
  readonly name: string;
  readonly message: string;
  readonly where: string;
}

/** A shipped task failed in a worker; `shippingProblem` says it should run on the driver instead. */
export class WorkerTaskError extends Error {
  constructor(
    name: string,
    message: string,
    readonly shippingProblem: boolean,
    readonly origin: { rddId: number; callSite: string } | undefined,
    stack?: string,
  ) {
    super(message);
    this.name = name;
    if (stack) this.stack = stack;
  }
}

interface Pending {
  readonly plan: MapTaskPlan;
  readonly broadcasts: ReadonlyMap<number, () => unknown>;
  readonly resolve: (out: WorkerTaskResult) => void;
  readonly reject: (err: unknown) => void;
}

/**
 * `local[N]`'s N worker threads. A task is plain data in (a plan), plain data out (its shuffle
 * output as one transferred buffer). Workers start on first use, hold the process open only
 * while they have work, and end with the context.
 */
export class WorkerPool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly queue: Pending[] = [];
  private readonly running = new Map<Worker, Pending>();
  /** The broadcast variables each worker holds (each is sent to a worker once). */
  private readonly holds = new Map<Worker, Set<number>>();

  constructor(readonly size: number) {}

  /** Starts every thread now, so the first job does not wait for them. */
  warmUp(): void {
    while (this.workers.length < this.size) this.idle.push(this.spawn());
  }

  private spawn(): Worker {
    const here = import.meta.url;
    const worker = new Worker(new URL(here.endsWith(".ts") ? "./worker-bootstrap.mjs" : "./worker-main.js", here));
    worker.on(
      "message",
      (msg: {
        ok: boolean;
        buffer?: ArrayBuffer;
        chunks?: (readonly Extent[])[];
        records?: number;
        recordsIn?: number;
        failedRecords?: ShippedFailure[];
        accumulators?: [number, number][];
        segments?: SpilledSegment[];
        name?: string;
        message?: string;
        stack?: string;
        shippingProblem?: boolean;
        origin?: { rddId: number; callSite: string };
      }) => {
        const task = this.running.get(worker);
        this.running.delete(worker);
        this.release(worker);
        if (!task) return;
        if (msg.ok)
          task.resolve({
            output: { bytes: new Uint8Array(msg.buffer!), chunks: msg.chunks ?? [], records: msg.records ?? 0 },
            recordsIn: msg.recordsIn ?? 0,
            failedRecords: msg.failedRecords ?? [],
            accumulators: msg.accumulators ?? [],
            segments: msg.segments ?? [],
          });
        else
          task.reject(
            new WorkerTaskError(
              msg.name ?? "Error",
              msg.message ?? "",
              msg.shippingProblem ?? false,
              msg.origin,
              msg.stack,
            ),
          );
      },
    );
    worker.on("error", (err) => {
      this.broken = true;
      const task = this.running.get(worker);
      this.running.delete(worker);
      this.workers.splice(this.workers.indexOf(worker), 1);
      this.holds.delete(worker);
      task?.reject(err);
      this.pump();
    });
    worker.unref();
    this.workers.push(worker);
    this.holds.set(worker, new Set());
    return worker;
  }

  private release(worker: Worker): void {
    worker.unref();
    this.idle.push(worker);
    this.pump();
  }

  /** True once a worker failed to start or died: the context then keeps to the driver's thread. */
  broken = false;

  /**
   * Runs a map task on a worker; resolves with its shuffle output and the records it read.
   * `broadcasts` gives the values of the broadcast variables the plan names, read only for a
   * worker that does not hold them yet.
   */
  run(plan: MapTaskPlan, broadcasts: ReadonlyMap<number, () => unknown> = new Map()): Promise<WorkerTaskResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ plan, broadcasts, resolve, reject });
      this.pump();
    });
  }

  /** Drops a broadcast variable's copies in the workers (`unpersist`, `destroy`). */
  dropBroadcast(id: number): void {
    for (const [worker, held] of this.holds) if (held.delete(id)) worker.postMessage({ id: 0, dropBroadcast: id });
  }

  private pump(): void {
    while (this.queue.length > 0) {
      const worker = this.idle.pop() ?? (this.workers.length < this.size ? this.spawn() : undefined);
      if (!worker) return;
      const task = this.queue.shift()!;
      this.running.set(worker, task);
      worker.ref();
      const held = this.holds.get(worker)!;
      const sent: [number, unknown][] = [];
      for (const id of task.plan.broadcasts) {
        if (held.has(id)) continue;
        const value = task.broadcasts.get(id);
        if (!value) continue;
        sent.push([id, value()]);
        held.add(id);
      }
      worker.postMessage({ id: 0, plan: task.plan, broadcasts: sent });
    }
  }

  /** Ends every thread (the context owning the pool is stopping). */
  async close(): Promise<void> {
    const workers = this.workers.splice(0);
    this.idle.length = 0;
    this.holds.clear();
    const stopped = new Error("the SparkContext stopped while the task was running");
    for (const task of [...this.queue.splice(0), ...this.running.values()]) task.reject(stopped);
    this.running.clear();
    // an idle worker is unref'd: ref it, or awaiting its exit would not keep the process alive
    await Promise.all(
      workers.map((w) => {
        w.ref();
        return w.terminate();
      }),
    );
  }
}
