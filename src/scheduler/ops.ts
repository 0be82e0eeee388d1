import { markOrigin } from "./task-context.js";
import type { Emit } from "../core/node.js";
import type { Pipe } from "../core/rdds/pipelined.js";

/** The record-at-a-time operators whose function can be shipped to a worker thread. */
export type OpKind = "map" | "flatMap" | "filter" | "mapValues" | "flatMapValues" | "keys" | "values" | "keyBy";

/** An operator and its user function: what a worker needs to rebuild the step. */
export interface OpSpec {
  readonly kind: OpKind;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  readonly fn?: Function;
}

type AnyFn = (...args: unknown[]) => unknown;

/**
 * The sink-wrapping step of an operator, the same on the driver and in a worker: one call of
 * the user's function per record, its error marked with the RDD it came from.
 */
export function opPipe(kind: OpKind, fn: AnyFn | undefined, rddId: number): Pipe<unknown, unknown> {
  const f = fn as AnyFn;
  switch (kind) {
    case "map":
      return (emit) => (x) => {
        let y: unknown;
        try {
          y = f(x);
        } catch (e) {
          throw markOrigin(e, rddId, kind);
        }
        emit(y);
      };
    case "flatMap":
      return (emit) => (x) => {
        let ys: Iterable<unknown>;
        try {
          ys = f(x) as Iterable<unknown>;
        } catch (e) {
          throw markOrigin(e, rddId, kind);
        }
        emitAll(ys, emit);
      };
    case "filter":
      return (emit) => (x) => {
        let keep: unknown;
        try {
          keep = f(x);
        } catch (e) {
          throw markOrigin(e, rddId, kind);
        }
        if (keep) emit(x);
      };
    case "mapValues":
      return (emit) => (kv) => {
        const pair = kv as [unknown, unknown];
        let u: unknown;
        try {
          u = f(pair[1]);
        } catch (e) {
          throw markOrigin(e, rddId, kind);
        }
        emit([pair[0], u]);
      };
    case "flatMapValues":
      return (emit) => (kv) => {
        const pair = kv as [unknown, unknown];
        let us: Iterable<unknown>;
        try {
          us = f(pair[1]) as Iterable<unknown>;
        } catch (e) {
          throw markOrigin(e, rddId, kind);
        }
        const k = pair[0];
        emitAll(us, (u) => emit([k, u]));
      };
    case "keys":
      return (emit) => (kv) => emit((kv as [unknown, unknown])[0]);
    case "values":
      return (emit) => (kv) => emit((kv as [unknown, unknown])[1]);
    case "keyBy":
      return (emit) => (x) => {
        let k: unknown;
        try {
          k = f(x);
        } catch (e) {
          throw markOrigin(e, rddId, kind);
        }
        emit([k, x]);
      };
  }
}

/** Pushes every item of an iterable (arrays by index, the fast path). */
export function emitAll<U>(items: Iterable<U>, emit: Emit<U>): void {
  if (Array.isArray(items)) {
    for (let i = 0; i < items.length; i++) emit(items[i]);
  } else {
    for (const y of items) emit(y);
  }
}
