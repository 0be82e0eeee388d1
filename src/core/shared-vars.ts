import { IllegalStateError } from "../util/errors.js";

/** A read-only value shared with every task (`sc.broadcast(v)`); read it with `.value`. */
export class Broadcast<T> {
  private destroyed = false;

  constructor(
    readonly id: number,
    private readonly data: T,
  ) {}

  get value(): T {
    if (this.destroyed) throw new IllegalStateError(`Attempted to use Broadcast(${this.id}) after it was destroyed`);
    return this.data;
  }

  /** Drops cached copies; the value stays readable (nothing is cached beyond the driver yet). */
  unpersist(): void {}

  /** Makes the value unusable from now on. */
  destroy(): void {
    this.destroyed = true;
  }
}

/** A number tasks add to and the driver reads (`sc.accumulator(0)`). */
export class Accumulator {
  constructor(
    readonly id: number,
    private total: number,
  ) {}

  get value(): number {
    return this.total;
  }

  set value(v: number) {
    this.total = v;
  }

  add(term: number): void {
    if (typeof term !== "number") throw new TypeError(`Accumulator.add takes a number, got ${typeof term}`);
    this.total += term;
  }
}
