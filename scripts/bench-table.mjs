// Renders the README's benchmark table from bench/results/*.json.
// Usage: node scripts/bench-table.mjs   (prints Markdown)
import { existsSync, readFileSync } from "node:fs";

const read = (name) =>
  existsSync(`bench/results/${name}.json`) ? JSON.parse(readFileSync(`bench/results/${name}.json`, "utf8")) : undefined;
const m = (n) => `${(n / 1e6).toFixed(2)}M`;
const rows = [];
/** A row, with the date and machine of its result (results come from different runs). */
const pushRow = (result, [scenario, cells]) => rows.push([scenario, cells, result]);

const wc = read("wordcount");
if (wc) {
  const cells = Object.entries(wc.results).map(
    ([name, r]) => `${name} ${m(r.wordsPerSecond)} words/s (${wc.ratios[name]}x)${r.note ? ` ${r.note}` : ""}`,
  );
  pushRow(wc, [
    `word count, ${m(wc.words)} words, ${wc.vocabulary}-word vocabulary, best of ${wc.rounds ?? 3} interleaved ` +
      `rounds (ratio to the hand loop)`,
    cells.join("; ") +
      (wc.closureJobRatio
        ? `; the closure job (a stop-word Set and a helper read from the closure) on local[*] made ` +
          `${wc.closureJobRatio}x the hand loop doing the same work`
        : ""),
  ]);
}
const wm = read("wordcount-memory");
if (wm)
  pushRow(wm, [
    `word count over ${wm.inputMB} MB of text (${m(wm.words)} words) with the heap capped at ${wm.heapLimitMB} MB`,
    `sluice local[1] finished in ${(wm.sluiceLocal1.ms / 1000).toFixed(1)} s ` +
      `(${wm.sluiceLocal1.heapUsedAtEndMB} MB heap in use at the end); the hand loop, which reads the whole ` +
      `file, ${wm.handLoopReadingWholeFile.finished ? "finished too" : `failed: ${wm.handLoopReadingWholeFile.error}`}`,
  ]);
const us = read("update-state");
if (us)
  pushRow(us, [
    `updateStateByKey, ${us.keys.toLocaleString("en")} distinct keys over ${us.batches} batches`,
    `${Math.round(us.msPerBatch.p50)} ms per batch (median), ${Math.round(us.msPerBatch.last)} ms for the last; ` +
      `${us.bytesPerLiveKey} bytes of heap per live key, ${Math.round(us.heapMB.peak)} MB peak`,
  ]);
const wi = read("window-inverse");
if (wi)
  pushRow(wi, [
    `reduceByKeyAndWindow over a ${wi.windowBatches}-batch window, ${wi.batchRecords.toLocaleString("en")} ` +
      `records per batch`,
    `${wi.msPerSlide.withInverse.p50} ms per slide with the inverse function, ${wi.msPerSlide.recomputed.p50} ` +
      `ms recomputing the window (${wi.speedup}x)`,
  ]);
const sh = read("shuffle");
if (sh)
  pushRow(sh, [
    `groupByKey then join${sh.heapLimitMB ? ` in a ${sh.heapLimitMB} MB heap (best of ${sh.rounds} rounds)` : ""}`,
    sh.rows
      .map(
        (r) =>
          `${r.master ? `${r.master}, ` : ""}${r.pairs.toLocaleString("en")} pairs: ${(r.ms / 1000).toFixed(1)} s, ` +
          `${m(r.pairsPerSecond)} pairs/s, ${r.peakHeapMB} MB peak heap` +
          (r.peakWithBuffersMB ? ` (${r.peakWithBuffersMB} MB with buffers)` : "") +
          (r.budgetMB ? ` (budget ${r.budgetMB} MB, ${r.spillFiles} spill files)` : ""),
      )
      .join("; ") +
      (sh.growth?.inputRatio
        ? ` (${sh.growth.inputRatio}x the input took ${sh.growth.timeRatio}x the time)`
        : sh.growth
          ? ` (10x the input took ${Object.entries(sh.growth)
              .filter(([, g]) => g)
              .map(([k, g]) => `${g.timeRatio}x the time on ${k}`)
              .join(", ")})`
          : ""),
  ]);
const ss = read("streaming-socket");
if (ss) {
  const cells = Object.entries(ss.trials).map(([interval, rows]) => {
    const ok = rows.filter((r) => r.sustainable);
    const top = ok[ok.length - 1];
    return top
      ? `${interval} batches: ${m(top.offeredLinesPerSecond * ss.wordsPerLine)} words/s ` +
          `(${m(top.offeredLinesPerSecond)} lines/s), latency p50 ${top.latencyMs.p50} ms / p99 ${top.latencyMs.p99} ms`
      : `${interval} batches: none sustainable`;
  });
  pushRow(ss, [
    "streaming word count from a local socket, highest sustainable offered rate (batches finish within the interval)",
    cells.join("; "),
  ]);
}
const bp = read("backpressure");
if (bp) {
  const d = (r) =>
    `heap ${r.heapMB.first} → ${r.heapMB.last} MB (peak ${r.heapMB.peak}), ${r.queuedBatchesAtEnd} batches ` +
    `queued at the end`;
  pushRow(bp, [
    `3x overload for ${bp.seconds} s (job capacity about ${bp.capacityLinesPerSecond.toLocaleString("en")} lines/s)`,
    `with backpressure: ${d(bp.withBackpressure)}; without: ${d(bp.without)}`,
  ]);
}
const br = read("brokers");
if (br) {
  const d = (name, r) =>
    `${name}: ${(r.sluice.recordsPerSecond / 1e3).toFixed(0)}k messages/s ` +
    `(${((r.sluice.recordsPerSecond * br.wordsPerMessage) / 1e6).toFixed(2)}M words/s; a plain client loop ` +
    `that only reads and counts: ${(r.plainLoopRecordsPerSecond / 1e3).toFixed(0)}k/s, ${r.ratio}x)`;
  pushRow(br, [
    `broker direct streams into a word count, ${br.messages.toLocaleString("en")} messages of ` +
      `${br.wordsPerMessage} words, batches back to back`,
    `${d("Redis Streams", br.redisStreams)}; ${d("NATS JetStream", br.natsJetStream)}`,
  ]);
}
const kf = read("kafka");
if (kf)
  pushRow(kf, [
    `Kafka word count, ${kf.messages.toLocaleString("en")} messages of 3 words from a ${kf.partitions}-partition ` +
      `topic (a real broker), best of ${kf.rounds.length} interleaved rounds`,
    `sluice ${(kf.sluiceMessagesPerSecond / 1e3).toFixed(0)}k messages/s; a plain @platformatic/kafka consumer ` +
      `loop that reads and counts: ${(kf.plainLoopMessagesPerSecond / 1e3).toFixed(0)}k/s (sluice ` +
      `${kf.ratioToPlainLoop}x)` +
      (kf.latencyAt100msBatches
        ? `; end to end at 100 ms batches and ${(kf.latencyAt100msBatches.messagesPerSecond / 1e3).toFixed(0)}k ` +
          `messages/s: p50 ${kf.latencyAt100msBatches.p50} ms, p99 ${kf.latencyAt100msBatches.p99} ms`
        : ""),
  ]);
const md = read("multicore-designs");
if (md)
  pushRow(md, [
    "worker-thread designs on the word count (see docs/decisions.md)",
    `SPMD ${m(md.wordsPerSecond.spmd)} words/s, function shipping ` +
      `${m(md.wordsPerSecond.functionShipping ?? md.wordsPerSecond.shipping)} words/s` +
      (md.wordsPerSecond.shippingClosures
        ? `; the closure job: SPMD ${m(md.wordsPerSecond.spmdClosures)}, shipping with captured values ` +
          `${m(md.wordsPerSecond.shippingClosures)} words/s`
        : ""),
  ]);
const where = (r) => `${r.date.slice(0, 10)}, ${r.machine.cpus} cores (${r.machine.cpuModel}), Node ${r.machine.node}`;
console.log("Each row from its own run; the machine differs between sessions, so compare within a row:\n");
console.log("| Scenario | Result | Measured |\n|---|---|---|");
for (const [a, b, r] of rows) console.log(`| ${a} | ${b} | ${r ? where(r) : ""} |`);

// Sluice beside Spark and Flink (bench/peers.ts): one row per scenario, one column per engine.
const peers = read("peers");
if (peers) {
  const engines = ["sluice", "spark", "flink"];
  const names = {
    sluice: "Sluice local[2]",
    spark: `Spark ${peers.versions.spark}`,
    flink: `Flink ${peers.versions.flink}`,
  };
  const labels = {
    wordcount: "socket word count (exercise 1)",
    totals: "running totals, updateStateByKey (exercise 2)",
    window: "window of 3 slides with the inverse function (exercise 3, scaled)",
    keyed: "keyed windowed count of bid events, window of 4 slides",
  };
  const k = (n) => (n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : `${Math.round(n / 1e3)}k`);
  console.log(
    `\nSide by side (${peers.date.slice(0, 10)}, ${peers.machine.cpus} cores, ${peers.versions.java}; ` +
      `${peers.secondsPerTrial} s a trial): highest sustainable offered rate in lines/s (three words a line, ` +
      `or one event; "+": the top of the ladder); latency p50/p99 at the lowest rate (25k lines/s); process start ` +
      `to first output; peak RSS at the lowest rate – at the highest sustainable one.\n`,
  );
  console.log(`| Scenario | ${engines.map((e) => names[e]).join(" | ")} |`);
  console.log(`|---|${engines.map(() => "---").join("|")}|`);
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
  for (const [key, trials] of Object.entries(peers.trials)) {
    const [scenario, interval] = key.split("@");
    const cell = (e) => {
      const mine = trials.filter((t) => t.engine === e);
      if (!mine.length) return "—";
      const lowest = Math.min(...mine.map((t) => t.offeredLinesPerSecond));
      const low = mine.filter((t) => t.offeredLinesPerSecond === lowest);
      // the highest sustainable rate of each round; the figure is the lowest of them
      const rounds = [...new Set(mine.map((t) => t.round ?? 1))];
      const bestOf = (r) =>
        mine
          .filter((t) => (t.round ?? 1) === r && t.sustainable)
          .reduce((a, t) => (a && a.offeredLinesPerSecond >= t.offeredLinesPerSecond ? a : t), undefined);
      const perRound = rounds.map(bestOf);
      const best = perRound.includes(undefined)
        ? undefined
        : perRound.reduce((a, t) => (t.offeredLinesPerSecond < a.offeredLinesPerSecond ? t : a));
      const top = best && !mine.some((t) => t.offeredLinesPerSecond > best.offeredLinesPerSecond);
      const rate = best ? `**${k(best.offeredLinesPerSecond)}${top ? "+" : ""}**` : "**none**";
      const lat = low[0].latencyMs ? `${low[0].latencyMs.p50}/${low[0].latencyMs.p99} ms` : "—";
      const first = median(low.map((t) => t.firstOutputMs).filter((x) => x !== null));
      const rss = `${low[0].peakRssMB}${best ? `–${best.peakRssMB}` : ""} MB`;
      return `${rate}; ${lat}; ${first === undefined ? "—" : `${(first / 1000).toFixed(1)} s`}; ${rss}`;
    };
    console.log(`| ${labels[scenario] ?? scenario}, ${interval} batches | ${engines.map(cell).join(" | ")} |`);
  }
  // the batch word count: each engine's fastest run
  const b = {};
  for (const r of peers.batchRuns) if (!b[r.engine] || r.jobMs < b[r.engine].jobMs) b[r.engine] = r;
  if (Object.keys(b).length)
    console.log(
      `| batch word count, ${m(peers.words)} words (job time; process start to end) | ` +
        engines
          .map((e) =>
            b[e]
              ? `**${m(b[e].wordsPerSecond)} words/s** (${(b[e].jobMs / 1000).toFixed(2)} s; ` +
                `${(b[e].wallMs / 1000).toFixed(1)} s); ${b[e].peakRssMB} MB`
              : "—",
          )
          .join(" | ") +
        " |",
    );
}

const nx = read("nexmark");
if (nx) {
  console.log(
    `\nNexmark in Sluice (${nx.date.slice(0, 10)}, ${nx.master}, ${m(nx.events)} events in batches of ` +
      `${(nx.eventsPerBatch / 1e3).toFixed(0)}k, best of ${nx.rounds}; Flink: its published figures, on other machines):\n`,
  );
  console.log("| Query | events/s | cores used | K events/s per core | Flink 1.13, K events/s per core (published) |");
  console.log("|---|---|---|---|---|");
  for (const [q, r] of Object.entries(nx.queries))
    console.log(
      `| ${q} | ${m(r.eventsPerSecond)} | ${r.cores} | ${r.kEventsPerCoreSecond} | ` +
        `${r.flinkPublishedKEventsPerCoreSecond ?? "does not run (FLINK-19059)"} |`,
    );
}
