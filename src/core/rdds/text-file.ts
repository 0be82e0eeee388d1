import { readFileSync } from "node:fs";
import { gunzipSync, inflateSync } from "node:zlib";
import { listInputFiles, readLines, type InputFile } from "../../util/files.js";
import type { Emit, RDDNode } from "../node.js";
import { sliceEvenly } from "./parallel-collection.js";

/** Largest split of one file, as Hadoop's local block size. */
const MAX_SPLIT_BYTES = 32 * 1024 * 1024;

interface FileSplit {
  readonly path: string;
  readonly start: number;
  readonly end: number;
}

/**
 * Lines of a file, a directory or a glob (`textFile`). The path is listed when the
 * partitions are first needed, so a missing path fails the action that reads it.
 */
export class TextFileNode implements RDDNode<string> {
  readonly kind = "HadoopRDD";
  readonly dependencies = [];
  private splits: FileSplit[] | undefined;

  constructor(
    private readonly path: string,
    private readonly minPartitions: number,
    readonly callSite = "textFile",
  ) {}

  numPartitions(): number {
    return this.getSplits().length;
  }

  computeInto(split: number, _ctx: unknown, emit: Emit<string>): void {
    const s = this.getSplits()[split]!;
    const codec = compressedBy(s.path);
    if (!codec) return readLines(s.path, s.start, s.end, emit);
    // a compressed file is one split, read whole (as Hadoop's codecs, which cannot start mid-file)
    const text = (codec === "gzip" ? gunzipSync : inflateSync)(readFileSync(s.path)).toString("utf8");
    const lines = text.split("\n");
    if (lines[lines.length - 1] === "") lines.pop();
    for (const line of lines) emit(line.endsWith("\r") ? line.slice(0, -1) : line);
  }

  /** The file and byte range of partition `split`. */
  split(split: number): { path: string; start: number; end: number } {
    const s = this.getSplits()[split]!;
    return { path: s.path, start: s.start, end: s.end };
  }

  private getSplits(): FileSplit[] {
    this.splits ??= planSplits(listInputFiles(this.path), this.minPartitions);
    return this.splits;
  }
}

/** The codec of a compressed text file, by its extension (what `saveAsTextFile` with a codec writes). */
function compressedBy(path: string): "gzip" | "deflate" | undefined {
  return path.endsWith(".gz") ? "gzip" : path.endsWith(".deflate") ? "deflate" : undefined;
}

/** Hadoop's rule: goal = total / minPartitions, each file cut into pieces of at most the goal. */
function planSplits(files: InputFile[], minPartitions: number): FileSplit[] {
  const total = files.reduce((n, f) => n + f.size, 0);
  const splitSize = Math.max(1, Math.min(MAX_SPLIT_BYTES, Math.floor(total / Math.max(1, minPartitions))));
  const splits: FileSplit[] = [];
  for (const f of files) {
    if (f.size === 0 || compressedBy(f.path)) {
      splits.push({ path: f.path, start: 0, end: f.size });
      continue;
    }
    let start = 0;
    while (f.size - start > splitSize * 1.1) {
      splits.push({ path: f.path, start, end: start + splitSize });
      start += splitSize;
    }
    splits.push({ path: f.path, start, end: f.size });
  }
  return splits;
}

/** One `[file:path, contents]` record per file (`wholeTextFiles`). */
export class WholeTextFilesNode implements RDDNode<[string, string]> {
  readonly kind = "WholeTextFileRDD";
  readonly dependencies = [];
  private groups: InputFile[][] | undefined;

  constructor(
    private readonly path: string,
    private readonly minPartitions: number,
    readonly callSite = "wholeTextFiles",
  ) {}

  numPartitions(): number {
    return this.getGroups().length;
  }

  computeInto(split: number, _ctx: unknown, emit: Emit<[string, string]>): void {
    for (const f of this.getGroups()[split]!) emit([`file:${f.path}`, readFileSync(f.path, "utf8")]);
  }

  private getGroups(): InputFile[][] {
    if (!this.groups) {
      const files = listInputFiles(this.path);
      this.groups = sliceEvenly(files, Math.max(1, Math.min(this.minPartitions, files.length)));
    }
    return this.groups;
  }
}
