import { createHash, randomBytes } from "node:crypto";
import { basename, dirname, join } from "node:path";
import { CheckpointError } from "./errors.js";
import type { FsPort } from "./fs-port.js";

/** Format version of every checkpoint file; bump on an incompatible change. */
export const FORMAT_VERSION = 1;
const MAGIC = "SLUICE1";

/** `SLUICE1 <kind> <version> <length> <sha256>\n` then the payload. */
export function encodeEnvelope(kind: string, payload: Uint8Array): Buffer {
  const hash = createHash("sha256").update(payload).digest("hex");
  return Buffer.concat([Buffer.from(`${MAGIC} ${kind} ${FORMAT_VERSION} ${payload.length} ${hash}\n`), payload]);
}

/** The payload of an envelope, after checking magic, kind, version, length and hash; errors name `path`. */
export function decodeEnvelope(path: string, kind: string, data: Buffer): Buffer {
  const nl = data.indexOf(10);
  const header = nl > 0 ? data.subarray(0, nl).toString("latin1") : "";
  const parts = header.split(" ");
  if (parts.length !== 5 || parts[0] !== MAGIC) {
    throw new CheckpointError(
      "SLUICE_E_CKPT_CORRUPT",
      `${path} is not a Sluice checkpoint file (bad header${data.length === 0 ? ": the file is empty" : ""}). ` +
        `Restore it from a backup or start from a new checkpoint directory`,
    );
  }
  const [, fileKind, version, length, hash] = parts;
  if (fileKind !== kind)
    throw new CheckpointError(
      "SLUICE_E_CKPT_CORRUPT",
      `${path} holds a '${fileKind}' record where '${kind}' was expected`,
    );
  if (Number(version) !== FORMAT_VERSION) {
    throw new CheckpointError(
      "SLUICE_E_CKPT_VERSION",
      `${path} has checkpoint format version ${version}; this Sluice reads version ${FORMAT_VERSION}. Use the ` +
        `Sluice release that wrote it, or a new checkpoint directory`,
    );
  }
  const payload = data.subarray(nl + 1);
  if (payload.length !== Number(length)) {
    throw new CheckpointError(
      "SLUICE_E_CKPT_CORRUPT",
      `${path} is truncated or padded: payload has ${payload.length} bytes, header says ${length}`,
    );
  }
  const actual = createHash("sha256").update(payload).digest("hex");
  if (actual !== hash)
    throw new CheckpointError(
      "SLUICE_E_CKPT_CORRUPT",
      `${path} hash mismatch (expected ${hash.slice(0, 12)}…, got ${actual.slice(0, 12)}…): the file is corrupted`,
    );
  return payload;
}

/** Temp files carry this marker; they are never read and are deleted at startup. */
export const TMP_MARKER = ".tmp-";

/** Turns a low-level error into a checkpoint error naming the file. */
export function ioError(err: unknown, path: string, what: string): CheckpointError {
  const code = (err as NodeJS.ErrnoException)?.code;
  if (err instanceof CheckpointError) return err;
  if (code === "ENOSPC" || code === "EDQUOT") {
    return new CheckpointError(
      "SLUICE_E_ENOSPC",
      `no space left writing ${path} (${what}). Nothing of this batch was committed; free space and restart: ` +
        `the batch is re-run`,
      { cause: err },
    );
  }
  if (code === "EIO")
    return new CheckpointError(
      "SLUICE_E_FSYNC",
      `I/O error (EIO) writing ${path}; data since the last sync may be lost; restart so recovery can replay`,
      { cause: err },
    );
  return new CheckpointError(
    "SLUICE_E_IO",
    `cannot write ${path} (${what}): ${(err as Error)?.message ?? String(err)}`,
    { cause: err },
  );
}

/**
 * Writes `kind` + `payload` to `path` so that `path` is either the old file or the whole new
 * one: a temp file in the same directory, fsync, rename, fsync of the directory.
 */
export async function writeDurably(fs: FsPort, path: string, kind: string, payload: Uint8Array): Promise<void> {
  const tmp = join(dirname(path), `${basename(path)}${TMP_MARKER}${process.pid}-${randomBytes(4).toString("hex")}`);
  try {
    await fs.writeNewFile(tmp, encodeEnvelope(kind, payload));
    await fs.rename(tmp, path);
    await fs.syncDir(dirname(path));
  } catch (err) {
    await fs.rm(tmp).catch(() => undefined);
    throw ioError(err, path, kind);
  }
}
