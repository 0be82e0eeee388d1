import {
  linkSync,
  mkdirSync,
  promises as fsp,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { dirname } from "node:path";

/**
 * The file operations the checkpoint layer uses, so tests can inject faults (ENOSPC, EIO, a
 * crash at a chosen step) by handing a context another port (`StreamingContext`'s `fs`
 * option). Per-batch writes are asynchronous: fsync never stalls the event loop. Startup
 * (opening the directory, taking its lock, reading what recovery needs) is synchronous, as
 * `getOrCreate` and `start` are.
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
  /** Opens `path` for appending (created when missing): the write-ahead log's segments. */
  openForAppend(path: string): Promise<AppendHandle>;
  /** Startup: reads a whole file. */
  readFileSync(path: string): Buffer;
  /** Startup: a directory's entries, none when it does not exist. */
  readdirSync(dir: string): string[];
  /** Startup: creates a directory and its parents. */
  mkdirSync(dir: string): void;
  /** Startup: removes a file or directory tree, if there. */
  rmSync(path: string): void;
  /** Startup: creates `path` with `data` unless it exists (atomically); false when it existed. */
  createExclusiveSync(path: string, data: string): boolean;
  /** Startup: renames a file. */
  renameSync(from: string, to: string): void;
  /** Startup: makes `to` a second name of `from` unless `to` exists (atomically); false when it existed. */
  linkSync(from: string, to: string): boolean;
}

/** A file open for appending: writes go to its end; `sync` makes them durable (fdatasync). */
export interface AppendHandle {
  write(data: Uint8Array): Promise<void>;
  sync(): Promise<void>;
  close(): Promise<void>;
}

/** Node's file system. */
export class NodeFs implements FsPort {
  async writeNewFile(path: string, data: Uint8Array): Promise<void> {
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

  readFileSync(path: string): Buffer {
    return readFileSync(path);
  }

  readdirSync(dir: string): string[] {
    try {
      return readdirSync(dir);
    } catch {
      return [];
    }
  }

  mkdirSync(dir: string): void {
    mkdirSync(dir, { recursive: true });
  }

  rmSync(path: string): void {
    rmSync(path, { recursive: true, force: true });
  }

  createExclusiveSync(path: string, data: string): boolean {
    try {
      writeFileSync(path, data, { flag: "wx" });
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
      throw err;
    }
  }

  renameSync(from: string, to: string): void {
    renameSync(from, to);
  }

  linkSync(from: string, to: string): boolean {
    try {
      linkSync(from, to);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
      throw err;
    }
  }

  async openForAppend(path: string): Promise<AppendHandle> {
    const handle = await fsp.open(path, "a");
    return {
      write: async (data) => void (await handle.write(data)),
      sync: () => handle.datasync(),
      close: () => handle.close(),
    };
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
