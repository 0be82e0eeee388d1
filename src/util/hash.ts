/**
 * Stable hashing of key values: equal values hash equal in every process and run,
 * whatever their identity. Integers hash to themselves, as in Python, so an int key k
 * lands in partition k mod n.
 */
export function stableHash(value: unknown): number {
  switch (typeof value) {
    case "number":
      return Number.isSafeInteger(value) ? value : hashFloat(value);
    case "string":
      return hashString(value);
    case "boolean":
      return value ? 1 : 0;
    case "undefined":
      return 0;
    case "bigint":
      return hashString(value.toString());
    case "object":
      return value === null ? 0 : hashObject(value);
    default:
      throw new TypeError(`cannot hash a ${typeof value} key: keys must be plain data`);
  }
}

/** FNV-1a over UTF-16 code units, as an unsigned 32-bit number. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  // inline the loop: this is the hot path of every string-keyed shuffle
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const floatView = new Float64Array(1);
const floatWords = new Int32Array(floatView.buffer);

function hashFloat(x: number): number {
  if (Number.isNaN(x)) return 0x7ff80000;
  floatView[0] = x;
  return (floatWords[0]! ^ floatWords[1]!) >>> 0;
}

function mix(h: number, v: number): number {
  return (Math.imul(h, 31) + (v | 0)) | 0;
}

function hashObject(value: object): number {
  if (Array.isArray(value)) {
    let h = 0x345678;
    for (const item of value) h = mix(h, stableHash(item));
    return (h ^ value.length) >>> 0;
  }
  if (value instanceof Date) return hashFloat(value.getTime());
  if (ArrayBuffer.isView(value)) {
    const bytes = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    let h = 0x811c9dc5;
    for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
    return h >>> 0;
  }
  let h = 0x2468ace;
  for (const key of Object.keys(value).sort()) {
    h = mix(mix(h, hashString(key)), stableHash((value as Record<string, unknown>)[key]));
  }
  return h >>> 0;
}

/** Non-negative `h mod n`, Python's `%`. */
export function nonNegativeMod(h: number, n: number): number {
  const r = h % n;
  return r < 0 ? r + n : r;
}
