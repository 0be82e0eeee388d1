import assert from "node:assert/strict";
import { test } from "node:test";
import type { EventWindow } from "../../src/index.js";
import { sorted, tempDir } from "../helpers/context.js";
import { collectBatches, runBatches, streamingFixture } from "../helpers/streaming.js";

const checkpointDir = tempDir();
type Click = { ts: number; page: string };
const click = (ts: number, page: string): Click => ({ ts, page });
const plain = (rows: [EventWindow, ...unknown[]][]) =>
  sorted(rows.map(([w, ...rest]) => [w.start.getTime(), w.end.getTime(), ...rest]));

// Event times in ms; batches arrive every second of processing time.
const batches: Click[][] = [
  [click(1_000, "home"), click(12_000, "cart")],
  [click(5_000, "home"), click(25_000, "home")], // 5 s is late but its window is still open
  [click(3_000, "cart"), click(41_000, "home")], // 3 s is too late: its window closed
  [],
  [],
];

test("tumbling event-time windows: late records counted in while open, dropped once the watermark passes; windows emitted once, then freed", async () => {
  const f = streamingFixture(1);
  f.ssc.checkpoint(checkpointDir);
  const events = f.ssc
    .queueStream(batches.map((b) => [...b]))
    .withEventTime((c) => c.ts)
    .withWatermark(5);
  const counts = events.windowByEventTime(10).count();
  const got = collectBatches(counts);
  f.ssc.start();
  await runBatches(f, batches.length);
  // watermark before each batch: -inf, 12-5=7 s, 25-5=20 s, 41-5=36 s, 36 s
  assert.deepEqual(
    got.map(([, r]) => plain(r)),
    [
      [],
      [],
      [
        [0, 10_000, 2],
        [10_000, 20_000, 1],
      ], // ended at or before 20 s
      [[20_000, 30_000, 1]], // ended before 36 s; [40, 50) stays open
      [],
    ],
  );
  assert.equal(counts.droppedLateRecords(), 1);
  assert.equal(counts.watermark().getTime(), 36_000);
  // the state now holds only the window still open, [40 s, 50 s)
  const stateStream = f.ssc.graph.streams.find((s) => s.node.kind === "EventTimeWindowDStream")!;
  const kept = (await stateStream.generatedAt(5000)!.collect()).filter((r) => (r as unknown[])[0] === 0);
  assert.deepEqual(kept, [[0, [40_000, null], 1]]);
});

test("sliding event-time windows per key equal a brute-force count over the records kept", async () => {
  const f = streamingFixture(1);
  f.ssc.checkpoint(checkpointDir);
  const stream = f.ssc.queueStream(batches.map((b) => b.map((c): [string, number] => [c.page, c.ts])));
  const result = stream
    .withEventTime(([, ts]) => ts)
    .withWatermark(5)
    .windowByEventTime(10, 5)
    .reduceByKey((a, b) => Math.max(a, b));
  const got = collectBatches(result);
  f.ssc.start();
  await runBatches(f, batches.length + 2);
  // brute force: every record except the dropped one (3 s cart), in windows [s, s+10) with s a multiple of 5
  const kept = batches.flat().filter((c) => c.ts !== 3_000);
  const expected = new Map<string, number>();
  for (const c of kept) {
    for (let s = Math.floor(c.ts / 5000) * 5000; s > c.ts - 10_000; s -= 5000) {
      const id = `${s}|${c.page}`;
      expected.set(id, Math.max(expected.get(id) ?? -Infinity, c.ts));
    }
  }
  const emitted = got.flatMap(([, rows]) =>
    rows.map(([w, page, max]) => [`${w.start.getTime()}|${page}`, max] as [string, number]),
  );
  const closed = [...expected].filter(([id]) => Number(id.split("|")[0]) + 10_000 <= 36_000);
  assert.deepEqual(sorted(emitted), sorted(closed), "each closed window is emitted exactly once, with the right value");
  assert.equal(result.droppedLateRecords(), 1);
});

test("update mode emits a window each batch it changes", async () => {
  const f = streamingFixture(1);
  f.ssc.checkpoint(checkpointDir);
  const counts = f.ssc
    .queueStream(batches.map((b) => [...b]))
    .withEventTime((c) => c.ts)
    .withWatermark(5)
    .windowByEventTime(10, 10, "update")
    .count();
  const got = collectBatches(counts);
  f.ssc.start();
  await runBatches(f, 3);
  assert.deepEqual(
    got.map(([, r]) => plain(r)),
    [
      [
        [0, 10_000, 1],
        [10_000, 20_000, 1],
      ],
      [
        [0, 10_000, 2],
        [20_000, 30_000, 1],
      ],
      [[40_000, 50_000, 1]],
    ],
  );
});

test("event-time arguments are checked at the call", () => {
  const f = streamingFixture(1);
  const events = f.ssc.queueStream([[click(1, "x")]]).withEventTime((c) => c.ts);
  assert.throws(() => events.withWatermark(-1), /watermark delay must be >= 0 seconds, got -1/);
  assert.throws(
    () => events.windowByEventTime(10, 3),
    /event-time window duration 10s is not a multiple of its slide 3s/,
  );
  assert.throws(() => events.windowByEventTime(0), /must be > 0 seconds/);
});
