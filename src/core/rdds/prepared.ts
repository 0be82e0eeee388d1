import type { Emit, RDDKind, RDDNode } from "../node.js";

/**
 * Partitions whose data is fetched asynchronously by the `prepare` step (a source's batch, files
 * decoded by an async reader) before any task reads them; one slice per partition.
 */
export class PreparedNode<T> implements RDDNode<T> {
  readonly dependencies = [];
  private slices: T[][] | undefined;

  constructor(
    private readonly fetch: () => Promise<T[][]>,
    private readonly parts: number,
    readonly callSite: string,
    readonly kind: RDDKind = "PreparedRDD",
  ) {}

  numPartitions(): number {
    return this.parts;
  }

  async prepare(): Promise<void> {
    this.slices ??= await this.fetch();
  }

  computeInto(split: number, _ctx: unknown, emit: Emit<T>): void {
    for (const x of this.slices?.[split] ?? []) emit(x);
  }
}
