import type { Partitioner } from "../shuffle/partitioner.js";
import type { TaskContext } from "../scheduler/task-context.js";
import type { RDD } from "./rdd.js";

/** A push sink: a stage's fused chain hands each record to the next step with one call. */
export type Emit<T> = (record: T) => void;

/** Combining functions of a keyed shuffle (Spark's `Aggregator`). */
export interface Aggregator<V, C> {
  createCombiner(v: V): C;
  mergeValue(c: C, v: V): C;
  mergeCombiners(a: C, b: C): C;
  /** Restores a combiner read back from a spill file (v8 serialization drops symbol-keyed marks). */
  readBack?(c: C): C;
}

/** A parent whose partitions feed this RDD's partitions directly, in the same task. */
export interface NarrowDependency {
  readonly kind: "narrow";
  readonly rdd: RDD<unknown>;
}

/** A parent whose records are regrouped by key: a stage boundary. */
export interface ShuffleDependency<K = unknown, V = unknown, C = unknown> {
  readonly kind: "shuffle";
  readonly shuffleId: number;
  readonly rdd: RDD<[K, V]>;
  readonly partitioner: Partitioner;
  readonly aggregator?: Aggregator<V, C>;
  readonly mapSideCombine: boolean;
}

export type Dependency = NarrowDependency | ShuffleDependency;

/** Every RDD kind, by Spark's class name where Spark has one; shown by `toDebugString`. */
export type RDDKind =
  | "ParallelCollectionRDD"
  | "LocalCheckpointRDD"
  | "HadoopRDD"
  | "WholeTextFileRDD"
  | "PreparedRDD"
  | "SourceBatchRDD"
  | "FileBatchRDD"
  | "ParquetFileRDD"
  | "AvroFileRDD"
  | "JsonFileRDD"
  | "MapPartitionsRDD"
  | "ShuffledRDD"
  | "CoGroupedRDD"
  | "UnionRDD"
  | "CoalescedRDD"
  | "CartesianRDD"
  | "ZippedPartitionsRDD2"
  | "SQLRDD";

/**
 * What one RDD is: its partitions, its parents and how to compute a partition by pushing
 * records into `emit`. Plain description; the scheduler reads it, the RDD class builds it.
 */
export interface RDDNode<T> {
  /** Spark's class name, shown by `toDebugString` (`ShuffledRDD`, `MapPartitionsRDD`…). */
  readonly kind: RDDKind;
  /** The call that made it (`map`, `reduceByKey`…). */
  readonly callSite: string;
  readonly dependencies: readonly Dependency[];
  readonly partitioner?: Partitioner;
  numPartitions(): number;
  computeInto(split: number, ctx: TaskContext, emit: Emit<T>): void;
  /** Work that must finish before a task of this node can run (a job of its own, say). */
  prepare?(): Promise<void>;
}

/** The dependency on a narrow parent. */
export function narrow(rdd: RDD<unknown>): NarrowDependency {
  return { kind: "narrow", rdd };
}
