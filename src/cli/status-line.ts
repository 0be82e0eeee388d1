import type { SparkPlugin } from "../core/plugins.js";
import type { BatchInfo } from "../events/streaming.js";
import { StreamingContext } from "../streaming/context.js";

const two = (n: number) => String(n).padStart(2, "0");
/** A batch time as local hh:mm:ss, as pprint's header shows it. */
const clock = (t: number) => {
  const d = new Date(t);
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
};
const ms = (v: number | undefined) =>
  v === undefined ? "-" : v < 1000 ? `${Math.round(v)} ms` : `${(v / 1000).toFixed(2)} s`;

/** The status text of a finished batch. */
export function statusText(info: BatchInfo, batches: number, failed: number, queued: number): string {
  return (
    `batch ${clock(info.batchTime)}: ${info.numRecords.toLocaleString("en")} records, processing ` +
    `${ms(info.processingDelay)}, delay ${ms(info.schedulingDelay)}; ${batches} ` +
    `batches${failed ? ` (${failed} failed)` : ""}${queued ? `, ${queued} queued` : ""}`
  );
}

/**
 * `sluice submit`'s live status, as a plugin of every SparkContext the job makes: a line naming
 * the streaming job when it starts; then, on a terminal, one line rewritten in place after
 * every batch (cleared while a batch runs, so `pprint` output is not mixed into it); elsewhere
 * (a pipe, a file) a plain line per batch.
 */
export function statusLinePlugin(out: NodeJS.WriteStream = process.stderr): SparkPlugin {
  return {
    name: "sluice.submit.status",
    init: () => ({
      componentStarted: (c) => {
        if (c instanceof StreamingContext) followBatches(c, out);
      },
    }),
  };
}

function followBatches(ssc: StreamingContext, out: NodeJS.WriteStream): void {
  out.write(`sluice: streaming ${ssc.describe()}; Ctrl-C stops gracefully\n`);
  const tty = out.isTTY === true;
  let shown = false;
  let batches = 0;
  let failed = 0;
  ssc.addStreamingListener({
    onBatchStarted: () => {
      if (tty && shown) out.write("\r\x1b[K");
      shown = false;
    },
    onBatchCompleted: (info) => {
      batches++;
      if (info.outputOperations.some((o) => o.failureReason)) failed++;
      const text = `sluice: ${statusText(info, batches, failed, ssc.scheduler.queuedBatches)}`;
      if (tty) {
        out.write(`\r\x1b[K${text.slice(0, Math.max(20, (out.columns ?? 120) - 1))}`);
        shown = true;
      } else out.write(`${text}\n`);
    },
  });
}
