// A worker thread's side of shipped closures: rebuilds a plan's functions with their captured
// values, broadcast variables from the worker's cache, and accumulators that count per task.
import type { ShippedFunction, ShippedRef } from "./closures.js";

type Factory = () => [unknown, (values: unknown[]) => void];
const factories = new Map<string, Factory>();

/**
 * A function's factory, compiled once per worker: each call makes the function afresh with its
 * free names as variables of its own scope, bound afterwards (so functions may call each other).
 */
function factoryOf(fn: ShippedFunction): Factory {
  const key = `${fn.names.join(",")}\n${fn.src}`;
  let factory = factories.get(key);
  if (!factory) {
    const lets = fn.names.length > 0 ? `let ${fn.names.join(", ")};` : "";
    const binds = fn.names.map((n, i) => `${n} = __sluiceValues[${i}];`).join(" ");
    factory = new Function(
      `return function () { ${lets} return [(${fn.src}), function (__sluiceValues) { ${binds} }]; };`,
    )() as Factory;
    factories.set(key, factory);
  }
  return factory;
}

/** The broadcast values this worker holds, by id (sent once per worker per broadcast). */
export const workerBroadcasts = new Map<number, unknown>();

/** An accumulator as a task in a worker sees it: adds are counted, and sent back when the task succeeds. */
class TaskAccumulator {
  total = 0;

  constructor(readonly id: number) {}

  add(term: number): void {
    if (typeof term !== "number") throw new TypeError(`Accumulator.add takes a number, got ${typeof term}`);
    this.total += term;
  }

  get value(): number {
    throw new Error(`Accumulator(${this.id}).value cannot be read inside a task; read it on the driver`);
  }
}

/** A broadcast variable as a task in a worker sees it. */
class WorkerBroadcast {
  constructor(readonly id: number) {}

  get value(): unknown {
    if (!workerBroadcasts.has(this.id)) throw new ReferenceError(`Broadcast(${this.id}) is not in this worker`);
    return workerBroadcasts.get(this.id);
  }

  unpersist(): void {}

  destroy(): void {
    throw new Error(`Broadcast(${this.id}) can only be destroyed on the driver`);
  }
}

/** The functions of one task, rebuilt; `resolve` turns a reference into its value. */
export class TaskClosures {
  private readonly fns: unknown[];
  readonly accumulators = new Map<number, TaskAccumulator>();

  constructor(table: readonly ShippedFunction[]) {
    const made = table.map((fn) => factoryOf(fn)());
    this.fns = made.map((m) => m[0]);
    table.forEach((fn, i) => made[i]![1](fn.refs.map((r) => this.resolve(r))));
  }

  resolve(ref: ShippedRef): unknown {
    if ("d" in ref) return ref.d;
    if ("f" in ref) return this.fns[ref.f];
    if ("g" in ref) return builtinAt(ref.g);
    if ("y" in ref) return Symbol.for(ref.y);
    if ("b" in ref) return new WorkerBroadcast(ref.b);
    if ("a" in ref) {
      let acc = this.accumulators.get(ref.a);
      if (!acc) this.accumulators.set(ref.a, (acc = new TaskAccumulator(ref.a)));
      return acc;
    }
    if ("o" in ref) {
      const o: Record<string, unknown> = {};
      for (const [key, r] of ref.o) {
        if ("x" in r) {
          const why = r.x;
          Object.defineProperty(o, key, {
            enumerable: true,
            get: () => {
              throw new ReferenceError(why);
            },
          });
        } else o[key] = this.resolve(r);
      }
      return o;
    }
    const why = ref.x;
    throw new ReferenceError(why);
  }

  /** What the task's accumulators counted, for the driver to add once the task succeeded. */
  accumulatorTotals(): [number, number][] {
    return [...this.accumulators.values()].filter((a) => a.total !== 0).map((a) => [a.id, a.total]);
  }
}

/** The value at a built-in's path (`Math.max`), in this thread. */
function builtinAt(path: string): unknown {
  let v: unknown = globalThis;
  for (const key of path.split(".")) v = (v as Record<string, unknown>)[key];
  return v;
}
