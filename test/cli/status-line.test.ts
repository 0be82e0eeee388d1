import assert from "node:assert/strict";
import { test } from "node:test";
import { statusLinePlugin } from "../../src/cli/status-line.js";
import { SparkContext } from "../../src/index.js";
import { BATCHES, uiJob } from "../helpers/ui-job.js";

/** A time as local hh:mm:ss (the status line shows batch times as pprint does). */
const local = (t: number) => new Date(t).toTimeString().slice(0, 8);

/** A stream that records what is written, as a terminal or a pipe. */
function fakeStream(isTTY: boolean) {
  const written: string[] = [];
  return {
    written,
    stream: { isTTY, columns: 200, write: (s: string) => (written.push(s), true) } as unknown as NodeJS.WriteStream,
  };
}

test("sluice submit's status: one line rewritten in place on a terminal, plain lines elsewhere", async () => {
  const tty = fakeStream(true);
  const pipe = fakeStream(false);
  SparkContext.registerPlugin(statusLinePlugin(tty.stream));
  SparkContext.registerPlugin(statusLinePlugin(pipe.stream));
  // a job whose receiver gets 2 lines, then 3, then none
  const { ssc, runBatch } = await uiJob();
  for (let i = 0; i < BATCHES.length; i++) await runBatch(i);
  await ssc.stop();
  // first the job's line, as the context starts
  for (const w of [tty, pipe])
    assert.match(
      w.written.shift()!,
      /^sluice: streaming app "[^"]+" \(local\[2\]\): batch interval 1s, 1 receiver\(s\)/,
    );
  assert.deepEqual(
    pipe.written.map((l) => l.replace(/processing \d+ ms, delay \d+ ms/, "processing T, delay T")),
    [
      `sluice: batch ${local(1000)}: 2 records, processing T, delay T; 1 batches\n`,
      `sluice: batch ${local(2000)}: 3 records, processing T, delay T; 2 batches\n`,
      `sluice: batch ${local(3000)}: 0 records, processing T, delay T; 3 batches\n`,
    ],
  );
  // on a terminal: each status starts by clearing the line and never ends it; a batch start clears it
  assert.ok(tty.written.every((w) => w.startsWith("\r\x1b[K") && !w.includes("\n")));
  const statuses = tty.written.filter((w) => w.includes("batch "));
  assert.equal(statuses.length, 3);
  assert.equal(tty.written.filter((w) => w === "\r\x1b[K").length, 2, "cleared before batches 2 and 3 ran");
});
