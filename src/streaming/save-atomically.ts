import { existsSync, promises as fsp } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { randomBytes } from "node:crypto";
import type { FsPort } from "../checkpoint/fs-port.js";
import type { RDD } from "../core/rdd.js";

/**
 * Writes `rdd` as a directory at `path` all at once (text by default, or with `write`, e.g.
 * `(r, dir) => r.saveAsParquetFile(dir)`): parts and `_SUCCESS` go to a temporary sibling
 * directory, which is fsynced and renamed onto `path` (through the context's file-system port). An existing `path` is a
 * finished earlier
 * attempt of the same batch and is kept as it is.
 */
export async function saveAtomically(
  rdd: RDD<unknown>,
  path: string,
  write: (rdd: RDD<unknown>, dir: string) => Promise<void>,
  fs: FsPort,
): Promise<void> {
  const target = resolve(path);
  if (existsSync(target)) return;
  const parent = dirname(target);
  await fsp.mkdir(parent, { recursive: true });
  const tmp = join(parent, `.${basename(target)}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`);
  try {
    await write(rdd, tmp);
    for (const name of await fsp.readdir(tmp)) await syncPath(join(tmp, name));
    await syncPath(tmp);
    await fs.rename(tmp, target);
    await fs.syncDir(parent);
  } catch (err) {
    await fsp.rm(tmp, { recursive: true, force: true });
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOTEMPTY" || code === "EEXIST") return; // another attempt finished first
    throw err;
  }
}

async function syncPath(path: string): Promise<void> {
  const handle = await fsp.open(path, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
