import { createHash } from "node:crypto";
import { IllegalArgumentError, IllegalStateError } from "../util/errors.js";
import type { Receiver } from "../receiver/receiver.js";
import type { DStreamCore } from "./dstream-core.js";
import { ReceiverInputDStream } from "./dstream/input.js";
import type { ForEachDStream, Job } from "./dstream/output.js";
import { StreamingJobError } from "./job-scheduler.js";

/**
 * The DStream graph of a context: its input streams, its output operations in registration
 * order, and the remember duration. `generateJobs(t)` asks every output for its job at `t`.
 */
export class DStreamGraph {
  readonly inputs: DStreamCore<unknown>[] = [];
  readonly outputs: DStreamCore<unknown>[] = [];
  private readonly all: DStreamCore<unknown>[] = [];
  private nextId = 0;
  private frozen: "INITIALIZED" | "ACTIVE" | "STOPPED" = "INITIALIZED";
  zeroTime: number | undefined;
  rememberMs: number | undefined;

  /** Throws once the context has started or stopped (Spark's rule). */
  assertMutable(): void {
    if (this.frozen === "ACTIVE")
      throw new IllegalStateError(
        "Adding new inputs, transformations, and output operations after starting a context is not supported",
      );
    if (this.frozen === "STOPPED")
      throw new IllegalStateError(
        "Adding new inputs, transformations, and output operations after stopping a context is not supported",
      );
  }

  /** Registers a stream and returns its id. */
  add(stream: DStreamCore<unknown>): number {
    this.assertMutable();
    this.all.push(stream);
    if (stream.node.dependencies.length === 0) this.inputs.push(stream);
    return this.nextId++;
  }

  addOutput(output: DStreamCore<unknown>): void {
    this.assertMutable();
    this.outputs.push(output);
  }

  get streams(): readonly DStreamCore<unknown>[] {
    return this.all;
  }

  /** The receivers of receiver streams, by stream id. */
  receivers(): Map<number, Receiver<unknown>> {
    const out = new Map<number, Receiver<unknown>>();
    for (const s of this.inputs) {
      if (s.node instanceof ReceiverInputDStream) out.set(s.id, s.node.receiver);
    }
    return out;
  }

  /**
   * Checks the graph and fixes every stream's zero time and remember duration. Stateful streams need a checkpoint
   * directory: the StreamingContext's, or (as Spark accepts) the SparkContext's `setCheckpointDir`.
   */
  start(zeroTime: number, checkpointDir: string | undefined): void {
    if (this.outputs.length === 0)
      throw new IllegalArgumentError("requirement failed: No output operations registered, so nothing to execute");
    for (const s of this.all) {
      if (s.node.stateful && checkpointDir === undefined) {
        throw new IllegalArgumentError(
          "requirement failed: The checkpoint directory has not been set. " +
            "Please set it by StreamingContext.checkpoint().",
        );
      }
    }
    for (const s of this.all) s.validateAtStart();
    this.zeroTime = zeroTime;
    for (const s of this.all) s.initialize(zeroTime);
    for (const out of this.outputs) out.setRememberMs(this.rememberMs ?? 0);
    for (const s of this.inputs) s.node.start?.(zeroTime);
    this.frozen = "ACTIVE";
  }

  /** No more changes to the graph (the context is stopping). */
  stop(): void {
    this.frozen = "STOPPED";
  }

  /** Releases what input streams hold (broker connections), once the last batch has run. */
  stopInputs(): void {
    for (const s of this.inputs) s.node.stop?.();
  }

  /** The records the batch at `time` took from input streams that count their own (files, direct, queues). */
  inputRecordsIn(time: number): number {
    let n = 0;
    for (const s of this.inputs) n += s.node.recordsIn?.(time) ?? 0;
    return n;
  }

  /** Fixes every input stream's input for batch `time`; the result is logged in `offsets/<t>`. */
  planInputs(time: number): Record<string, unknown> {
    const plans: Record<string, unknown> = {};
    for (const s of this.inputs) if (s.node.plan) plans[s.id] = s.node.plan(time) ?? null;
    return plans;
  }

  /** Whether some input asks a broker for its input just before each batch. */
  hasAsyncInputs(): boolean {
    return this.inputs.some((s) => s.node.planAsync !== undefined);
  }

  /** Fixes the input of batch `time` for inputs that ask a broker (just before the batch runs). */
  async planInputsAsync(time: number): Promise<Record<string, unknown>> {
    const plans: Record<string, unknown> = {};
    for (const s of this.inputs) if (s.node.planAsync) plans[s.id] = (await s.node.planAsync(time)) ?? null;
    return plans;
  }

  /** Tells inputs that batch `time` is done, so they can acknowledge it to their sources. */
  async batchCommitted(time: number): Promise<void> {
    for (const s of this.inputs) await s.node.committed?.(time);
  }

  /** What input streams need at recovery beyond their plans (kept in the metadata). */
  inputResumeStates(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const s of this.inputs) if (s.node.resumeState) out[s.id] = s.node.resumeState();
    return out;
  }

  /** Gives input streams the logged input of earlier batches (recovery). */
  restoreInputs(
    offsets: ReadonlyMap<number, { inputs: Record<string, unknown> }>,
    resume: Record<string, unknown>,
  ): void {
    for (const s of this.inputs) {
      const plans = new Map<number, unknown>();
      for (const [t, rec] of offsets) if (String(s.id) in rec.inputs) plans.set(t, rec.inputs[s.id]);
      s.node.restorePlans?.(plans, resume[s.id]);
    }
  }

  /** Records held by each stateful stream after its latest batch ("StateDStream [4]" → keys): the UI's state sizes. */
  readonly stateSizes = new Map<string, number>();

  /** The streams whose RDDs derive from their own past ones. */
  statefulStreams(): DStreamCore<unknown>[] {
    return this.all.filter((s) => s.node.stateful);
  }

  /** A readable line per stream and output, and its SHA-256: what a checkpoint must match. */
  fingerprint(batchMs: number): { fingerprint: string; summary: string[] } {
    const summary = [`batch interval ${batchMs} ms`];
    for (const s of this.all) {
      const deps = s.node.dependencies.map((d) => d.id).join(",");
      const extra = s.node.describe?.();
      const name =
        s.node.kind === "ForEachDStream" ? `output ${(s.node as ForEachDStream<unknown>).name}` : s.node.kind;
      summary.push(
        `stream ${s.id}: ${name} slide=${s.slideMs()}${deps ? ` from ${deps}` : ""}${extra ? ` ${extra}` : ""}`,
      );
    }
    return { fingerprint: createHash("sha256").update(summary.join("\n")).digest("hex"), summary };
  }

  /**
   * The batch's jobs: one per output operation that has an RDD at `time` (unless `outputs`
   * is false, when replaying), then one per stateful stream to materialize its state.
   * A build error becomes that output's failure.
   */
  generateJobs(
    time: number,
    outputs = true,
    stateful: readonly DStreamCore<unknown>[] = this.statefulStreams(),
  ): { jobs: Job[]; errors: StreamingJobError[] } {
    const jobs: Job[] = [];
    const errors: StreamingJobError[] = [];
    for (const out of outputs ? this.outputs : []) {
      const node = out.node as ForEachDStream<unknown>;
      try {
        const job = node.generateJob(time);
        if (job) jobs.push(job);
      } catch (err) {
        errors.push(new StreamingJobError(time, node.outputOpId, node.name, err));
      }
    }
    // after the outputs: materialize this batch's state and cut it from its lineage
    for (const s of stateful) {
      const rdd = s.isTimeValid(time) ? s.getOrCompute(time) : undefined;
      if (rdd) {
        const name = `${s.node.kind} [${s.id}]`;
        jobs.push({
          time,
          outputOpId: this.outputs.length + s.id,
          name: `checkpoint state of ${name}`,
          internal: true,
          run: async () => {
            await rdd.localCheckpoint();
            this.stateSizes.set(name, rdd.checkpointedRecords ?? 0);
          },
        });
      }
    }
    return { jobs, errors };
  }

  /** The longest time an input stream must keep its data (received blocks are kept that long). */
  maxInputRememberMs(): number {
    return Math.max(0, ...this.inputs.map((s) => s.rememberDuration));
  }

  /** Drops RDDs older than each stream's remember duration, as of batch `time`. */
  clearMetadata(time: number): void {
    for (const s of this.all) s.clearMetadata(time);
  }
}
