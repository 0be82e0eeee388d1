import { deflateSync, gzipSync } from "node:zlib";
import { mkdirSync, renameSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { compareValues } from "../util/compare.js";
import { KeyedMap, keysEqual } from "../util/keyed-map.js";
import { pyStr } from "../util/py-format.js";
import { EmptyRDDError, IllegalArgumentError, NotImplementedError } from "../util/errors.js";
import { allPartitions, type RDD } from "./rdd.js";
import { StatCounter } from "./stat-counter.js";

/** The actions of `RDD`, each a job over some or all partitions. */

export async function collect<T>(rdd: RDD<T>): Promise<T[]> {
  const parts = await rdd.runJob((run) => {
    const out: T[] = [];
    run((x) => out.push(x));
    return out;
  });
  return parts.flat(1) as T[];
}

export async function partitionSizes(rdd: RDD<unknown>): Promise<number[]> {
  return rdd.runJob((run) => {
    let n = 0;
    run(() => n++);
    return n;
  });
}

export async function count(rdd: RDD<unknown>): Promise<number> {
  return (await partitionSizes(rdd)).reduce((a, b) => a + b, 0);
}

/** The first `num` elements, scanning one partition, then more (x4 each round) until enough. */
export async function take<T>(rdd: RDD<T>, num: number): Promise<T[]> {
  if (!Number.isInteger(num) || num < 0)
    throw new IllegalArgumentError(`take(num) needs a whole number >= 0, got ${num}`);
  const out: T[] = [];
  const total = rdd.getNumPartitions();
  let scanned = 0;
  let batch = 1;
  while (out.length < num && scanned < total) {
    const parts = allPartitions(rdd).slice(scanned, scanned + batch);
    const want = num - out.length;
    const results = await rdd.runJob((run) => {
      const got: T[] = [];
      run((x) => {
        if (got.length < want) got.push(x);
      });
      return got;
    }, parts);
    for (const r of results) for (const x of r) if (out.length < num) out.push(x);
    scanned += parts.length;
    batch *= 4;
  }
  return out;
}

export async function first<T>(rdd: RDD<T>): Promise<T> {
  const got = await take(rdd, 1);
  if (got.length === 0) throw new EmptyRDDError("RDD is empty");
  return got[0]!;
}

export async function isEmpty(rdd: RDD<unknown>): Promise<boolean> {
  return rdd.getNumPartitions() === 0 || (await take(rdd, 1)).length === 0;
}

export async function takeOrdered<T>(
  rdd: RDD<T>,
  num: number,
  key: ((x: T) => unknown) | undefined,
  ascending: boolean,
): Promise<T[]> {
  const k = key ?? ((x: T) => x);
  const cmp = ascending ? (a: T, b: T) => compareValues(k(a), k(b)) : (a: T, b: T) => compareValues(k(b), k(a));
  const parts = await rdd.runJob((run) => {
    const items: T[] = [];
    run((x) => items.push(x));
    return items.sort(cmp).slice(0, num);
  });
  return parts.flat(1).sort(cmp).slice(0, num) as T[];
}

export async function reduce<T>(rdd: RDD<T>, f: (a: T, b: T) => T): Promise<T> {
  const parts = await rdd.runJob((run) => {
    let has = false;
    let acc: T | undefined;
    run((x) => {
      acc = has ? f(acc as T, x) : x;
      has = true;
    });
    return has ? [acc as T] : [];
  });
  const values = parts.flat(1) as T[];
  if (values.length === 0) throw new EmptyRDDError("Can not reduce() empty RDD");
  return values.reduce(f);
}

/** Folds every partition from a copy of `zero`, then folds the partition results from `zero` too. */
export async function aggregate<T, U>(
  rdd: RDD<T>,
  zero: U,
  seqOp: (acc: U, x: T) => U,
  combOp: (a: U, b: U) => U,
): Promise<U> {
  const copy = () => (typeof zero === "object" && zero !== null ? structuredClone(zero) : zero);
  const parts = await rdd.runJob((run) => {
    let acc = copy();
    run((x) => {
      acc = seqOp(acc, x);
    });
    return acc;
  });
  return parts.reduce(combOp, copy());
}

export async function extreme<T>(rdd: RDD<T>, key: ((x: T) => unknown) | undefined, sign: 1 | -1): Promise<T> {
  const k = key ?? ((x: T) => x);
  return reduce(rdd, (a, b) => (compareValues(k(b), k(a)) * sign > 0 ? b : a));
}

export async function stats(rdd: RDD<number>): Promise<StatCounter> {
  const parts = await rdd.runJob((run) => {
    const s = new StatCounter();
    run((x) => s.merge(x));
    return s;
  });
  if (parts.length === 0) throw new EmptyRDDError("Can not reduce() empty RDD");
  return parts.reduce((a, b) => a.mergeStats(b));
}

export async function countByValue<T>(rdd: RDD<T>): Promise<Map<T, number>> {
  const parts = await rdd.runJob((run) => {
    const m = new KeyedMap<T, number>();
    run((x) => m.set(x, (m.get(x) ?? 0) + 1));
    return Array.from(m.entries());
  });
  const total = new KeyedMap<T, number>();
  for (const part of parts) for (const [x, n] of part) total.set(x, (total.get(x) ?? 0) + n);
  return total.toMap();
}

export async function collectAsMap<K, V>(rdd: RDD<[K, V]>): Promise<Map<K, V>> {
  const m = new KeyedMap<K, V>();
  for (const [k, v] of await collect(rdd)) m.set(k, v);
  return m.toMap();
}

/** Values for `key`; only the key's partition is read when a partitioner placed the keys. */
export async function lookup<K, V>(rdd: RDD<[K, V]>, key: K): Promise<V[]> {
  // a range partitioner (sortByKey) has its bounds only once prepared: the same bounds its shuffle then uses
  await rdd.partitioner?.prepare?.();
  const parts = rdd.partitioner ? [rdd.partitioner.getPartition(key)] : allPartitions(rdd);
  const found = await rdd.runJob((run) => {
    const out: V[] = [];
    run((kv) => {
      if (keysEqual(kv[0], key)) out.push(kv[1]);
    });
    return out;
  }, parts);
  return found.flat(1) as V[];
}

export async function foreach<T>(rdd: RDD<T>, f: (x: T) => void): Promise<void> {
  await rdd.runJob((run) => run(f));
}

export async function foreachPartition<T>(rdd: RDD<T>, f: (items: T[]) => void | Promise<void>): Promise<void> {
  await rdd.runJob((run) => {
    const items: T[] = [];
    run((x) => items.push(x));
    return f(items);
  });
}

/**
 * Writes `part-NNNNN` files and `_SUCCESS` into a new directory. Each part is written
 * to a temporary name and renamed, so a part file is either whole or absent.
 */
export async function saveAsTextFile(rdd: RDD<unknown>, path: string, compressionCodecClass?: string): Promise<void> {
  if (compressionCodecClass === undefined) return savePartitionFiles(rdd, path, "", textLines);
  const codec = TEXT_CODECS[compressionCodecClass.split(".").pop()!];
  if (!codec) {
    throw new NotImplementedError(
      `saveAsTextFile compression codec ${compressionCodecClass}: Sluice writes ` +
        `org.apache.hadoop.io.compress.GzipCodec (.gz) and DefaultCodec (.deflate)`,
    );
  }
  await savePartitionFiles(rdd, path, codec.ext, (records) => codec.compress(toBytes(textLines(records))));
}

const toBytes = (x: Uint8Array | string) => (typeof x === "string" ? Buffer.from(x) : x);

/** Hadoop's text codecs Sluice writes (and `textFile` reads back), by class name. */
const TEXT_CODECS: Record<string, { ext: string; compress: (b: Uint8Array) => Uint8Array }> = {
  GzipCodec: { ext: ".gz", compress: (b) => gzipSync(b) },
  DefaultCodec: { ext: ".deflate", compress: (b) => deflateSync(b) },
};

const NEWLINE = Buffer.from("\n");

/** One line per record: byte arrays as their raw bytes (as PySpark writes `bytes`), anything else as `str()`. */
function textLines(records: unknown[]): Uint8Array | string {
  if (!records.some((r) => r instanceof Uint8Array)) return records.length ? records.map(pyStr).join("\n") + "\n" : "";
  return Buffer.concat(records.flatMap((r) => [r instanceof Uint8Array ? r : Buffer.from(pyStr(r)), NEWLINE]));
}

/**
 * A directory with one file per partition (`part-00000<ext>`, written to a hidden temp name and
 * renamed) and `_SUCCESS` when all are written. Parquet and Avro skip empty partitions (they have
 * no schema to write). A failure removes the directory.
 */
export async function savePartitionFiles(
  rdd: RDD<unknown>,
  path: string,
  ext: string,
  encode: (records: unknown[], where: string) => Uint8Array | string,
  skipEmpty = false,
): Promise<void> {
  if (existsSync(path)) throw new IllegalArgumentError(`Output directory ${path} already exists`);
  mkdirSync(path, { recursive: true });
  try {
    await rdd.runJob((run, split) => {
      const records: unknown[] = [];
      run((x) => records.push(x));
      if (skipEmpty && records.length === 0) return;
      const name = `part-${String(split).padStart(5, "0")}${ext}`;
      const tmp = join(path, `.${name}.tmp`);
      writeFileSync(tmp, encode(records, `partition ${split} of ${path}`));
      renameSync(tmp, join(path, name));
    });
  } catch (err) {
    rmSync(path, { recursive: true, force: true });
    throw err;
  }
  writeFileSync(join(path, "_SUCCESS"), "");
}

/** Spark's lineage picture: narrow parents with `|`, shuffle parents with `+-`, indented. */
export function toDebugString(rdd: RDD<unknown>): string {
  const label = (r: RDD<unknown>) => `${r}${r.isPersisted ? ` [${r.getStorageLevel()}]` : " []"}`;
  const lines = [`(${rdd.getNumPartitions()}) ${label(rdd)}`];
  const walk = (r: RDD<unknown>, indent: string): void => {
    for (const dep of r.node.dependencies) {
      if (dep.kind === "narrow") {
        lines.push(`${indent}|  ${label(dep.rdd)}`);
        walk(dep.rdd, indent);
      } else {
        lines.push(`${indent}+-(${dep.rdd.getNumPartitions()}) ${label(dep.rdd)}`);
        walk(dep.rdd, indent + "   ");
      }
    }
  };
  walk(rdd, " ");
  return lines.join("\n");
}
