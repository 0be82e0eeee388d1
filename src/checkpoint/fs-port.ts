import { promises as fsp } from "node:fs";
import { dirname } from "node:path";

/**
 * The file operations the checkpoint layer uses, so tests can inject faults (ENOSPC, EIO)
 * at the k-th call. All are asynchronous: fsync never stalls the event loop.
 */
export interface FsPort {
  /** Creates `path` (not existing) with `data` and fsyncs it. */
  writeNewFile(path: string, data: Uint8Array): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  /** fsyncs a directory, so a rename or a new file in it is durable. */
  syncDir(dir: string): Promise<void>;
  readFile(path: string): Promise<Buffer>;
  readdir(dir: string): Promise<string[]>;
  mkdir(dir: string): Promise<void>;
  rm(path: string): Promise<void>;
  exists(path: string): Promise<boolean>;
}

/** Node's file system. `SLUICE_FAULT_FS=enospc@N` (or `eio@N`) fails the N-th write and every later one, for tests. */
export class NodeFs implements FsPort {
  private writes = 0;
  private readonly fault = parseFault(process.env.SLUICE_FAULT_FS);

  private checkFault(path: string): void {
    this.writes++;
    if (this.fault && this.writes >= this.fault.at) {
      const err = new Error(`${this.fault.code}: injected fault, write ${this.writes}, '${path}'`) as NodeJS.ErrnoException;
      err.code = this.fault.code;
      throw err;
    }
  }

  async writeNewFile(path: string, data: Uint8Array): Promise<void> {
    this.checkFault(path);
    const handle = await fsp.open(path, "wx");
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  async rename(from: string, to: string): Promise<void> {
    await fsp.rename(from, to);
  }

  async syncDir(dir: string): Promise<void> {
    const handle = await fsp.open(dir, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  readFile(path: string): Promise<Buffer> {
    return fsp.readFile(path);
  }

  readdir(dir: string): Promise<string[]> {
    return fsp.readdir(dir);
  }

  async mkdir(dir: string): Promise<void> {
    const created = await fsp.mkdir(dir, { recursive: true });
    if (created) await this.syncDir(dirname(dir));
  }

  rm(path: string): Promise<void> {
    return fsp.rm(path, { recursive: true, force: true });
  }

  async exists(path: string): Promise<boolean> {
    try {
      await fsp.access(path);
      return true;
    } catch {
      return false;
    }
  }
}

function parseFault(spec: string | undefined): { code: string; at: number } | undefined {
  const m = spec ? /^(enospc|eio)@(\d+)$/i.exec(spec) : null;
  return m ? { code: m[1]!.toUpperCase(), at: Number(m[2]) } : undefined;
}
