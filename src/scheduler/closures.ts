// Shipping a user's function with what it reads: its free variables' values, found through V8's
// inspector (the function's [[Scopes]]), turned into plain data a worker thread rebuilds.
import { Session } from "node:inspector";
import { functionReads } from "../util/free-variables.js";
import { sharedVariableOf } from "../util/shared-marker.js";
import { log } from "../util/log.js";
import { estimateSize } from "../shuffle/memory.js";

/**
 * One captured value as a worker rebuilds it: data (structured-cloned), a function of the
 * plan's table, an object holding functions (a module namespace, a config with helpers), a
 * built-in (`Math.max`, `Symbol.iterator`), a broadcast variable, an accumulator, a registered
 * symbol (`Symbol.for(key)`), or a value that cannot cross
 * (reading it in a worker throws, and the task runs again on the driver).
 */
export type ShippedRef =
  | { readonly d: unknown }
  | { readonly f: number }
  | { readonly o: readonly (readonly [string, ShippedRef])[] }
  | { readonly g: string }
  | { readonly b: number }
  | { readonly a: number }
  | { readonly y: string }
  | { readonly x: string };

/** A function as a worker compiles it: its source, and what each of its free names is bound to. */
export interface ShippedFunction {
  /** An expression giving the function (its own source, or a method's wrapped in an object). */
  readonly src: string;
  readonly names: readonly string[];
  readonly refs: readonly ShippedRef[];
}

/** Why a function (and so its stage) stays on the driver. */
export interface NotShippable {
  readonly reason: string;
}

/**
 * Packs the functions of one stage: each function once (helpers shared by two operators, and
 * functions calling each other, included), with the broadcast variables and accumulators they
 * reach. Values are read when the stage is packed, as Spark serializes a closure when a job runs.
 */
export class ClosurePacker {
  readonly fns: ShippedFunction[] = [];
  /** Broadcast variables the functions read: id to the value (sent once per worker). */
  readonly broadcasts = new Map<number, () => unknown>();
  /** Accumulators the functions add to: id to the driver's `add` (a task's total, once it succeeded). */
  readonly accumulators = new Map<number, (term: number) => void>();
  private readonly packed = new Map<unknown, number>();

  /** `fn` as a reference a worker resolves, or why it cannot be shipped; `what` names it in messages. */
  pack(fn: unknown, what: string): ShippedRef | NotShippable {
    if (typeof fn !== "function") return { reason: `${what} is not a function` };
    const known = this.packed.get(fn);
    if (known !== undefined) return { f: known };
    const src = Function.prototype.toString.call(fn);
    if (src.includes("[native code]")) {
      const path = builtinPath(fn);
      return path ? { g: path } : { reason: `${what} is a native or bound function` };
    }
    if (src.startsWith("class")) return { reason: `${what} is a class, which is not shipped to worker threads` };
    const reads = functionReads(src);
    if (!reads) return { reason: `${what} is a class member whose source does not stand alone` };
    if (reads.outerThis) return { reason: `${what} uses \`this\`, which only the driver has` };
    const index = this.fns.length;
    this.packed.set(fn, index);
    const names: string[] = [];
    const refs: ShippedRef[] = [];
    this.fns.push({ src: reads.expression, names, refs });
    if (reads.free.length === 0) return { f: index };
    const scope = closureOf(fn as AnyFn, reads.free);
    for (const name of reads.free) {
      if (!scope.has(name)) {
        if (name in globalThis) continue; // a global: the worker has its own
        return { reason: `${what} reads \`${name}\`, which is not defined where the function was made` };
      }
      if (reads.assigned.includes(name))
        return {
          reason:
            `${what} assigns to \`${name}\` from its closure; in a worker thread it would change a copy, ` +
            `never the driver's variable`,
        };
      const ref = this.value(scope.get(name), `\`${name}\` (read by ${what})`, 0);
      if ("reason" in ref) return ref;
      names.push(name);
      refs.push(ref);
    }
    return { f: index };
  }

  /** A captured value as a reference; `what` names it (and where it is read) in messages. */
  private value(v: unknown, what: string, depth: number): ShippedRef | NotShippable {
    if (typeof v === "function") return this.pack(v, what);
    if (typeof v === "symbol") {
      const key = Symbol.keyFor(v);
      if (key !== undefined) return { y: key };
      const path = builtinPath(v);
      if (path) return { g: path };
      return { reason: `${what} is a symbol not made by Symbol.for, which does not cross to a worker thread` };
    }
    if (typeof v !== "object" || v === null) return { d: v };
    const shared = sharedVariableOf(v);
    if (shared?.kind === "broadcast") {
      if (shared.destroyed) return { reason: `${what} is a destroyed broadcast variable` };
      this.broadcasts.set(shared.id, shared.value);
      return { b: shared.id };
    }
    if (shared?.kind === "accumulator") {
      this.accumulators.set(shared.id, shared.add);
      return { a: shared.id };
    }
    const why = notData(v, new Set());
    if (why === undefined) {
      warnIfLarge(v, what);
      return { d: v };
    }
    // an object that holds functions (a module namespace, a config with helpers): rebuilt
    // property by property; a property that cannot cross fails only a task that reads it
    if (isRecord(v) && depth < 3) {
      const props: [string, ShippedRef][] = [];
      for (const key of Object.keys(v)) {
        let prop: unknown;
        try {
          prop = (v as Record<string, unknown>)[key];
        } catch (e) {
          props.push([key, { x: `reading ${what}.${key} threw ${String(e)}` }]);
          continue;
        }
        const ref = this.value(prop, `${what}.${key}`, depth + 1);
        props.push([key, "reason" in ref ? { x: ref.reason } : ref]);
      }
      return { o: props };
    }
    return { reason: `${what} ${why}` };
  }
}

type AnyFn = (...args: unknown[]) => unknown;

/** Captured values bigger than this are worth a broadcast variable. */
const LARGE_CAPTURE_BYTES = 4 * 2 ** 20;
const warnedLarge = new Set<string>();

/** A big captured value travels with every task: say once that a broadcast variable sends it once per worker. */
function warnIfLarge(v: object, what: string): void {
  if (warnedLarge.has(what)) return;
  const bytes = estimateSize(v);
  if (bytes < LARGE_CAPTURE_BYTES) return;
  warnedLarge.add(what);
  log.warn(
    `${what} is about ${Math.round(bytes / 2 ** 20)} MB and is copied to a worker thread with every task; ` +
      `sc.broadcast(value) sends it once per worker`,
  );
}

/**
 * Why `v` is not plain data a structured clone copies faithfully, or undefined when it is:
 * functions, symbols, and instances of classes (whose methods a copy would lose) are not.
 */
function notData(v: unknown, seen: Set<object>): string | undefined {
  if (typeof v === "function") return "holds a function";
  if (typeof v === "symbol") return "holds a symbol";
  if (typeof v !== "object" || v === null) return undefined;
  if (seen.has(v)) return undefined;
  seen.add(v);
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const why = notData(v[i], seen);
      if (why) return why;
    }
    return undefined;
  }
  if (v instanceof Map) {
    for (const [k, x] of v) {
      const why = notData(k, seen) ?? notData(x, seen);
      if (why) return why;
    }
    return undefined;
  }
  if (v instanceof Set) {
    for (const x of v) {
      const why = notData(x, seen);
      if (why) return why;
    }
    return undefined;
  }
  if (
    v instanceof Date ||
    v instanceof RegExp ||
    v instanceof ArrayBuffer ||
    ArrayBuffer.isView(v) ||
    v instanceof Boolean ||
    v instanceof Number ||
    v instanceof String
  )
    return undefined;
  if (!isRecord(v) || sharedVariableOf(v)) {
    const name = (v as { constructor?: { name?: string } }).constructor?.name;
    return `is ${name ? `an instance of ${name}` : "an object"}, whose methods a worker thread would not have`;
  }
  for (const key of Object.keys(v)) {
    const why = notData((v as Record<string, unknown>)[key], seen);
    if (why) return why;
  }
  return undefined;
}

/** A plain object, a null-prototype one, or a module namespace. */
function isRecord(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

// --- the function's closure, through the inspector -------------------------------------------

let session: Session | null | undefined;
const SCOPE_SLOT = "__sluiceClosureScope";

function inspectorPost<T>(method: string, params: object): T {
  let out: T | undefined;
  let failure: Error | null = null;
  let answered = false;
  session!.post(method, params, (err, result) => {
    failure = err;
    out = result as T;
    answered = true;
  });
  // the inspector answers a session of the same thread before `post` returns
  if (!answered) throw new Error(`the inspector did not answer ${method} at once`);
  if (failure) throw failure;
  return out!;
}

interface RemoteObject {
  readonly objectId?: string;
  readonly description?: string;
}

/**
 * The values of `names` in the scopes `fn` closes over, innermost first (a name a scope does
 * not hold is absent: a global, or not defined). Empty when the inspector is unavailable.
 */
export function closureOf(fn: AnyFn, names: readonly string[]): Map<string, unknown> {
  const found = new Map<string, unknown>();
  if (session === undefined) {
    try {
      session = new Session();
      session.connect();
    } catch {
      session = null;
    }
  }
  if (!session) return found;
  const g = globalThis as Record<string, unknown>;
  g[SCOPE_SLOT] = fn;
  try {
    const { result } = inspectorPost<{ result: RemoteObject }>("Runtime.evaluate", {
      expression: `globalThis.${SCOPE_SLOT}`,
      objectGroup: "sluice-closures",
    });
    const props = inspectorPost<{ internalProperties?: { name: string; value?: RemoteObject }[] }>(
      "Runtime.getProperties",
      { objectId: result.objectId, ownProperties: true },
    );
    const scopes = props.internalProperties?.find((p) => p.name === "[[Scopes]]")?.value?.objectId;
    if (!scopes) return found;
    const list = inspectorPost<{ result: { name: string; value?: RemoteObject }[] }>("Runtime.getProperties", {
      objectId: scopes,
      ownProperties: true,
    });
    const wanted = new Set(names);
    for (const entry of list.result) {
      if (!/^\d+$/.test(entry.name) || !entry.value?.objectId) continue;
      if (entry.value.description?.startsWith("Global")) continue; // globals are the worker's own
      // the scope as an object whose properties are its variables
      inspectorPost("Runtime.callFunctionOn", {
        objectId: entry.value.objectId,
        functionDeclaration: `function () { globalThis.${SCOPE_SLOT} = this; }`,
        objectGroup: "sluice-closures",
      });
      const vars = g[SCOPE_SLOT] as { object?: Record<string, unknown> } | undefined;
      const object = vars?.object;
      if (!object) continue;
      for (const name of wanted) {
        if (Object.prototype.hasOwnProperty.call(object, name)) {
          found.set(name, object[name]);
          wanted.delete(name);
        }
      }
      if (wanted.size === 0) break;
    }
  } catch {
    // an inspector that cannot answer: the names stay unresolved and the stage runs on the driver
  } finally {
    delete g[SCOPE_SLOT];
    try {
      inspectorPost("Runtime.releaseObjectGroup", { objectGroup: "sluice-closures" });
    } catch {
      // nothing to release
    }
  }
  return found;
}

// --- built-ins by path ------------------------------------------------------------------------

let builtins: Map<unknown, string> | undefined;

/** Where a built-in function or symbol lives on the global object (`Math.max`, `Symbol.iterator`). */
function builtinPath(fn: unknown): string | undefined {
  if (!builtins) {
    builtins = new Map();
    const add = (holder: object, prefix: string, depth: number): void => {
      for (const key of Object.getOwnPropertyNames(holder)) {
        const d = Object.getOwnPropertyDescriptor(holder, key);
        const v = d && "value" in d ? (d.value as unknown) : undefined;
        const kind = typeof v;
        if ((kind !== "function" && kind !== "symbol" && (kind !== "object" || v === null)) || builtins!.has(v))
          continue;
        const path = prefix ? `${prefix}.${key}` : key;
        if (kind === "function" || kind === "symbol") builtins!.set(v, path);
        if (depth < 2 && kind !== "symbol" && /^[A-Z]/.test(path)) add(v as object, path, depth + 1);
      }
    };
    add(globalThis, "", 0);
  }
  return builtins.get(fn);
}
