import { markOrigin, type RecordFailure } from "./task-context.js";
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
  /** The user's function threw on `record`: fail the task, or hand the record over and drop it. */
  const fail = (record: unknown, e: unknown, failed: RecordFailure | undefined) => {
    const err = markOrigin(e, rddId, kind);
    if (!failed) throw err;
    failed(record, err, rddId, kind);
  };
  switch (kind) {
    case "map":
      return (emit, _split, failed) => (x) => {
        let y: unknown;
        try {
          y = f(x);
        } catch (e) {
          return fail(x, e, failed);
        }
        emit(y);
      };
    case "flatMap":
      return (emit, _split, failed) => (x) => {
        let ys: Iterable<unknown>;
        try {
          ys = f(x) as Iterable<unknown>;
        } catch (e) {
          return fail(x, e, failed);
        }
        emitAll(ys, emit);
      };
    case "filter":
      return (emit, _split, failed) => (x) => {
        let keep: unknown;
        try {
          keep = f(x);
        } catch (e) {
          return fail(x, e, failed);
        }
        if (keep) emit(x);
      };
    case "mapValues":
      return (emit, _split, failed) => (kv) => {
        const pair = kv as [unknown, unknown];
        let u: unknown;
        try {
          u = f(pair[1]);
        } catch (e) {
          return fail(kv, e, failed);
        }
        emit([pair[0], u]);
      };
    case "flatMapValues":
      return (emit, _split, failed) => (kv) => {
        const pair = kv as [unknown, unknown];
        let us: Iterable<unknown>;
        try {
          us = f(pair[1]) as Iterable<unknown>;
        } catch (e) {
          return fail(kv, e, failed);
        }
        const k = pair[0];
        emitAll(us, (u) => emit([k, u]));
      };
    case "keys":
      return (emit) => (kv) => emit((kv as [unknown, unknown])[0]);
    case "values":
      return (emit) => (kv) => emit((kv as [unknown, unknown])[1]);
    case "keyBy":
      return (emit, _split, failed) => (x) => {
        let k: unknown;
        try {
          k = f(x);
        } catch (e) {
          return fail(x, e, failed);
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
