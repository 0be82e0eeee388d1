import { closeSync, openSync, readSync, readdirSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { globSync } from "tinyglobby";
import { InputPathError } from "./errors.js";

/** A file with its size in bytes. */
export interface InputFile {
  readonly path: string;
  readonly size: number;
}

const GLOB_CHARS = /[*?[\]{}]/;

/** Whether a file name is hidden from inputs (`.name` or `_name`, as Hadoop's filter). */
export function isHiddenName(name: string): boolean {
  return name.startsWith(".") || name.startsWith("_");
}

/**
 * The files a `textFile`-style path names: a file, the visible files of a directory (not
 * recursive), or the files matching a glob; sorted by path. A path naming nothing is an
 * `InputPathError` naming it.
 */
export function listInputFiles(path: string): InputFile[] {
  const abs = resolve(path);
  if (GLOB_CHARS.test(path)) {
    const matches = globSync(path, { absolute: true, onlyFiles: false, dot: false, expandDirectories: false }).sort();
    if (matches.length === 0) throw new InputPathError(abs, "matches 0 files");
    return matches.flatMap((m) => filesAt(m));
  }
  let st;
  try {
    st = statSync(abs);
  } catch {
    throw new InputPathError(abs);
  }
  return st.isDirectory() ? filesAt(abs) : [{ path: abs, size: st.size }];
}

function filesAt(path: string): InputFile[] {
  const st = statSync(path);
  if (!st.isDirectory()) return [{ path, size: st.size }];
  return readdirSync(path, { withFileTypes: true })
    .filter((e) => e.isFile() && !isHiddenName(e.name))
    .map((e) => resolve(path, e.name))
    .sort()
    .map((p) => ({ path: p, size: statSync(p).size }));
}

const CHUNK = 1 << 22;

/**
 * Calls `emit` with each line of `path` whose first byte lies in the split `[start, end]`
 * as Hadoop's line reader does: a split after the first skips the partial line it starts in,
 * and every split reads past `end` to finish its last line. Lines lose `\n` and a trailing `\r`.
 * Whole runs of lines are decoded at once (a newline byte never occurs inside a UTF-8 character).
 */
export function readLines(path: string, start: number, end: number, emit: (line: string) => void): void {
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    let pos = start;
    let carry: Buffer | undefined;
    if (start > 0) {
      // skip the partial line this split starts in: up to and including the first newline at or after `start`
      for (;;) {
        const n = readSync(fd, buf, 0, CHUNK, pos);
        if (n === 0) return;
        const nl = buf.subarray(0, n).indexOf(10);
        if (nl >= 0) {
          pos += nl + 1;
          break;
        }
        pos += n;
      }
      if (pos > end) return;
    }
    for (;;) {
      const n = readSync(fd, buf, 0, CHUNK, pos);
      if (n === 0) break;
      const data = carry ? Buffer.concat([carry, buf.subarray(0, n)]) : buf.subarray(0, n);
      const base = pos - (carry?.length ?? 0);
      carry = undefined;
      // the line that starts at or before `end` and ends at or after it is the split's last
      const endRel = end - base;
      const stop = endRel < data.length ? data.indexOf(10, Math.max(0, endRel)) : -1;
      if (stop >= 0) {
        emitLines(data, stop + 1, emit);
        return;
      }
      const lastNl = data.lastIndexOf(10);
      if (lastNl >= 0) emitLines(data, lastNl + 1, emit);
      carry = Buffer.from(data.subarray(lastNl + 1));
      pos += n;
    }
    if (carry && carry.length > 0) emitLines(Buffer.concat([carry, Buffer.from("\n")]), carry.length + 1, emit);
  } finally {
    closeSync(fd);
  }
}

/** Emits the newline-terminated lines in `data[0, to)`. */
function emitLines(data: Buffer, to: number, emit: (line: string) => void): void {
  const lines = data.toString("utf8", 0, to).split("\n");
  // inline the loop: this runs once per line of every text input
  for (let i = 0; i < lines.length - 1; i++) {
    const line = lines[i]!;
    emit(line.length > 0 && line.charCodeAt(line.length - 1) === 13 ? line.slice(0, -1) : line);
  }
}
