import type { SparkConf } from "../core/conf.js";
import { toMillis } from "../util/duration.js";
import { IllegalStateError, SluiceError, describeError } from "../util/errors.js";
import type { Clock } from "../util/clock.js";
import type { ListenerBus, ReceiverInfo } from "../events/streaming.js";
import { log } from "../util/log.js";
import { CheckpointError } from "../checkpoint/errors.js";
import type { WalRef, WriteAheadLog } from "../checkpoint/wal.js";
import { BlockGenerator, type Block } from "./block-generator.js";
import { IntakeBudget, PAUSE_AT, type HeapReading } from "./intake-budget.js";
import { RateLimiter } from "./rate-limiter.js";
import type { Receiver, ReceiverHost } from "./receiver.js";

/** Settings a supervisor reads from the conf. */
export interface SupervisorSettings {
  readonly blockIntervalMs: number;
  readonly restartDelayMs: number;
  /** `spark.streaming.receiver.maxRate`: records per second, <= 0 for no limit. */
  readonly maxRate: number;
  /** Starting rate under backpressure (`spark.streaming.backpressure.initialRate`), if set. */
  readonly initialRate?: number;
  /**
   * `spark.streaming.receiver.startTimeout` in ms, if set: how long any receiver may fail to start before the context
   * stops.
   */
  readonly startTimeoutMs?: number;
  /**
   * Records a receiver may hold that no batch has finished with yet, in blocks and in queued batches
   * (`spark.sluice.receiver.maxPendingRecords`): past it the source is paused (TCP pushes back) until a batch is
   * done, whatever the rate says.
   */
  readonly maxPendingRecords: number;
  /**
   * Records all receivers together may hold that no batch has finished with yet
   * (`spark.sluice.receiver.maxPendingRecordsTotal`): past it every receiver that stores more is paused.
   */
  readonly maxPendingRecordsTotal: number;
  /**
   * The heap in use and its limit, in bytes (tests give their own): past 70% receivers pause, near the limit the
   * job stops with an error.
   */
  readonly heap?: () => HeapReading;
}

/** The receivers' settings from `conf` (`spark.streaming.blockInterval`, `receiver.maxRate`…). */
export function supervisorSettings(conf: SparkConf): SupervisorSettings {
  const seconds = (key: string, dflt?: string) => {
    const v = conf.get(key, dflt);
    return v === undefined ? undefined : toMillis(Number(v), key);
  };
  const backpressure = conf.getBoolean("spark.streaming.backpressure.enabled", false);
  const initial = conf.get("spark.streaming.backpressure.initialRate");
  return {
    blockIntervalMs: seconds("spark.streaming.blockInterval", "0.2")!,
    restartDelayMs: Number(conf.get("spark.streaming.receiverRestartDelay", "2000")),
    maxRate: Number(conf.get("spark.streaming.receiver.maxRate", "0")),
    initialRate: backpressure && initial !== undefined ? Number(initial) : undefined,
    startTimeoutMs: seconds("spark.streaming.receiver.startTimeout"),
    maxPendingRecords: Number(conf.get("spark.sluice.receiver.maxPendingRecords", "4000000")),
    maxPendingRecordsTotal: Number(conf.get("spark.sluice.receiver.maxPendingRecordsTotal", "4000000")),
  };
}

/** A receiver never started (its source unreachable) within its start timeout; the context stops with it. */
export class ReceiverStartError extends SluiceError {}

/** Records stored between two looks at the heap. */
const HEAP_CHECK_RECORDS = 16_384;

/**
 * Runs one receiver: starts it, hands its records to a block generator, and restarts it
 * `spark.streaming.receiverRestartDelay` (2 s) after it fails, as often as it fails (as Spark does), reporting every
 * error to the listeners.
 */
export class ReceiverSupervisor<T> implements ReceiverHost<T> {
  private state: "initialized" | "started" | "restarting" | "stopped" = "initialized";
  private cancelRestart: (() => void) | undefined;
  private readonly blocks: BlockGenerator<T>;
  /** When the first start was tried, until a start succeeds. */
  private firstStartAt: number | undefined;
  private everStarted = false;
  private waiters: { count: number; resolve: () => void }[] = [];
  private lastErrorMessage: string | undefined;
  private lastError: unknown;
  /** Records stored since start. */
  numRecords = 0;
  /** Limits how fast records are taken (maxRate, lowered by backpressure). */
  readonly limiter: RateLimiter;

  /** Appends to the write-ahead log, in block order; settles when the last block is handed over. */
  private walChain: Promise<void> = Promise.resolve();
  private walFailed = false;

  constructor(
    readonly receiver: Receiver<T>,
    readonly streamId: number,
    private readonly clock: Clock,
    private readonly settings: SupervisorSettings,
    private readonly onBlock: (block: Block<T>) => void,
    private readonly bus: ListenerBus,
    private readonly wal?: WriteAheadLog,
    /** Told when the receiver gives up for good (it never started within its start timeout). */
    private readonly onFatal?: (err: SluiceError) => void,
    /** Shared with the context's other receivers; alone, a receiver has its own. */
    private readonly budget = new IntakeBudget(settings.maxPendingRecordsTotal, settings.heap),
  ) {
    budget.join(this);
    this.blocks = new BlockGenerator(
      clock,
      settings.blockIntervalMs,
      streamId,
      (b) =>
        void this.handOver(b.records).catch((err: unknown) => this.reportError("write-ahead log append failed", err)),
    );
    const initial =
      settings.initialRate !== undefined && settings.initialRate > 0 ? settings.initialRate : settings.maxRate;
    this.limiter = new RateLimiter(clock, settings.maxRate > 0 ? Math.min(initial, settings.maxRate) : initial);
    receiver.attach(this);
  }

  /** Hands a block to the engine, after logging it durably when the WAL is on. */
  private handOver(records: T[]): Promise<void> {
    if (!this.wal) {
      this.onBlock({ streamId: this.streamId, records });
      return Promise.resolve();
    }
    const wal = this.wal;
    const done = this.walChain.then(async () => {
      let ref: WalRef;
      try {
        ref = await wal.append(records);
      } catch (err) {
        // a log that cannot be written is not retried: the job stops, and what was not logged is not acknowledged
        if (err instanceof CheckpointError && !this.walFailed) {
          this.walFailed = true;
          this.onFatal?.(err);
        }
        throw err;
      }
      this.onBlock({ streamId: this.streamId, records, wal: ref });
    });
    this.walChain = done.catch(() => undefined);
    return done;
  }

  async storeBlock(items: T[]): Promise<void> {
    if (this.state === "stopped")
      throw new IllegalStateError(`receiver ${this.receiver.describe()} is stopped; it cannot store more data`);
    const wait = this.limiter.take(items.length);
    if (wait > 0) await new Promise<void>((resolve) => this.clock.schedule(this.clock.now() + wait, resolve));
    // past the bound, the block waits until a batch takes what is held (the source, waiting too, is not acknowledged)
    while (
      (this.pending > 0 && this.pending + items.length > this.settings.maxPendingRecords) ||
      this.budget.wouldExceed(items.length)
    ) {
      await new Promise<void>((resolve) => this.boundWaiters.push(resolve));
    }
    this.blocks.cut();
    this.counted(items.length);
    this.held(items.length);
    await this.handOver(items);
  }

  /** `n` records were taken: the receiver works, and whoever waits for a count may go on. */
  private counted(n: number): void {
    this.numRecords += n;
    if (this.waiters.length > 0) this.wakeWaiters();
  }

  info(): ReceiverInfo {
    return {
      streamId: this.streamId,
      name: this.receiver.describe(),
      active: this.state === "started",
      lastErrorMessage: this.lastErrorMessage,
      lastError: this.lastError,
    };
  }

  start(): void {
    this.blocks.start();
    void this.startReceiver();
  }

  private async startReceiver(): Promise<void> {
    this.state = "started";
    this.firstStartAt ??= this.clock.now();
    try {
      await this.receiver.onStart();
      if (this.state === "started") {
        this.everStarted = true;
        this.bus.post("onReceiverStarted", this.info());
      }
    } catch (err) {
      this.restart(`Error starting receiver ${this.receiver.describe()}`, err);
    }
  }

  store(item: T): void {
    if (this.state === "stopped")
      throw new IllegalStateError(`receiver ${this.receiver.describe()} is stopped; it cannot store more data`);
    this.blocks.add(item);
    this.counted(1);
    this.held(1);
    const wait = this.limiter.take(1);
    if (wait > 0 && !this.throttled) this.throttle(wait);
  }

  /** Records stored that no batch has finished with yet. */
  private pending = 0;
  /** Paused because `pending` reached `maxPendingRecords` (or all receivers the total), until a batch is done. */
  private boundPaused = false;
  private boundWaiters: (() => void)[] = [];
  private sinceHeapCheck = 0;

  /** `n` more records held: pause the source at a bound, and stop the job before the heap runs out. */
  private held(n: number): void {
    this.pending += n;
    this.budget.add(n);
    this.sinceHeapCheck += n;
    if (this.sinceHeapCheck >= HEAP_CHECK_RECORDS) {
      this.sinceHeapCheck = 0;
      const fatal = this.budget.checkHeap(this.receiver.describe(), this.pending);
      if (fatal && this.state === "started" && !this.gaveUp) return this.giveUp(fatal);
    }
    if (this.boundPaused || !this.receiver.onThrottle) return;
    const own = this.pending >= this.settings.maxPendingRecords;
    if (!own && !this.budget.full()) return;
    this.boundPaused = true;
    const what = this.receiver.describe();
    log.warn(
      own
        ? `receiver ${what} holds ${this.pending} records not yet processed ` +
            `(spark.sluice.receiver.maxPendingRecords): pausing its source until batches are done with them`
        : this.budget.memoryPaused
          ? `pausing receiver ${what}: the heap is over ${Math.round(PAUSE_AT * 100)}% of its limit while ` +
            `receivers hold ${this.budget.held} records not yet processed`
          : `receivers hold ${this.budget.held} records not yet processed ` +
            `(spark.sluice.receiver.maxPendingRecordsTotal): pausing ${what} until batches are done with them`,
    );
    this.receiver.onThrottle();
  }

  private gaveUp = false;

  /** Stops the receiver for good and hands `err` to the context, which stops the job with it. */
  private giveUp(err: SluiceError): void {
    this.gaveUp = true;
    void this.stopReceiver()
      .then(() => this.stopSupervisor())
      .then(() => this.onFatal?.(err));
  }

  /** A batch is done with `n` of this receiver's records: below the bounds again, the sources go on. */
  taken(n: number): void {
    this.pending = Math.max(0, this.pending - n);
    this.budget.release(n);
  }

  /** Called by the shared budget when a batch is done with records: a source paused at a bound no longer reached goes on. */
  recheck(): void {
    if (this.pending >= this.settings.maxPendingRecords || this.budget.full()) return;
    if (this.boundPaused) {
      this.boundPaused = false;
      if (!this.throttled && this.state === "started") this.receiver.onResume?.();
    }
    const waiters = this.boundWaiters;
    this.boundWaiters = [];
    for (const w of waiters) w();
  }

  private throttled = false;

  /** Asks the receiver to pause its source, and to go on once the rate allows (on the engine's clock). */
  private throttle(waitMs: number): void {
    if (!this.receiver.onThrottle) return;
    this.throttled = true;
    this.receiver.onThrottle();
    this.clock.schedule(this.clock.now() + waitMs, () => {
      this.throttled = false;
      if (this.state === "started" && !this.boundPaused) this.receiver.onResume?.();
    });
  }

  /** Backpressure: the rate the receiver may take from now on, capped by maxRate. */
  setRate(rate: number): void {
    this.limiter.setRate(this.settings.maxRate > 0 ? Math.min(rate, this.settings.maxRate) : rate);
  }

  storeAll(items: Iterable<T>): void {
    for (const item of items) this.store(item);
  }

  /** Resolves once `count` records in all have been stored (tests wait on this, not on time). */
  whenRecords(count: number): Promise<void> {
    if (this.numRecords >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }

  private wakeWaiters(): void {
    const ready = this.waiters.filter((w) => w.count <= this.numRecords);
    this.waiters = this.waiters.filter((w) => w.count > this.numRecords);
    for (const w of ready) w.resolve();
  }

  /** Cuts the records gathered so far into a block now (at batch allocation). */
  flush(): void {
    this.blocks.cut();
  }

  restart(message: string, error?: unknown, delaySeconds?: number): void {
    if (this.state === "stopped" || this.state === "restarting") return;
    this.state = "restarting";
    // a fixed delay, as Spark's: after `nc` comes back, the job reads again within 2 s (it looked hung at 32 s)
    const delay = delaySeconds !== undefined ? delaySeconds * 1000 : this.settings.restartDelayMs;
    this.record(message, error);
    const timeoutMs =
      this.settings.startTimeoutMs ??
      (this.receiver.startTimeoutSeconds === undefined ? undefined : this.receiver.startTimeoutSeconds * 1000);
    if (!this.everStarted && timeoutMs !== undefined && this.clock.now() - this.firstStartAt! + delay > timeoutMs) {
      const err = new ReceiverStartError(
        `receiver ${this.receiver.describe()} could not start within ${timeoutMs / 1000} s ` +
          `(spark.streaming.receiver.startTimeout): ${this.lastErrorMessage}`,
        { cause: error },
      );
      this.giveUp(err);
      return;
    }
    log.warn(`Restarting receiver ${this.receiver.describe()} in ${delay / 1000} s: ${this.lastErrorMessage}`);
    const stopped = this.stopReceiver();
    this.cancelRestart = this.clock.schedule(this.clock.now() + delay, () => {
      this.cancelRestart = undefined;
      void stopped.then(() => {
        if (this.state === "restarting") return this.startReceiver();
      });
    });
  }

  stop(message: string, error?: unknown): void {
    if (error !== undefined) this.record(message, error);
    void this.stopSupervisor();
  }

  reportError(message: string, error?: unknown): void {
    this.record(message, error);
    log.error(`Receiver ${this.receiver.describe()}: ${this.lastErrorMessage}`);
  }

  private record(message: string, error: unknown): void {
    this.lastErrorMessage = error === undefined ? message : `${message}: ${describeError(error)}`;
    this.lastError = error;
    this.bus.post("onReceiverError", this.info());
  }

  /** Stops the receiver for good and cuts its last block. */
  async stopSupervisor(): Promise<void> {
    if (this.state === "stopped") return;
    const wasRunning = this.state === "started";
    this.state = "stopped";
    this.cancelRestart?.();
    if (wasRunning) await this.stopReceiver();
    this.blocks.stop();
    await this.walChain;
    this.bus.post("onReceiverStopped", this.info());
  }

  private async stopReceiver(): Promise<void> {
    try {
      await this.receiver.onStop();
    } catch (err) {
      log.warn(`Receiver ${this.receiver.describe()} failed to stop cleanly: ${describeError(err)}`);
    }
  }

  isStarted(): boolean {
    return this.state === "started";
  }

  isStopped(): boolean {
    return this.state === "stopped";
  }
}
