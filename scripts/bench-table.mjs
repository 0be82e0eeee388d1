// Renders the README's benchmark table from bench/results/*.json.
// Usage: node scripts/bench-table.mjs   (prints Markdown)
import { existsSync, readFileSync } from "node:fs";

const read = (name) => (existsSync(`bench/results/${name}.json`) ? JSON.parse(readFileSync(`bench/results/${name}.json`, "utf8")) : undefined);
const m = (n) => `${(n / 1e6).toFixed(2)}M`;
const rows = [];

const wc = read("wordcount");
if (wc) {
  const cells = Object.entries(wc.results).map(([name, r]) => `${name} ${m(r.wordsPerSecond)} words/s (${wc.ratios[name]}x)${r.note ? ` ${r.note}` : ""}`);
  rows.push([`word count, ${m(wc.words)} words, ${wc.vocabulary}-word vocabulary, best of 3 (ratio to the hand loop)`, cells.join("; ")]);
}
const us = read("update-state");
if (us) rows.push([`updateStateByKey, ${us.keys.toLocaleString("en")} distinct keys over ${us.batches} batches`, `${Math.round(us.msPerBatch.p50)} ms per batch (median), ${Math.round(us.msPerBatch.last)} ms for the last; ${us.bytesPerLiveKey} bytes of heap per live key, ${Math.round(us.heapMB.peak)} MB peak`]);
const wi = read("window-inverse");
if (wi) rows.push([`reduceByKeyAndWindow over a ${wi.windowBatches}-batch window, ${wi.batchRecords.toLocaleString("en")} records per batch`, `${wi.msPerSlide.withInverse.p50} ms per slide with the inverse function, ${wi.msPerSlide.recomputed.p50} ms recomputing the window (${wi.speedup}x)`]);
const sh = read("shuffle");
if (sh) rows.push(["groupByKey then join", sh.rows.map((r) => `${r.pairs.toLocaleString("en")} pairs: ${(r.ms / 1000).toFixed(1)} s, ${m(r.pairsPerSecond)} pairs/s, ${r.peakHeapMB} MB peak heap`).join("; ") + (sh.growth ? ` (${sh.growth.inputRatio}x the input took ${sh.growth.timeRatio}x the time)` : "")]);
const date = [wc, us, wi, sh].filter(Boolean).map((r) => r.date.slice(0, 10)).sort().pop();
const machine = (wc ?? us ?? wi ?? sh)?.machine;
console.log(`Measured ${date ?? "never"} on ${machine ? `${machine.cpus} cores (${machine.cpuModel}), Node ${machine.node}` : "?"}:\n`);
console.log("| Scenario | Result |\n|---|---|");
for (const [a, b] of rows) console.log(`| ${a} | ${b} |`);
