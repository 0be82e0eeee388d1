import { IllegalStateError } from "../util/errors.js";
import { SHARED_VARIABLE, type SharedVariableInfo } from "../util/shared-marker.js";

/**
 * A read-only value shared with every task (`sc.broadcast(v)`); read it with `.value`. A
 * function that reads it runs in worker threads too: each worker gets the value once.
 */
export class Broadcast<T> {
  private destroyed = false;

  constructor(
    readonly id: number,
    private readonly data: T,
    /** Drops the workers' copies. */
    private readonly release: (id: number) => void = () => {},
  ) {}

  [SHARED_VARIABLE](): SharedVariableInfo {
    return { kind: "broadcast", id: this.id, value: () => this.data, destroyed: this.destroyed };
  }

  get value(): T {
    if (this.destroyed) throw new IllegalStateError(`Attempted to use Broadcast(${this.id}) after it was destroyed`);
    return this.data;
  }

  /** Drops the copies worker threads hold; the value stays readable (a worker is sent it again when needed). */
  unpersist(): void {
    this.release(this.id);
  }

  /** Makes the value unusable from now on, and drops the workers' copies. */
  destroy(): void {
    this.destroyed = true;
    this.release(this.id);
  }
}

/**
 * A number tasks add to and the driver reads (`sc.accumulator(0)`). A task in a worker thread
 * adds to its own count, which the driver adds here once the task succeeded.
 */
export class Accumulator {
  constructor(
    readonly id: number,
    private total: number,
  ) {}

  [SHARED_VARIABLE](): SharedVariableInfo {
    return { kind: "accumulator", id: this.id, add: (term) => this.add(term) };
  }

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
