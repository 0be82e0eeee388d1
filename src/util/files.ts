import { closeSync, openSync, readSync, readdirSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { globSync } from "tinyglobby";
import { InputPathError } from "../core/errors.js";

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
 */
export function readLines(path: string, start: number, end: number, emit: (line: string) => void): void {
  const fd = openSync(path, "r");
  try {
    let pos = start;
    let carry: Buffer | undefined;
    let lineStart = start;
    let skipping = start > 0;
    const buf = Buffer.allocUnsafe(CHUNK);
    for (;;) {
      const n = readSync(fd, buf, 0, CHUNK, pos);
      if (n === 0) break;
      let data = buf.subarray(0, n);
      let offset = pos;
      if (carry) {
        data = Buffer.concat([carry, data]);
        offset = pos - carry.length;
        carry = undefined;
      }
      let from = 0;
      for (let nl = data.indexOf(10, from); nl !== -1; nl = data.indexOf(10, from)) {
        if (skipping) skipping = false;
        else if (lineStart <= end || lineStart === 0) emit(decodeLine(data, from, nl));
        from = nl + 1;
        lineStart = offset + from;
        if (lineStart > end) return;
      }
      carry = Buffer.from(data.subarray(from));
      pos += n;
    }
    if (!skipping && carry && carry.length > 0 && lineStart <= end) emit(decodeLine(carry, 0, carry.length));
  } finally {
    closeSync(fd);
  }
}

function decodeLine(data: Buffer, from: number, to: number): string {
  if (to > from && data[to - 1] === 13) to--;
  return data.toString("utf8", from, to);
}
