/**
 * A map whose keys compare by value: primitives as in `Map`, and tuples, plain objects,
 * dates and byte arrays by their contents. Shuffles and `countByValue` group with it.
 */
export class KeyedMap<K, V> {
  private readonly plain = new Map<K, V>();
  private readonly compound = new Map<string, [K, V]>();

  get size(): number {
    return this.plain.size + this.compound.size;
  }

  get(key: K): V | undefined {
    if (typeof key !== "object" || key === null) return this.plain.get(key);
    return this.compound.get(canonicalKey(key))?.[1];
  }

  has(key: K): boolean {
    if (typeof key !== "object" || key === null) return this.plain.has(key);
    return this.compound.has(canonicalKey(key));
  }

  set(key: K, value: V): this {
    if (typeof key !== "object" || key === null) {
      this.plain.set(key, value);
    } else {
      const ck = canonicalKey(key);
      const entry = this.compound.get(ck);
      if (entry) entry[1] = value;
      else this.compound.set(ck, [key, value]);
    }
    return this;
  }

  delete(key: K): boolean {
    if (typeof key !== "object" || key === null) return this.plain.delete(key);
    return this.compound.delete(canonicalKey(key));
  }

  /** Pairs in insertion order (primitive keys first, then compound ones). */
  *entries(): IterableIterator<[K, V]> {
    yield* this.plain.entries();
    for (const entry of this.compound.values()) yield [entry[0], entry[1]];
  }

  /** Calls `f` for every pair, without allocating an iterator per pair. */
  forEach(f: (value: V, key: K) => void): void {
    this.plain.forEach(f);
    this.compound.forEach((entry) => f(entry[1], entry[0]));
  }

  /** A `Map` with one representative key object per distinct key value. */
  toMap(): Map<K, V> {
    return new Map(this.entries());
  }
}

/**
 * One combiner per key (keys compare as in `KeyedMap`), kept in a mutable holder so that a
 * record of a key already seen costs one hash lookup, not a `get` and a `set`: the inner loop of
 * every map-side combine and reduce.
 */
export class CombineMap<K, C> {
  private readonly plain = new Map<K, { c: C }>();
  private readonly compound = new Map<string, { k: K; c: C }>();

  get size(): number {
    return this.plain.size + this.compound.size;
  }

  /** Folds `v` into `key`'s combiner, or starts one with `create(v)`. */
  add<V>(key: K, v: V, create: (v: V) => C, merge: (c: C, v: V) => C): void {
    if (typeof key !== "object" || key === null) {
      const h = this.plain.get(key);
      if (h === undefined) this.plain.set(key, { c: create(v) });
      else h.c = merge(h.c, v);
      return;
    }
    const ck = canonicalKey(key);
    const h = this.compound.get(ck);
    if (h === undefined) this.compound.set(ck, { k: key, c: create(v) });
    else h.c = merge(h.c, v);
  }

  /** Drops every key. */
  clear(): void {
    this.plain.clear();
    this.compound.clear();
  }

  /** Calls `f` for every key and its combiner (primitive keys first, then compound ones, each in first-seen order). */
  forEach(f: (c: C, key: K) => void): void {
    this.plain.forEach((h, k) => f(h.c, k));
    this.compound.forEach((h) => f(h.c, h.k));
  }
}

/** A string that is equal for equal compound values and differs for different ones. */
export function canonicalKey(value: unknown): string {
  return JSON.stringify(canonicalForm(value));
}

function canonicalForm(value: unknown): unknown {
  switch (typeof value) {
    case "undefined":
      return ["u"];
    case "bigint":
      return ["b", value.toString()];
    case "number":
      return Number.isFinite(value) ? value : ["n", String(value)];
    case "object":
      break;
    default:
      return value;
  }
  if (value === null) return null;
  if (Array.isArray(value)) return ["a", value.map(canonicalForm)];
  if (value instanceof Date) return ["d", value.getTime()];
  if (ArrayBuffer.isView(value)) {
    return ["y", Array.from(new Uint8Array(value.buffer, value.byteOffset, value.byteLength))];
  }
  const obj = value as Record<string, unknown>;
  return [
    "o",
    Object.keys(obj)
      .sort()
      .map((k) => [k, canonicalForm(obj[k])]),
  ];
}

/** Value equality of two keys, consistent with `KeyedMap`. */
export function keysEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) {
    return Number.isNaN(a) && Number.isNaN(b);
  }
  return canonicalKey(a) === canonicalKey(b);
}
