import { IllegalArgumentError, IllegalStateError, SluiceError } from "../util/errors.js";
import type { RDD } from "../core/rdd.js";
import { toMillis } from "../util/duration.js";

/** `State.get()` on a key without state (Scala's `NoSuchElementException`). */
export class NoSuchElementError extends SluiceError {}

/**
 * A key's state inside a `mapWithState` function: read it, update it, remove it, and see
 * whether the call is the key's timeout.
 */
export class State<S> {
  private value: S | undefined;
  private defined: boolean;
  private updated = false;
  private removed = false;

  constructor(
    initial: { value: S } | undefined,
    private readonly timingOut = false,
  ) {
    this.defined = initial !== undefined;
    this.value = initial?.value;
  }

  exists(): boolean {
    return this.defined;
  }

  get(): S {
    if (!this.defined) throw new NoSuchElementError("State is not set");
    return this.value as S;
  }

  getOption(): S | undefined {
    return this.defined ? this.value : undefined;
  }

  update(newState: S): void {
    if (this.removed) throw new IllegalStateError("Cannot update the state after it has been removed");
    if (this.timingOut) throw new IllegalStateError("Cannot update the state that is timing out");
    this.value = newState;
    this.defined = true;
    this.updated = true;
  }

  remove(): void {
    if (this.timingOut) throw new IllegalStateError("Cannot remove the state that is timing out");
    if (this.removed) throw new IllegalStateError("Cannot remove the state that has already been removed");
    this.defined = false;
    this.value = undefined;
    this.removed = true;
  }

  isTimingOut(): boolean {
    return this.timingOut;
  }

  isUpdated(): boolean {
    return this.updated;
  }

  isRemoved(): boolean {
    return this.removed;
  }
}

/**
 * The function of `mapWithState`: called once per record of a key, and once when the key times out (value `undefined`).
 */
export type MappingFunction<K, V, S, M> = (key: K, value: V | undefined, state: State<S>) => M;

/**
 * What `mapWithState` does: the function, and optionally an initial state, a partition
 * count and an idle timeout (seconds).
 * @example StateSpec.function((word, one, state) => { const n = (state.getOption() ?? 0) + (one ?? 0); state.update(n);
 * return [word, n]; }).timeout(60)
 */
export class StateSpec<K, V, S, M> {
  initialRDD: RDD<[K, S]> | undefined;
  partitions: number | undefined;
  timeoutMs: number | undefined;

  private constructor(readonly fn: MappingFunction<K, V, S, M>) {}

  static function<K, V, S, M>(fn: MappingFunction<K, V, S, M>): StateSpec<K, V, S, M> {
    if (typeof fn !== "function")
      throw new IllegalArgumentError(`StateSpec.function needs a function, got ${typeof fn}`);
    return new StateSpec(fn);
  }

  initialState(rdd: RDD<[K, S]>): this {
    this.initialRDD = rdd;
    return this;
  }

  numPartitions(n: number): this {
    if (!Number.isInteger(n) || n < 1)
      throw new IllegalArgumentError(`StateSpec.numPartitions needs a whole number >= 1, got ${n}`);
    this.partitions = n;
    return this;
  }

  timeout(idleSeconds: number): this {
    this.timeoutMs = toMillis(idleSeconds, "StateSpec timeout");
    return this;
  }
}
