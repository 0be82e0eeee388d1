import type { Partitioner } from "../shuffle/partitioner.js";
import type { SparkContext } from "./context.js";
import type { RDDNode } from "./node.js";
import { ParallelCollectionNode } from "./rdds/parallel-collection.js";
import { StorageLevel } from "./storage-level.js";
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { serialize } from "node:v8";
import { IllegalStateError, UnsupportedOperationError } from "../util/errors.js";

/**
 * What every RDD is before its operators: its id, its context, its node, its name and storage
 * level, and its local checkpoint. `RDD` adds the transformations and actions.
 */
export abstract class RDDBase<T> {
  readonly id: number;
  private storage = StorageLevel.NONE;
  private label: string | undefined;
  /** The materialized partitions once `localCheckpoint` ran: they replace the lineage from then on. */
  private checkpointed: ParallelCollectionNode<T> | undefined;

  /** `id` is given when the node needs it before the RDD exists (its errors name the RDD). */
  constructor(
    readonly context: SparkContext,
    private readonly described: RDDNode<T>,
    id: number = context.newRddId(),
  ) {
    this.id = id;
  }

  /** What this RDD is: its partitions, parents and compute function (its saved partitions once checkpointed). */
  get node(): RDDNode<T> {
    return this.checkpointed ?? this.described;
  }

  /** Computes these partitions (they are cached when the RDD is persisted). */
  protected abstract materialize(partitions: readonly number[]): Promise<void>;

  // ---- identity, partitions, persistence ----

  getNumPartitions(): number {
    return this.node.numPartitions();
  }

  /** How keys are placed, when a shuffle placed them. */
  get partitioner(): Partitioner | undefined {
    return this.node.partitioner;
  }

  name(): string | undefined {
    return this.label;
  }

  setName(name: string): this {
    this.label = name;
    return this;
  }

  get isPersisted(): boolean {
    return this.storage !== StorageLevel.NONE;
  }

  /** True when every partition of a persisted RDD is in the cache. */
  isFullyCached(): boolean {
    return this.isPersisted && this.context.blockManager.hasAll(this.id, this.getNumPartitions());
  }

  getStorageLevel(): StorageLevel {
    return this.storage;
  }

  cache(): this {
    return this.persist(StorageLevel.MEMORY_ONLY);
  }

  /** Keeps the partitions once computed; a level once assigned cannot change (Spark's rule) until `unpersist`. */
  persist(level: StorageLevel = StorageLevel.MEMORY_ONLY): this {
    if (this.storage !== StorageLevel.NONE && level !== this.storage) {
      throw new UnsupportedOperationError(
        `Cannot change storage level of an RDD after it was already assigned a level ` +
          `(${this.storage.name}, asked for ${level.name}); unpersist() it first`,
      );
    }
    this.storage = level;
    return this;
  }

  unpersist(): this {
    this.storage = StorageLevel.NONE;
    this.context.blockManager.remove(this.id);
    return this;
  }

  /**
   * Computes and caches every partition, then forgets the lineage: the RDD reads its cached
   * partitions from then on and its parents can be freed (Spark's `localCheckpoint`, used to
   * keep stateful streams from growing an endless lineage).
   */
  async localCheckpoint(): Promise<void> {
    if (this.checkpointed) return;
    if (!this.isPersisted) this.persist(StorageLevel.MEMORY_ONLY);
    const blocks = this.context.blockManager;
    const missing = allPartitions(this).filter((p) => blocks.get(this.id, p) === undefined);
    if (missing.length > 0) await this.materialize(missing);
    const data = allPartitions(this).map((p) => blocks.get(this.id, p) as readonly T[]);
    const { callSite, partitioner } = this.described;
    this.checkpointed = new ParallelCollectionNode(data, callSite, "LocalCheckpointRDD", partitioner, true);
    this.checkpointedRecords = data.reduce((n, part) => n + part.length, 0);
    this.locallyCheckpointed = true;
  }

  /** How many records `localCheckpoint` materialized (a stateful stream's state size), once it has. */
  checkpointedRecords: number | undefined;

  /** Marked by `checkpoint()`: saved to the context's checkpoint directory after the next job that computes it. */
  private checkpointPending = false;
  private checkpointFile: string | undefined;
  private locallyCheckpointed = false;

  /**
   * Marks this RDD to be saved in the directory `sc.setCheckpointDir` set, with its lineage forgotten, once the next
   * job computes it (Spark's reliable `checkpoint`). Call it before running any job on the RDD.
   */
  checkpoint(): void {
    if (this.context.getCheckpointDir() === undefined) {
      throw new IllegalStateError(
        "Checkpoint directory has not been set in the SparkContext: call sc.setCheckpointDir(dir) first",
      );
    }
    if (!this.checkpointFile) this.checkpointPending = true;
  }

  /** True once `checkpoint()` took effect (the RDD was saved). */
  isCheckpointed(): boolean {
    return this.checkpointFile !== undefined;
  }

  /** The directory this RDD was saved to by `checkpoint()`, once it was. */
  getCheckpointFile(): string | undefined {
    return this.checkpointFile;
  }

  /** True once `localCheckpoint()` cut the lineage. */
  isLocallyCheckpointed(): boolean {
    return this.locallyCheckpointed;
  }

  /** @internal After a job on this RDD: saves the RDDs of its lineage that `checkpoint()` marked. */
  async checkpointMarked(): Promise<void> {
    const pending: RDDBase<unknown>[] = [];
    const seen = new Set<RDDBase<unknown>>();
    const walk = (r: RDDBase<unknown>) => {
      if (seen.has(r)) return;
      seen.add(r);
      if (r.checkpointPending) pending.push(r);
      for (const dep of r.node.dependencies) walk(dep.rdd as unknown as RDDBase<unknown>);
    };
    walk(this as RDDBase<unknown>);
    for (const r of pending) await r.saveCheckpoint();
  }

  /** Writes every partition (V8's serialization, so Maps, Dates and bytes keep their types) and cuts the lineage. */
  private async saveCheckpoint(): Promise<void> {
    this.checkpointPending = false;
    const dir = join(this.context.getCheckpointDir()!, `rdd-${this.id}`);
    mkdirSync(dir, { recursive: true });
    await this.localCheckpoint();
    this.locallyCheckpointed = false;
    const node = this.checkpointed!;
    for (let p = 0; p < node.numPartitions(); p++) {
      const file = join(dir, `part-${String(p).padStart(5, "0")}`);
      writeFileSync(`${file}.tmp`, serialize(node.slice(p)));
      renameSync(`${file}.tmp`, file);
    }
    this.checkpointFile = dir;
  }
}

/** Every partition index of `rdd`. */
export function allPartitions(rdd: { getNumPartitions(): number }): number[] {
  return Array.from({ length: rdd.getNumPartitions() }, (_, i) => i);
}
