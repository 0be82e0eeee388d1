import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { InputPathError, TaskFailedError } from "../../src/index.js";
import { sharedContext, tempDir } from "../helpers/context.js";

const sc = sharedContext();
const dir = tempDir();

/** Lines of a text as Hadoop reads them: split on \n, a trailing \r dropped, no empty last line. */
function plainLines(text: string): string[] {
  const lines = text.split("\n").map((l) => (l.endsWith("\r") ? l.slice(0, -1) : l));
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

test("textFile splits a file into byte ranges and reads every line exactly once", async () => {
  const words = ["alpha", "ß", "日本語のテキスト", "😀😀", "", "x".repeat(300), "end"];
  const lines = Array.from({ length: 500 }, (_, i) => `${i} ${words[i % words.length]}`);
  const text = lines.join("\n") + "\n";
  const path = join(dir, "big.txt");
  writeFileSync(path, text);
  for (const minPartitions of [1, 2, 3, 7, 50]) {
    const rdd = sc.textFile(path, minPartitions);
    assert.ok(rdd.getNumPartitions() >= minPartitions, `${rdd.getNumPartitions()} partitions for ${minPartitions}`);
    assert.deepEqual(await rdd.collect(), lines, `minPartitions ${minPartitions}`);
  }
});

test("textFile handles CRLF, no final newline, empty lines and an empty file", async () => {
  const cases = ["a\r\nb\r\n", "a\nb", "\n\nx\n\n", "", "only"];
  for (const [i, text] of cases.entries()) {
    const path = join(dir, `case${i}.txt`);
    writeFileSync(path, text);
    assert.deepEqual(await sc.textFile(path, 3).collect(), plainLines(text), JSON.stringify(text));
  }
});

test("textFile reads a directory's visible files in name order, and a glob", async () => {
  const d = join(dir, "logs");
  mkdirSync(d);
  writeFileSync(join(d, "b.log"), "b1\nb2\n");
  writeFileSync(join(d, "a.log"), "a1\n");
  writeFileSync(join(d, "c.txt"), "c1\n");
  writeFileSync(join(d, ".hidden"), "h\n");
  writeFileSync(join(d, "_SUCCESS"), "");
  assert.deepEqual(await sc.textFile(d).collect(), ["a1", "b1", "b2", "c1"]);
  assert.deepEqual(await sc.textFile(join(d, "*.log")).collect(), ["a1", "b1", "b2"]);
});

test("a missing path rejects when the action runs, naming the path", async () => {
  const missing = join(dir, "no-such-file.txt");
  const rdd = sc.textFile(missing).map((l) => l.length);
  await assert.rejects(rdd.count(), (err: unknown) => {
    const inner = err instanceof TaskFailedError ? err.cause : err;
    assert.ok(inner instanceof InputPathError, String(err));
    assert.equal(inner.path, missing);
    assert.match(inner.message, /no-such-file\.txt does not exist/);
    return true;
  });
  await assert.rejects(sc.textFile(join(dir, "nothing-*.txt")).collect(), /matches 0 files/);
});

test("wholeTextFiles gives one [file:path, contents] record per file", async () => {
  const d = join(dir, "whole");
  mkdirSync(d);
  writeFileSync(join(d, "one.txt"), "uno\ndos\n");
  writeFileSync(join(d, "two.txt"), "ñ");
  const got = await sc.wholeTextFiles(d).collect();
  assert.deepEqual(got, [
    [`file:${join(d, "one.txt")}`, "uno\ndos\n"],
    [`file:${join(d, "two.txt")}`, "ñ"],
  ]);
});
