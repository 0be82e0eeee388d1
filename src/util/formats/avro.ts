import { randomBytes } from "node:crypto";
import { deflateRawSync, inflateRawSync } from "node:zlib";
import avro from "avsc";
import { RecordFormatError } from "../errors.js";
import { commonKind, kindOf, type ValueKind } from "./columns.js";

/** An Avro schema as JSON (`{ type: "record", name, fields }`, `"string"`, …). */
export type AvroSchema = avro.Schema;

/** Avro's `timestamp-millis` read as `Date` and written from `Date`. */
class TimestampMillis extends avro.types.LogicalType {
  protected override _fromValue(v: number): Date {
    return new Date(v);
  }
  protected override _toValue(v: unknown): number | undefined {
    return v instanceof Date ? v.getTime() : undefined;
  }
  protected override _export(attrs: AvroSchema): void {
    (attrs as { logicalType?: string }).logicalType = "timestamp-millis";
  }
  protected override _resolve(type: avro.Type): ((v: number) => Date) | undefined {
    return avro.Type.isType(type, "long", "logical:timestamp-millis") ? (v) => new Date(v) : undefined;
  }
}

/** The codec for `schema`, with timestamps as `Date`; an invalid schema is a `RecordFormatError`. */
export function avroType(schema: AvroSchema): avro.Type {
  if (schema instanceof avro.Type) return schema;
  try {
    return avro.Type.forSchema(schema, { logicalTypes: { "timestamp-millis": TimestampMillis } });
  } catch (err) {
    throw new RecordFormatError(`invalid Avro schema: ${(err as Error).message}`, { cause: err });
  }
}

const AVRO_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * An Avro record schema inferred from plain-object records: integers are `long`, other numbers
 * `double`, dates `timestamp-millis`, nested objects records, arrays arrays; a field that is
 * null or missing somewhere is a union with `null`. Mixed types are an error naming the field.
 */
export function inferAvroSchema(records: readonly unknown[], where: string): AvroSchema {
  return inferValues(records, "Record", where) as AvroSchema;
}

function inferValues(values: readonly unknown[], name: string, where: string): unknown {
  const present = values.filter((v) => v !== null && v !== undefined);
  const kinds = new Set<ValueKind>(present.map((v) => kindOf(v, `${where}: '${name}'`)));
  const kind = commonKind(kinds, `${where}: '${name}'`);
  const type = kind === undefined ? "null" : kindSchema(kind, present, name, where);
  return present.length < values.length && kind !== undefined ? ["null", type] : type;
}

function kindSchema(kind: ValueKind, values: unknown[], name: string, where: string): unknown {
  switch (kind) {
    case "timestamp":
      return { type: "long", logicalType: "timestamp-millis" };
    case "array":
      return { type: "array", items: inferValues((values as unknown[][]).flat(), `${name}_item`, where) };
    case "object": {
      const objects = values as Record<string, unknown>[];
      const keys = [...new Set(objects.flatMap((o) => Object.keys(o)))];
      const fields = keys.map((k) => {
        if (!AVRO_NAME.test(k))
          throw new RecordFormatError(
            `${where}: field name '${k}' is not a valid Avro name (letters, digits, _); give a schema or rename it`,
          );
        const type = inferValues(
          objects.map((o) => o[k]),
          `${name}_${k}`,
          where,
        );
        return Array.isArray(type) ? { name: k, type, default: null } : { name: k, type };
      });
      return { type: "record", name, fields };
    }
    case "bytes":
      return "bytes";
    default:
      return kind;
  }
}

/** A record made to fit `type`: missing nullable fields become null (Avro has no "absent"). */
function conform(type: avro.Type, value: unknown): unknown {
  if (value === undefined) return null;
  if (type instanceof avro.types.RecordType && value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const f of type.fields) out[f.name] = conform(f.type, (value as Record<string, unknown>)[f.name]);
    return out;
  }
  if (type instanceof avro.types.UnwrappedUnionType && value !== null) {
    const inner = type.types.find((t) => t.typeName !== "null");
    return inner ? conform(inner, value) : value;
  }
  if (type instanceof avro.types.ArrayType && Array.isArray(value)) return value.map((v) => conform(type.itemsType, v));
  if (value instanceof Uint8Array && !Buffer.isBuffer(value))
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  return value;
}

/** Checks `value` against `type`, or throws a `RecordFormatError` naming the first bad path and `where`. */
function checkValue(type: avro.Type, value: unknown, where: string): void {
  let bad: string | undefined;
  type.isValid(value, {
    errorHook: (path, v) =>
      (bad ??= `field '${path.join(".") || "(record)"}' = ${JSON.stringify(v) ?? String(v)} does not fit the schema`),
  });
  if (bad) throw new RecordFormatError(`${where}: ${bad}`);
}

const HEADER_META = avro.Type.forSchema({ type: "map", values: "bytes" });
const LONG = avro.Type.forSchema("long");
const RECORDS_PER_BLOCK = 4096;

/**
 * Records as one Avro object container file (deflate blocks), with `schema` or one inferred
 * from them; the schema travels in the file's header, so readers need nothing else. Written
 * synchronously, so a task can write its partition's file itself.
 */
export function encodeAvroFile(records: readonly unknown[], where: string, schema?: AvroSchema): Buffer {
  const type = avroType(schema ?? inferAvroSchema(records, where));
  const sync = randomBytes(16);
  const meta = new Map([
    ["avro.schema", Buffer.from(JSON.stringify(type.schema({ exportAttrs: true })))],
    ["avro.codec", Buffer.from("deflate")],
  ]);
  const parts: Buffer[] = [Buffer.from("Obj\x01", "latin1"), HEADER_META.toBuffer(Object.fromEntries(meta)), sync];
  for (let start = 0; start < records.length; start += RECORDS_PER_BLOCK) {
    const block = records.slice(start, start + RECORDS_PER_BLOCK).map((r, i) => {
      const v = conform(type, r);
      checkValue(type, v, `${where}: record ${start + i}`);
      return type.toBuffer(v);
    });
    const data = deflateRawSync(Buffer.concat(block));
    parts.push(LONG.toBuffer(block.length), LONG.toBuffer(data.length), data, sync);
  }
  return Buffer.concat(parts);
}

/**
 * The records of an Avro object container file as plain objects, with the writer's schema;
 * with `readerSchema`, records are resolved to it (Avro's schema evolution). A file that is
 * truncated, corrupt, or whose schema cannot be resolved is a `RecordFormatError` naming `where`.
 */
export function decodeAvroFile(
  bytes: Uint8Array,
  where: string,
  readerSchema?: AvroSchema,
): { schema: AvroSchema; records: Record<string, unknown>[] } {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fail = (what: string, cause?: unknown): never => {
    throw new RecordFormatError(
      `${where} is not a readable Avro file${readerSchema ? " for the given schema" : ""}: ${what}`,
      { cause },
    );
  };
  if (buf.length < 4 || buf.toString("latin1", 0, 4) !== "Obj\x01") fail("invalid magic bytes");
  const header = HEADER_META.decode(buf, 4);
  if (header.offset < 0 || header.offset + 16 > buf.length) fail("truncated header");
  const meta = header.value as Record<string, Buffer>;
  const codec = meta["avro.codec"]?.toString() ?? "null";
  if (codec !== "null" && codec !== "deflate") fail(`codec ${codec} is not supported (null and deflate are)`);
  let writer: avro.Type;
  try {
    writer = avroType(JSON.parse(meta["avro.schema"]?.toString() ?? "") as AvroSchema);
  } catch (err) {
    return fail(`bad schema in the header: ${(err as Error).message}`, err);
  }
  let reader = writer;
  let resolver: ReturnType<avro.Type["createResolver"]> | undefined;
  if (readerSchema !== undefined) {
    reader = avroType(readerSchema);
    try {
      resolver = reader.createResolver(writer);
    } catch (err) {
      fail((err as Error).message, err);
    }
  }
  const sync = buf.subarray(header.offset, header.offset + 16);
  const records: Record<string, unknown>[] = [];
  let pos = header.offset + 16;
  while (pos < buf.length) {
    const count = LONG.decode(buf, pos);
    const size = count.offset < 0 ? count : LONG.decode(buf, count.offset);
    if (size.offset < 0 || size.offset + (size.value as number) + 16 > buf.length)
      fail(`truncated block at byte ${pos}`);
    const end = size.offset + (size.value as number);
    if (!buf.subarray(end, end + 16).equals(sync)) fail(`bad sync marker after the block at byte ${pos}`);
    let data = buf.subarray(size.offset, end);
    try {
      if (codec === "deflate") data = inflateRawSync(data);
    } catch (err) {
      fail(`block at byte ${pos} does not inflate: ${(err as Error).message}`, err);
    }
    let at = 0;
    for (let i = 0; i < (count.value as number); i++) {
      const r = resolver ? reader.decode(data, at, resolver) : reader.decode(data, at);
      if (r.offset < 0) fail(`record ${records.length} is truncated`);
      records.push(plain(r.value) as Record<string, unknown>);
      at = r.offset;
    }
    pos = end + 16;
  }
  return { schema: writer.schema({ exportAttrs: true }) as AvroSchema, records };
}

/** One Avro datum (binary encoding, no header) decoded with `type`; bytes that do not fit are a `RecordFormatError`. */
export function decodeAvroDatum(type: avro.Type, bytes: Uint8Array): unknown {
  try {
    return plain(type.fromBuffer(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)));
  } catch (err) {
    throw new RecordFormatError(
      `message does not decode with the Avro schema ${type.name ?? type.typeName}: ${(err as Error).message}`,
      { cause: err },
    );
  }
}

/** avsc's record instances made plain objects, recursively (dates and bytes kept). */
function plain(v: unknown): unknown {
  if (v === null || typeof v !== "object" || v instanceof Date || v instanceof Uint8Array) return v;
  if (Array.isArray(v)) return v.map(plain);
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = plain(x);
  return out;
}
