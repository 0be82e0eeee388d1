// registered symbols: the same in every thread, so functions that mark lists can be shipped
const LIST = Symbol.for("sluice.list");
const TUPLE = Symbol.for("sluice.tuple");

/** Marks `values` as a list (groupByKey's and cogroup's value lists): printed `[1, 1]` even with two elements. */
export function asList<T>(values: T[]): T[] {
  Object.defineProperty(values, LIST, { value: true });
  return values;
}

/** Marks `values` as a tuple (cogroup's and groupWith's groups): printed `([1], [2], [])` whatever its length. */
export function asTuple<T extends unknown[]>(values: T): T {
  Object.defineProperty(values, TUPLE, { value: true });
  return values;
}

/** `copy`, marked as `original` was (for copies of engine-held values). */
export function sameShape<T extends unknown[]>(original: unknown[], copy: T): T {
  if (LIST in original) return asList(copy) as T;
  if (TUPLE in original) return asTuple(copy);
  return copy;
}

/**
 * Python-style text of values, so `pprint` and `saveAsTextFile` print what PySpark prints.
 * Arrays of two elements print as tuples (`('hello', 3)`), since pairs are tuples in PySpark;
 * other arrays print as lists — except the value lists of `groupByKey` and `cogroup`, always
 * lists, and `cogroup`'s groups, always tuples (PySpark's `mapValues(list)` shows the same).
 * `null`/`undefined` print as `None`, booleans as `True`/`False`.
 */
export function pyStr(value: unknown): string {
  return typeof value === "string" ? value : pyRepr(value);
}

/** Python's `repr` of a value (strings quoted). */
export function pyRepr(value: unknown): string {
  switch (typeof value) {
    case "string":
      return reprString(value);
    case "number":
      return reprNumber(value);
    case "boolean":
      return value ? "True" : "False";
    case "undefined":
      return "None";
    case "bigint":
      return value.toString();
    case "function":
      return `<function ${value.name || "<lambda>"}>`;
    case "symbol":
      return value.toString();
  }
  if (value === null) return "None";
  if (Array.isArray(value)) {
    if (TUPLE in value) return value.length === 1 ? `(${pyRepr(value[0])},)` : `(${value.map(pyRepr).join(", ")})`;
    if (value.length === 2 && !(LIST in value)) return `(${pyRepr(value[0])}, ${pyRepr(value[1])})`;
    return `[${value.map(pyRepr).join(", ")}]`;
  }
  if (value instanceof Map) {
    return `{${Array.from(value, ([k, v]) => `${pyRepr(k)}: ${pyRepr(v)}`).join(", ")}}`;
  }
  if (value instanceof Set) {
    return value.size === 0 ? "set()" : `{${Array.from(value, pyRepr).join(", ")}}`;
  }
  if (value instanceof Date) return reprString(value.toISOString());
  if (value instanceof Uint8Array) return reprBytes(value);
  if (hasOwnToString(value as object)) return String(value);
  const obj = value as Record<string, unknown>;
  return `{${Object.keys(obj)
    .map((k) => `${reprString(k)}: ${pyRepr(obj[k])}`)
    .join(", ")}}`;
}

function hasOwnToString(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return (
    proto !== Object.prototype &&
    proto !== null &&
    typeof value.toString === "function" &&
    value.toString !== Object.prototype.toString
  );
}

function reprNumber(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  return String(x);
}

function reprString(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (ch === quote || ch === "\\") out += "\\" + ch;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (code < 0x20 || code === 0x7f) out += "\\x" + code.toString(16).padStart(2, "0");
    else out += ch;
  }
  return out + quote;
}

function reprBytes(bytes: Uint8Array): string {
  let out = "b'";
  for (const b of bytes) {
    if (b === 0x27 || b === 0x5c) out += "\\" + String.fromCharCode(b);
    else if (b === 0x0a) out += "\\n";
    else if (b === 0x0d) out += "\\r";
    else if (b === 0x09) out += "\\t";
    else if (b < 0x20 || b >= 0x7f) out += "\\x" + b.toString(16).padStart(2, "0");
    else out += String.fromCharCode(b);
  }
  return out + "'";
}
