/**
 * Cached partitions of persisted RDDs, by RDD id and partition index. Everything is
 * kept in memory (`MEMORY_ONLY`); `unpersist` drops an RDD's blocks.
 */
export class BlockManager {
  private readonly blocks = new Map<number, Map<number, readonly unknown[]>>();

  get(rddId: number, split: number): readonly unknown[] | undefined {
    return this.blocks.get(rddId)?.get(split);
  }

  put(rddId: number, split: number, data: readonly unknown[]): void {
    let parts = this.blocks.get(rddId);
    if (!parts) this.blocks.set(rddId, (parts = new Map()));
    parts.set(split, data);
  }

  /** True when every one of the RDD's `numPartitions` partitions is cached. */
  hasAll(rddId: number, numPartitions: number): boolean {
    return (this.blocks.get(rddId)?.size ?? 0) >= numPartitions;
  }

  remove(rddId: number): void {
    this.blocks.delete(rddId);
  }

  clear(): void {
    this.blocks.clear();
  }
}
