import type { Emit } from "../core/node.js";
import type { RDD } from "../core/rdd.js";
import type { SpillTarget } from "../shuffle/external-map.js";

/**
 * What a running task may ask of the engine: its position, its parents' partitions
 * (through the cache when persisted) and the shuffle blocks it reads. A task touches
 * nothing else, so the same task can later run in a worker thread.
 */
export interface TaskContext {
  readonly stageId: number;
  readonly partitionId: number;
  readonly attemptNumber: number;
  /** Pushes partition `split` of `rdd` into `emit`, from the cache when it is there. */
  iterate<T>(rdd: RDD<T>, split: number, emit: Emit<T>): void;
  /** The blocks every map task wrote for reduce partition `reduceId`, in map order (read from disk as needed). */
  readShuffle(shuffleId: number, reduceId: number): Iterable<readonly [unknown, unknown][]>;
  /** Where a task's reduce-side map spills, and past how many bytes; absent: it never spills. */
  readonly spill?: SpillTarget;
  /**
   * Where a record goes whose function threw, when the record-error policy keeps the job going
   * (`spark.sluice.onRecordError=skip|deadLetter`); absent under `fail`, where the task fails.
   */
  readonly recordFailed?: RecordFailure;
}

/** Takes a record whose function threw `err` (the record is then dropped); throws to fail the task instead. */
export type RecordFailure = (record: unknown, err: unknown, rddId: number, callSite: string) => void;

/** A record a task dropped under the record-error policy, with where and why. */
export interface FailedRecord {
  readonly record: unknown;
  readonly error: Error;
  readonly where: string;
}

/** A `RecordFailure` that keeps the failed records in `into`. */
export function collectFailures(into: FailedRecord[]): RecordFailure {
  return (record, err, rddId, callSite) =>
    void into.push({
      record,
      error: err instanceof Error ? err : new Error(String(err)),
      where: `${callSite} [RDD ${rddId}]`,
    });
}

const origins = new WeakMap<object, { rddId: number; callSite: string }>();

/** Remembers the innermost RDD whose user function threw `err`, for the error message. */
export function markOrigin(err: unknown, rddId: number, callSite: string): unknown {
  if (typeof err === "object" && err !== null && !origins.has(err)) origins.set(err, { rddId, callSite });
  return err;
}

/** The RDD a user error came from, when a node marked it. */
export function originOf(err: unknown): { rddId: number; callSite: string } | undefined {
  return typeof err === "object" && err !== null ? origins.get(err) : undefined;
}
