import { sameShape } from "./py-format.js";

/**
 * A copy of `x` that shares no mutable part with it: arrays, plain objects, Maps, Sets, Dates and byte arrays are
 * copied, deeply; primitives (and strings) are returned as they are, at no cost. Instances of other classes are
 * returned as they are (a copy would lose their methods). PySpark hands user code freshly unpickled values from a
 * cache or a state; this is Sluice's equivalent, so that mutating a collected value or a state in place never
 * rewrites what the engine keeps.
 */
export function copyValue<T>(x: T): T {
  if (typeof x !== "object" || x === null) return x;
  if (Array.isArray(x)) {
    const out = new Array(x.length);
    for (let i = 0; i < x.length; i++) out[i] = copyValue(x[i]);
    return sameShape(x, out) as T;
  }
  const proto = Object.getPrototypeOf(x);
  if (proto === Object.prototype || proto === null) {
    const out: Record<string, unknown> = proto === null ? Object.create(null) : {};
    for (const k in x) out[k] = copyValue((x as Record<string, unknown>)[k]);
    return out as T;
  }
  if (x instanceof Map) return new Map([...x].map(([k, v]) => [k, copyValue(v)])) as T;
  if (x instanceof Set) return new Set([...x].map(copyValue)) as T;
  if (x instanceof Date) return new Date(x.getTime()) as T;
  if (x instanceof Uint8Array) return x.slice() as T;
  return x;
}
