import { IllegalArgumentError, IllegalStateError } from "../core/errors.js";
import type { Receiver } from "../receiver/receiver.js";
import type { DStream } from "./dstream.js";
import { ReceiverInputDStream } from "./dstream/input.js";
import type { ForEachDStream, Job } from "./dstream/output.js";
import { StreamingJobError } from "./job-scheduler.js";

/**
 * The DStream graph of a context: its input streams, its output operations in registration
 * order, and the remember duration. `generateJobs(t)` asks every output for its job at `t`.
 */
export class DStreamGraph {
  readonly inputs: DStream<unknown>[] = [];
  readonly outputs: DStream<unknown>[] = [];
  private readonly all: DStream<unknown>[] = [];
  private nextId = 0;
  private frozen: "INITIALIZED" | "ACTIVE" | "STOPPED" = "INITIALIZED";
  zeroTime: number | undefined;
  rememberMs: number | undefined;

  /** Throws once the context has started or stopped (Spark's rule). */
  assertMutable(): void {
    if (this.frozen === "ACTIVE") throw new IllegalStateError("Adding new inputs, transformations, and output operations after starting a context is not supported");
    if (this.frozen === "STOPPED") throw new IllegalStateError("Adding new inputs, transformations, and output operations after stopping a context is not supported");
  }

  /** Registers a stream and returns its id. */
  add(stream: DStream<unknown>): number {
    this.assertMutable();
    this.all.push(stream);
    if (stream.node.dependencies.length === 0) this.inputs.push(stream);
    return this.nextId++;
  }

  addOutput(output: DStream<unknown>): void {
    this.assertMutable();
    this.outputs.push(output);
  }

  get streams(): readonly DStream<unknown>[] {
    return this.all;
  }

  /** The receivers of receiver streams, by stream id. */
  receivers(): Map<number, Receiver<unknown>> {
    const out = new Map<number, Receiver<unknown>>();
    for (const s of this.inputs) {
      if (s.node instanceof ReceiverInputDStream) {
        s.node.streamId = s.id;
        out.set(s.id, s.node.receiver);
      }
    }
    return out;
  }

  /** Checks the graph and fixes every stream's zero time and remember duration. */
  start(zeroTime: number, checkpointDir: string | undefined): void {
    if (this.outputs.length === 0) throw new IllegalArgumentError("requirement failed: No output operations registered, so nothing to execute");
    for (const s of this.all) {
      if (s.node.stateful && checkpointDir === undefined) {
        throw new IllegalArgumentError("requirement failed: The checkpoint directory has not been set. Please set it by StreamingContext.checkpoint().");
      }
    }
    for (const s of this.all) s.validateAtStart();
    this.zeroTime = zeroTime;
    for (const s of this.all) s.initialize(zeroTime);
    for (const out of this.outputs) out.setRememberMs(this.rememberMs ?? 0);
    for (const s of this.inputs) s.node.start?.(zeroTime);
    this.frozen = "ACTIVE";
  }

  stop(): void {
    this.frozen = "STOPPED";
    for (const s of this.inputs) s.node.stop?.();
  }

  /** One job per output operation that has an RDD at `time`; a build error becomes that op's failure. */
  generateJobs(time: number): { jobs: Job[]; errors: StreamingJobError[] } {
    const jobs: Job[] = [];
    const errors: StreamingJobError[] = [];
    for (const out of this.outputs) {
      const node = out.node as ForEachDStream<unknown>;
      try {
        const job = node.generateJob(time);
        if (job) jobs.push(job);
      } catch (err) {
        errors.push(new StreamingJobError(time, node.outputOpId, node.name, err));
      }
    }
    // after the outputs: materialize this batch's state and cut it from its lineage
    for (const s of this.all) {
      const rdd = s.node.stateful ? s.generatedAt(time) : undefined;
      if (rdd) jobs.push({ time, outputOpId: this.outputs.length + s.id, name: `checkpoint state of ${s.node.kind} [${s.id}]`, run: () => rdd.localCheckpoint() });
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
