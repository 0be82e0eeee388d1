import type { Emit } from "../core/node.js";
import type { RDD } from "../core/rdd.js";

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
  /** The blocks every map task wrote for reduce partition `reduceId`, in map order. */
  readShuffle(shuffleId: number, reduceId: number): readonly (readonly [unknown, unknown][])[];
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
