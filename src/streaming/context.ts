import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { CheckpointManager, type RecoveryPlan } from "../checkpoint/checkpoint-manager.js";
import { CheckpointError } from "../checkpoint/errors.js";
import { NodeFs, type FsPort } from "../checkpoint/fs-port.js";
import type { StreamingContextOptions } from "./context-options.js";
import type { SparkContext } from "../core/context.js";
import { IllegalArgumentError, IllegalStateError, type SluiceError } from "../util/errors.js";
import { RDD } from "../core/rdd.js";
import type { Receiver } from "../receiver/receiver.js";
import { SocketReceiver } from "../receiver/socket-receiver.js";
import { supervisorSettings } from "../receiver/supervisor.js";
import { ReceiverTracker } from "../receiver/tracker.js";
import { formatSeconds, toMillis } from "../util/duration.js";
import { log } from "../util/log.js";
import { beforeDeadline, ManualClock, SystemClock, type Clock } from "../util/clock.js";
import { DStream } from "./dstream.js";
import { FileInputDStream, readTextLines } from "./dstream/file-input.js";
import { binaryRecordsStream, fileStream, type FileStreamOptions } from "./file-streams.js";
import { QueueInputDStream, ReceiverInputDStream } from "./dstream/input.js";
import { TransformedDStream } from "./dstream/transformed.js";
import { UnionDStream } from "./dstream/union.js";
import { DStreamGraph } from "./graph.js";
import { JobGenerator } from "./job-generator.js";
import { JobScheduler, StreamingJobError } from "./job-scheduler.js";
import { ListenerBus, type StreamingListener } from "../events/streaming.js";
import { RateController } from "./rate-controller.js";
import type { BatchCheckpointer } from "./batch-checkpointer.js";
import { readRecoveryPlan, startFresh, startRecovered, type StartParts } from "./recovery.js";
import { Connections } from "../util/connections.js";

export type { StreamingContextOptions } from "./context-options.js";

/** Lifecycle states of a streaming context. */
export type StreamingContextState = "INITIALIZED" | "ACTIVE" | "STOPPED";

/** A job's setup: builds the context and its DStream graph (`getOrCreate` may call it to recover). */
type Setup = () => StreamingContext;

/**
 * The entry point of streaming: cuts input into one RDD per batch interval (seconds).
 * Build the DStream graph, then `start()`; nothing runs before, nothing can be added after.
 * @example const ssc = new StreamingContext(sc, 3); ssc.socketTextStream("localhost", 10001)…; ssc.start()
 */
export class StreamingContext {
  readonly batchMs: number;
  readonly clock: Clock;
  /** The clock of I/O retries (see `StreamingContextOptions.ioClock`). */
  readonly ioClock: Clock;
  readonly out: (text: string) => void;
  readonly graph = new DStreamGraph();
  readonly listenerBus = new ListenerBus();
  readonly receiverTracker: ReceiverTracker;
  readonly scheduler: JobScheduler;
  /** The file system checkpoints and file outputs go through. */
  readonly fs: FsPort;
  /** Connections sinks open; closed when the context stops. */
  readonly connections = new Connections();
  private generator: JobGenerator | undefined;
  private startedJobId: string | undefined;
  private state: StreamingContextState = "INITIALIZED";
  /** Set by `getOrCreate` when the checkpoint directory holds a job to resume. */
  private recovery: RecoveryPlan | undefined;
  private checkpointer: BatchCheckpointer | undefined;
  private static active: StreamingContext | undefined; // see getActive()
  private checkpointDir: string | undefined;
  private error: SluiceError | undefined;
  private terminated!: Promise<void>;
  /** Rejects with the first error a batch reports. */
  private failed!: Promise<never>;
  private rejectFailed!: (err: SluiceError) => void;
  private resolveTerminated!: () => void;
  private stopping: Promise<void> | undefined;
  startTime: number | undefined;

  constructor(
    readonly sparkContext: SparkContext,
    batchDuration: number,
    options: StreamingContextOptions = {},
  ) {
    sparkContext.assertActive();
    this.batchMs = toMillis(batchDuration, "batch duration");
    const conf = sparkContext.conf;
    const clockName = conf.get("spark.streaming.clock", "system");
    this.clock = options.clock ?? (clockName === "manual" ? new ManualClock() : new SystemClock());
    this.out = options.out ?? ((text) => void process.stdout.write(text));
    this.fs = options.fs ?? new NodeFs();
    this.ioClock = options.ioClock ?? new SystemClock();
    const backpressure = conf.getBoolean("spark.streaming.backpressure.enabled", false);
    this.receiverTracker = new ReceiverTracker(this.clock, supervisorSettings(conf), this.listenerBus, (err) =>
      this.reportError(err, true),
    );
    if (backpressure) this.addStreamingListener(new RateController(this.batchMs, this.receiverTracker, conf));
    const concurrentJobs = conf.getInt("spark.streaming.concurrentJobs", 1);
    this.scheduler = new JobScheduler(this.clock, Math.max(1, concurrentJobs), this.listenerBus, {
      onError: (err, fatal) => this.reportError(err, fatal),
      onBatchDone: (t) => this.batchDone(t),
    });
    this.terminated = new Promise((resolve) => (this.resolveTerminated = resolve));
    this.failed = new Promise((_, reject) => (this.rejectFailed = reject));
    this.failed.catch(() => undefined); // reported to whoever awaits termination, if anyone does
  }

  /** The started, not yet stopped context of this process, if any. */
  static getActive(): StreamingContext | null {
    return StreamingContext.active ?? null;
  }

  /** The active context, or one made by `setupFunc` (checkpoint recovery arrives with fault tolerance). */
  static getActiveOrCreate(checkpointPath: string | null | undefined, setupFunc: Setup): StreamingContext {
    if (typeof setupFunc !== "function") throw new IllegalArgumentError("setupFunc cannot be None");
    return StreamingContext.getActive() ?? StreamingContext.getOrCreate(checkpointPath, setupFunc);
  }

  /**
   * A context for the checkpoint directory: on a fresh directory, `setupFunc()` with the
   * directory set. After a crash, `setupFunc()` again rebuilds the graph (functions cannot be
   * saved); its fingerprint must match the checkpoint's, and `start()` then restores the state,
   * re-runs the batch that was running and continues. A mismatched graph or a corrupt
   * checkpoint throws a `CheckpointError` naming the file, never a silent reset.
   */
  static getOrCreate(checkpointPath: string | null | undefined, setupFunc: Setup): StreamingContext {
    if (typeof setupFunc !== "function") throw new IllegalArgumentError("setupFunc cannot be None");
    if (!checkpointPath) return setupFunc();
    const manager = new CheckpointManager(resolve(checkpointPath));
    const saved = manager.hasMetadata() ? manager.readRecovery() : undefined; // read before setupFunc runs
    const ssc = setupFunc();
    ssc.checkpoint(checkpointPath);
    if (saved) ssc.recovery = readRecoveryPlan(saved, manager.dir, ssc.graph, ssc.batchMs);
    return ssc;
  }

  /**
   * The job's identity once started: kept in the checkpoint (so the same after a restart), or
   * made per run without one. Sinks key their idempotent writes by it.
   */
  get jobId(): string {
    if (!this.startedJobId) throw new IllegalStateError("the job id is known once the StreamingContext started");
    return this.startedJobId;
  }

  get batchDuration(): number {
    return this.batchMs / 1000;
  }

  getState(): StreamingContextState {
    return this.state;
  }

  addStreamingListener(listener: StreamingListener): void {
    this.listenerBus.add(listener);
  }

  removeStreamingListener(listener: StreamingListener): void {
    this.listenerBus.remove(listener);
  }

  /** Sets (and creates) the checkpoint directory; stateful operations require one. */
  checkpoint(directory: string): void {
    const dir = resolve(directory);
    mkdirSync(dir, { recursive: true });
    this.checkpointDir = dir;
  }

  get checkpointDirectory(): string | undefined {
    return this.checkpointDir;
  }

  /** Every stream keeps its RDDs at least `duration` seconds (for `slice`). */
  remember(duration: number): void {
    const ms = toMillis(duration, "remember duration");
    this.graph.assertMutable();
    this.graph.rememberMs = ms;
  }

  // ---- inputs ----

  private input<T>(node: ConstructorParameters<typeof DStream<T>>[1]): DStream<T> {
    return new DStream<T>(this, node);
  }

  /** Lines from a TCP server (`nc -lk 10001`), reconnecting when it goes away. */
  socketTextStream(host: string, port: number | string): DStream<string> {
    // a port as text (`process.argv[3]`, "10001") is taken as its number, as Python's int(sys.argv[2]) would be
    const n = typeof port === "string" && /^\s*\d+\s*$/.test(port) ? Number(port) : port;
    if (typeof n !== "number" || !Number.isInteger(n) || n <= 0 || n > 65535)
      throw new IllegalArgumentError(
        `socketTextStream port must be a whole number 1..65535, got ${typeof port === "string" ? JSON.stringify(port) : port}`,
      );
    const maxRecordBytes = Number(this.sparkContext.conf.get("spark.sluice.maxRecordBytes", String(64 * 1024 * 1024)));
    return this.receiverStream(new SocketReceiver(host, n, maxRecordBytes));
  }

  /** Records from a custom `Receiver`. */
  receiverStream<T>(receiver: Receiver<T>): DStream<T> {
    return this.input(new ReceiverInputDStream<T>(this, receiver));
  }

  /** Lines of the files that appear in `directory` after the stream is created. */
  textFileStream(directory: string): DStream<string> {
    return this.input(new FileInputDStream(this, resolve(directory), readTextLines));
  }

  /**
   * Records of the files that appear in `directory`: JSON lines, CSV with a header, Avro object
   * container files (resolved to `schema` when given) or Parquet files. Malformed records (or
   * undecodable Avro/Parquet files) are counted (`malformedRecords()`) and handed to
   * `deadLetter`, never fatal.
   * @example ssc.fileStream("in/", { format: "parquet" }).map((r) => r.word as string)
   */
  fileStream(
    directory: string,
    options: FileStreamOptions,
  ): DStream<Record<string, unknown>> & { malformedRecords(): number } {
    return fileStream(this, directory, options);
  }

  /** Fixed-length byte records of the files that appear in `directory`. */
  binaryRecordsStream(directory: string, recordLength: number): DStream<Uint8Array> {
    return binaryRecordsStream(this, directory, recordLength);
  }

  /** One queued RDD (or array, parallelized) per batch; then `defaultRDD` or empty batches. */
  queueStream<T>(rdds: (RDD<T> | T[])[], oneAtATime = true, defaultRDD?: RDD<T> | T[]): DStream<T> {
    const sc = this.sparkContext;
    const toRDD = (x: RDD<T> | T[]) => (x instanceof RDD ? x : sc.parallelize(x));
    const fallback = defaultRDD === undefined ? undefined : toRDD(defaultRDD);
    return this.input(new QueueInputDStream(this, rdds.map(toRDD), oneAtATime, fallback));
  }

  union<T>(...streams: DStream<T>[]): DStream<T> {
    if (streams.length === 1) return streams[0]!;
    return new DStream(this, new UnionDStream(streams));
  }

  /** `f(rdds, time)` over the RDDs of several streams at the same batch time. */
  transform<U>(streams: DStream<unknown>[], f: (rdds: RDD<unknown>[], time: Date) => RDD<U>): DStream<U> {
    return new DStream(this, new TransformedDStream<U>(streams, f));
  }

  // ---- lifecycle ----

  /** Starts receivers and the batch timer. Throws for a graph with no output, a stopped or a second active context. */
  start(): void {
    if (this.state === "ACTIVE") {
      log.warn("StreamingContext has already been started");
      return;
    }
    if (this.state === "STOPPED") throw new IllegalStateError("StreamingContext has already been stopped");
    const active = StreamingContext.getActive();
    if (active)
      throw new IllegalStateError(
        `Only one StreamingContext may be started in this process. Currently running StreamingContext was ` +
          `started at ${new Date(active.startTime ?? 0).toISOString()}`,
      );
    try {
      this.sparkContext.assertActive();
      const parts = this.startParts();
      const started = this.recovery ? startRecovered(parts, this.recovery) : startFresh(parts);
      this.generator = started.generator;
      this.checkpointer = started.checkpointer;
      this.startedJobId = started.jobId;
    } catch (err) {
      this.checkpointer?.manager.close();
      this.state = "STOPPED";
      this.graph.stop();
      this.resolveTerminated();
      throw err;
    }
    this.startTime = this.clock.now();
    this.state = "ACTIVE";
    StreamingContext.active = this;
    this.sparkContext.componentStarted(this);
    this.listenerBus.post("onStreamingStarted", this.startTime);
    log.info(`StreamingContext started: ${this.describe()}`);
  }

  private startParts(): StartParts {
    return {
      sc: this.sparkContext,
      batchMs: this.batchMs,
      graph: this.graph,
      tracker: this.receiverTracker,
      checkpointDir: this.checkpointDir,
      fs: this.fs,
      makeGenerator: (ck) =>
        new JobGenerator(this.clock, this.batchMs, this.graph, this.receiverTracker, this.scheduler, ck),
      firstBatchTime: () => (Math.floor(this.clock.now() / this.batchMs) + 1) * this.batchMs,
    };
  }

  /** A one-line description: app, batch interval, receivers. */
  describe(): string {
    const receivers = Array.from(this.graph.receivers().values(), (r) => r.describe());
    return (
      `app "${this.sparkContext.appName}" (${this.sparkContext.master}): batch interval ` +
      `${formatSeconds(this.batchMs)}, ${receivers.length} ` +
      `receiver(s)${receivers.length ? ": " + receivers.join(", ") : ""}`
    );
  }

  /**
   * Stops the context (state STOPPED at once). Graceful: receivers stop first, then the
   * batches holding what they received run to the end (at most
   * `spark.streaming.gracefulStopTimeout`, default 10 batch intervals). Otherwise queued
   * batches are dropped. The SparkContext is stopped too unless told not to.
   */
  stop(stopSparkContext?: boolean, stopGracefully = false): Promise<void> {
    const stopSc =
      stopSparkContext ?? this.sparkContext.conf.getBoolean("spark.streaming.stopSparkContextByDefault", true);
    if (this.stopping) return this.stopping;
    const wasActive = this.state === "ACTIVE";
    if (this.state === "INITIALIZED") log.warn("StreamingContext has not been started yet");
    this.state = "STOPPED";
    this.graph.stop();
    this.stopping = (async () => {
      if (wasActive) {
        if (stopGracefully) await this.drain();
        this.generator?.stop();
        await this.receiverTracker.stop();
        await this.scheduler.stop(stopGracefully);
        this.graph.stopInputs();
      }
      await this.connections.closeAll();
      await this.checkpointer?.ready.catch((err: unknown) =>
        log.error(`checkpoint metadata was not written: ${(err as Error).message}`),
      );
      this.checkpointer?.manager.close();
      if (StreamingContext.active === this) StreamingContext.active = undefined;
      if (stopSc) await this.sparkContext.stop();
      this.resolveTerminated();
    })();
    return this.stopping;
  }

  /** Graceful stop: receivers end, the next batches take what they received, those batches finish. */
  private async drain(): Promise<void> {
    const stopTime = this.clock.now();
    const timeoutMs = toMillis(
      Number(this.sparkContext.conf.get("spark.streaming.gracefulStopTimeout", String((10 * this.batchMs) / 1000))),
      "spark.streaming.gracefulStopTimeout",
    );
    const deadline = stopTime + timeoutMs;
    await this.receiverTracker.stop();
    const lastNeeded = Math.max(stopTime, this.clock.now());
    const generated = this.generator ? this.generator.whenGenerated(lastNeeded) : Promise.resolve();
    const finished = (await beforeDeadline(this.clock, deadline, generated))
      ? await beforeDeadline(this.clock, deadline, this.scheduler.whenIdle())
      : false;
    if (!finished) {
      log.warn(`Graceful stop timed out after ${formatSeconds(timeoutMs)}; the remaining batches were dropped`);
    }
  }

  private reportError(err: SluiceError, fatal: boolean): void {
    log.error(err.message);
    if (!this.error) {
      this.error = err;
      this.rejectFailed(err);
    }
    if (fatal && this.state === "ACTIVE") {
      log.error(
        err instanceof StreamingJobError
          ? "stopping: a checkpointed batch failed and was not committed; restart the job to re-run it"
          : err instanceof CheckpointError
            ? "stopping: the write-ahead log could not be written; what it did not take was not acknowledged"
            : "stopping: a receiver could not start",
      );
      void this.stop(true, false);
    }
  }

  private batchDone(time: number): void {
    this.receiverTracker.batchDone(time);
    this.graph.clearMetadata(time);
    this.receiverTracker.cleanup(time - this.graph.maxInputRememberMs());
  }

  /**
   * Resolves when the context stops; rejects with the first error a batch reported. With a
   * timeout (seconds) it resolves after at most that long. Called without `await` (as in Python), its rejection is
   * not an unhandled one: `sluice submit` waits for the context and reports the error itself.
   */
  awaitTermination(timeout?: number): Promise<void> {
    return handled(this.awaitTerminationOrTimeout(timeout).then(() => undefined));
  }

  /** `true` once stopped, `false` when `timeout` seconds passed first; rejects with a batch's error. */
  awaitTerminationOrTimeout(timeout?: number): Promise<boolean> {
    return handled(this.waitForTermination(timeout));
  }

  private async waitForTermination(timeout?: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      if (timeout !== undefined) timer = setTimeout(() => resolve(false), Math.max(0, timeout * 1000));
    });
    try {
      return await Promise.race([this.failed, this.terminated.then(() => true), timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** `p`, marked as handled: whoever awaits it still sees its rejection, but dropping it does not end the process. */
function handled<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}
