// Scenario 1's memory bound: a word count over ~100 MB of text runs in a heap far smaller than
// the input, because a task reads its split in 4 MB runs and combines words as it goes (memory
// follows the partitions in flight and the vocabulary, not the input). The same count done by
// reading the whole file (the hand loop) cannot run in that heap: the limit is real.
// Run: npm run bench -- wordcount-memory
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeResult } from "./harness.js";

const WORDS = Number(process.env.BENCH_WORDS ?? 16_000_000);
const HEAP_MB = 64;
const dir = mkdtempSync(join(tmpdir(), "sluice-bench-mem-"));
const path = join(dir, "words.txt");
{
  let x = 9;
  const rand = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const vocab = Array.from({ length: 5000 }, (_, i) => `w${i.toString(36)}x${((i * 7919) % 1000).toString(36)}`);
  const chunks: string[] = [];
  let words = 0;
  let chunk = "";
  while (words < WORDS) {
    const n = 5 + Math.floor(rand() * 10);
    let line = "";
    for (let i = 0; i < n; i++) line += (i ? " " : "") + vocab[Math.floor(rand() ** 2 * 5000)];
    chunk += line + "\n";
    words += n;
    if (chunk.length > 1 << 20) (chunks.push(chunk), (chunk = ""));
  }
  chunks.push(chunk);
  writeFileSync(path, chunks.join(""));
}
const inputMB = statSync(path).size / 2 ** 20;

/** Runs `code` in a child with the old generation capped at HEAP_MB; its output and whether it finished. */
function capped(code: string): { ok: boolean; out: string; err: string } {
  const r = spawnSync(
    process.execPath,
    [`--max-old-space-size=${HEAP_MB}`, "--import", "tsx", "--input-type=module", "-e", code],
    { encoding: "utf8", env: { ...process.env, SLUICE_CONF: JSON.stringify({ "spark.ui.enabled": "false" }) } },
  );
  const oom = /heap out of memory|Allocation failed/.test(r.stderr);
  return {
    ok: r.status === 0,
    out: r.stdout.trim(),
    err: oom ? "JavaScript heap out of memory" : (r.stderr.trim().split("\n").slice(-1)[0] ?? ""),
  };
}

const src = new URL("../src/index.ts", import.meta.url).href;
const sluice = capped(`
  import { SparkContext } from "${src}";
  const sc = new SparkContext("local[1]", "memory");
  const t0 = performance.now();
  const counts = await sc.textFile(${JSON.stringify(path)}, 8).flatMap((l) => l.split(" ")).map((w) => [w, 1]).reduceByKey((a, b) => a + b).collectAsMap();
  let total = 0; for (const n of counts.values()) total += n;
  console.log(JSON.stringify({ words: total, distinct: counts.size, ms: Math.round(performance.now() - t0), heapUsedMB: Math.round(process.memoryUsage().heapUsed / 2 ** 20) }));
  await sc.stop();
`);
const hand = capped(`
  import { readFileSync } from "node:fs";
  const m = new Map();
  for (const line of readFileSync(${JSON.stringify(path)}, "utf8").split("\\n")) for (const w of line.split(" ")) if (w) m.set(w, (m.get(w) ?? 0) + 1);
  console.log(m.size);
`);
rmSync(dir, { recursive: true, force: true });
if (!sluice.ok) throw new Error(`sluice failed under a ${HEAP_MB} MB heap: ${sluice.err}`);
const s = JSON.parse(sluice.out) as { words: number; distinct: number; ms: number; heapUsedMB: number };
if (s.words < WORDS) throw new Error(`sluice counted ${s.words} words, fewer than ${WORDS}`);
writeResult("wordcount-memory", {
  inputMB: Math.round(inputMB),
  words: s.words,
  heapLimitMB: HEAP_MB,
  sluiceLocal1: { finished: true, ms: s.ms, heapUsedAtEndMB: s.heapUsedMB, distinct: s.distinct },
  handLoopReadingWholeFile: { finished: hand.ok, error: hand.ok ? undefined : hand.err },
});
