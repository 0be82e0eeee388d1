// Nexmark's q0–q8 written in Sluice's API (bench/nexmark) give, batch by batch, what plain loops
// over the same generated events give.
import assert from "node:assert/strict";
import { test } from "node:test";
import { batchEvents } from "../../bench/nexmark/model.js";
import { oracle } from "../../bench/nexmark/oracle.js";
import { queries } from "../../bench/nexmark/queries.js";
import { runNexmark } from "../../bench/nexmark/run.js";

const PER_BATCH = 2000;
const BATCHES = 22; // two 10 s windows and a part of a third

const canon = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).sort();

test("the generator makes 2% people, 6% auctions, 92% bids, the same for the same event number", () => {
  const events = batchEvents(0, 10_000);
  const share = (k: string) => events.filter((e) => e.kind === k).length / events.length;
  assert.deepEqual([share("person"), share("auction"), share("bid")], [0.02, 0.06, 0.92]);
  assert.deepEqual(batchEvents(3, 100), batchEvents(3, 100));
  assert.ok(
    events.every((e) => e.dateTime >= 0 && e.dateTime < 1000),
    "batch 0 holds the first second",
  );
});

for (const query of Object.keys(queries)) {
  test(`Nexmark ${query} in Sluice equals a plain loop, batch by batch`, async () => {
    const batches = Array.from({ length: BATCHES }, (_, i) => batchEvents(i, PER_BATCH));
    const expected = oracle[query]!(batches);
    const run = await runNexmark(query, { perBatch: PER_BATCH, batches: BATCHES, collect: true });
    assert.deepEqual([...run.outputs.keys()], [...expected.keys()], "batches with output");
    let rows = 0;
    for (const [time, want] of expected) {
      const got = run.outputs.get(time) as unknown[];
      assert.deepEqual(canon(got), canon(want), `${query} at ${time / 1000} s`);
      rows += want.length;
    }
    assert.ok(rows > 0, `${query} gave some output`);
  });
}
