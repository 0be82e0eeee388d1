import { IllegalStateError } from "../util/errors.js";
import { StorageLevel } from "../core/storage-level.js";

/** What a running receiver reports to (the supervisor implements it). */
export interface ReceiverHost<T> {
  /** The id of the input stream the receiver feeds (its DStream's id). */
  readonly streamId: number;
  store(item: T): void;
  storeAll(items: Iterable<T>): void;
  storeBlock(items: T[]): Promise<void>;
  restart(message: string, error?: unknown, delaySeconds?: number): void;
  stop(message: string, error?: unknown): void;
  reportError(message: string, error?: unknown): void;
  isStarted(): boolean;
  isStopped(): boolean;
}

/**
 * Base class of custom receivers (`ssc.receiverStream(new MyReceiver())`). `onStart` must
 * start the receiving work (sockets, timers) and return without waiting for data; received
 * records go to `store`. On failure call `restart(...)`; the engine then calls `onStop`,
 * waits, and calls `onStart` again.
 * @example class Ticks extends Receiver<number> { onStart() { ... this.store(n) ... } onStop() { ... } }
 */
export abstract class Receiver<T> {
  private supervisorHost: ReceiverHost<T> | undefined;

  constructor(readonly storageLevel: StorageLevel = StorageLevel.MEMORY_AND_DISK_2) {}

  /**
   * How long the receiver may fail to start (its source unreachable) before the context stops
   * with the error; undefined (the default, as Spark) retries for ever. Broker receivers set 30 s;
   * `spark.streaming.receiver.startTimeout` (seconds) overrides it for every receiver.
   */
  startTimeoutSeconds: number | undefined = undefined;

  /** Starts receiving; must return promptly (async work runs on its own). */
  abstract onStart(): void | Promise<void>;
  /** Releases what `onStart` opened. */
  abstract onStop(): void | Promise<void>;

  /**
   * Called when records arrive faster than the receiver's rate (maxRate, or backpressure):
   * pause the source if it can (a socket receiver stops reading, so TCP pushes back on the
   * sender); `onResume` follows once the rate allows more. Both optional.
   */
  onThrottle?(): void;
  onResume?(): void;

  /** A short description for status lines and the UI. */
  describe(): string {
    return this.constructor.name;
  }

  /**
   * Records the receiver could not take as they came, by problem (`oversize`, `invalidUtf8`…): counted, shown in
   * `/metrics`.
   */
  readonly recordProblems = new Map<string, number>();

  /** Counts one record with `problem`; true the first time (to say it once). */
  protected countProblem(problem: string): boolean {
    const n = this.recordProblems.get(problem) ?? 0;
    this.recordProblems.set(problem, n + 1);
    return n === 0;
  }

  /** The id of the input stream this receiver feeds, once attached (-1 before). */
  get streamId(): number {
    return this.supervisorHost?.streamId ?? -1;
  }

  /** Called by the engine when the receiver is put under supervision. */
  attach(host: ReceiverHost<T>): void {
    this.supervisorHost = host;
  }

  store(item: T): void {
    this.supervisor().store(item);
  }

  storeAll(items: Iterable<T>): void {
    this.supervisor().storeAll(items);
  }

  /**
   * Stores `items` as one block and resolves once it is safe: written and fsynced to the
   * write-ahead log when `spark.streaming.receiver.writeAheadLog.enable` is on, handed to the
   * engine otherwise. A reliable receiver acknowledges its source only after this resolves.
   */
  storeBlock(items: T[]): Promise<void> {
    return this.supervisor().storeBlock(items);
  }

  /** Stops and restarts the receiver after `delaySeconds` (default `spark.streaming.receiverRestartDelay`). */
  restart(message: string, error?: unknown, delaySeconds?: number): void {
    this.supervisor().restart(message, error, delaySeconds);
  }

  /** Stops the receiver for good. */
  stop(message: string, error?: unknown): void {
    this.supervisor().stop(message, error);
  }

  /** Reports an error without stopping. */
  reportError(message: string, error?: unknown): void {
    this.supervisor().reportError(message, error);
  }

  isStarted(): boolean {
    return this.supervisorHost?.isStarted() ?? false;
  }

  isStopped(): boolean {
    return this.supervisorHost?.isStopped() ?? true;
  }

  private supervisor(): ReceiverHost<T> {
    if (!this.supervisorHost)
      throw new IllegalStateError(
        `${this.describe()} is not running: receivers store data only after the StreamingContext starts them`,
      );
    return this.supervisorHost;
  }
}
