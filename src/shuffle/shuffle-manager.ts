/** Map outputs of a shuffle: `outputs[mapId][reduceId]` is the list of pairs one map task wrote. */
type MapOutputs = (readonly [unknown, unknown][])[][];

/**
 * Holds shuffle outputs in memory by shuffle id, so a second action over the same
 * shuffled RDD reuses them as Spark reuses its shuffle files. Outputs are dropped when
 * the RDD that owns the shuffle is garbage collected.
 */
export class ShuffleManager {
  private readonly outputs = new Map<number, MapOutputs>();
  private readonly cleaner = new FinalizationRegistry<number>((id) => this.outputs.delete(id));

  /** Ties the shuffle's outputs to `owner`'s lifetime. */
  register(shuffleId: number, owner: object): void {
    this.cleaner.register(owner, shuffleId);
  }

  isAvailable(shuffleId: number): boolean {
    return this.outputs.has(shuffleId);
  }

  putMapOutputs(shuffleId: number, outputs: MapOutputs): void {
    this.outputs.set(shuffleId, outputs);
  }

  read(shuffleId: number, reduceId: number): (readonly [unknown, unknown][])[] {
    const outputs = this.outputs.get(shuffleId);
    if (!outputs) throw new Error(`shuffle ${shuffleId} has no map outputs (its stage did not run)`);
    return outputs.map((buckets) => buckets[reduceId] ?? []);
  }

  remove(shuffleId: number): void {
    this.outputs.delete(shuffleId);
  }

  clear(): void {
    this.outputs.clear();
  }
}
