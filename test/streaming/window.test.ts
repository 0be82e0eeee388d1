import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import type { DStream } from "../../src/index.js";
import { sorted, tempDir } from "../helpers/context.js";
import { collectBatches, runBatches, streamingFixture } from "../helpers/streaming.js";

/** The batches of a window ending at batch k (1-based) of length w batches: (k - w, k], existing ones only. */
function windowOf<T>(batches: T[][], k: number, w: number): T[] {
  return batches.slice(Math.max(0, k - w), k).flat();
}

/** Per-key sums of pairs, plainly. */
function sums(pairs: [string, number][]): [string, number][] {
  const m = new Map<string, number>();
  for (const [k, v] of pairs) m.set(k, (m.get(k) ?? 0) + v);
  return sorted(m);
}

const words = [["a", "b", "a"], ["b"], [], ["c", "a"], ["a"], ["b", "b", "c"], [], ["d"], [], []];

test("every windowed operation equals a brute-force recomputation at every window position, early ones included", async () => {
  const f = streamingFixture(1);
  f.ssc.checkpoint(tempDir());
  const stream = f.ssc.queueStream(words.map((b) => [...b]));
  const pairs = stream.map((w): [string, number] => [w, 1]);
  const W = 3;
  const S = 2;
  const results = {
    window: collectBatches(stream.window(W, S)),
    windowDefaultSlide: collectBatches(stream.window(W)),
    countByWindow: collectBatches(stream.countByWindow(W, S)),
    reduceByWindow: collectBatches(stream.map((w) => w.length).reduceByWindow((a, b) => a + b, null, W, S)),
    reduceByWindowInv: collectBatches(
      stream
        .map((w) => w.length)
        .reduceByWindow(
          (a, b) => a + b,
          (a, b) => a - b,
          W,
          S,
        ),
    ),
    plain: collectBatches(pairs.reduceByKeyAndWindow((a, b) => a + b, null, W, S)),
    inverse: collectBatches(
      pairs.reduceByKeyAndWindow(
        (a, b) => a + b,
        (a, b) => a - b,
        W,
        S,
        3,
        ([, n]) => n > 0,
      ),
    ),
    countByValue: collectBatches(stream.countByValueAndWindow(W, S)),
    groupBy: collectBatches(pairs.groupByKeyAndWindow(W, S)),
  };
  f.ssc.start();
  await runBatches(f, words.length);
  const slideTimes = [2, 4, 6, 8, 10];
  for (const [name, batches] of Object.entries(results)) {
    const expectedTimes =
      name === "windowDefaultSlide" ? words.map((_, i) => (i + 1) * 1000) : slideTimes.map((k) => k * 1000);
    assert.deepEqual(
      batches.map(([t]) => t),
      expectedTimes,
      `${name} runs every slide`,
    );
  }
  for (const [i, k] of slideTimes.entries()) {
    const inWindow = windowOf(words, k, W);
    const keyed = inWindow.map((w): [string, number] => [w, 1]);
    assert.deepEqual(sorted(results.window[i]![1]), sorted(inWindow), `window at ${k}`);
    assert.deepEqual(results.countByWindow[i]![1], [inWindow.length], `countByWindow at ${k}`);
    const lengths = inWindow.reduce((a, w) => a + w.length, 0);
    assert.deepEqual(results.reduceByWindow[i]![1], inWindow.length ? [lengths] : [], `reduceByWindow at ${k}`);
    // the incremental form keeps its single key once it has one, at 0 when the window empties
    assert.deepEqual(results.reduceByWindowInv[i]![1], [lengths], `reduceByWindow with inverse at ${k}`);
    assert.deepEqual(sorted(results.plain[i]![1]), sums(keyed), `reduceByKeyAndWindow at ${k}`);
    assert.deepEqual(sorted(results.inverse[i]![1]), sums(keyed), `reduceByKeyAndWindow with invFunc at ${k}`);
    assert.deepEqual(sorted(results.countByValue[i]![1]), sums(keyed), `countByValueAndWindow at ${k}`);
    assert.deepEqual(
      sorted(results.groupBy[i]![1].map(([key, vs]) => [key, vs.length])),
      sums(keyed),
      `groupByKeyAndWindow at ${k}`,
    );
  }
  for (let k = 1; k <= words.length; k++) {
    assert.deepEqual(sorted(results.windowDefaultSlide[k - 1]![1]), sorted(windowOf(words, k, W)), `window(W) at ${k}`);
  }
});

test("without filterFunc the incremental form keeps keys whose count fell to zero (Scala's behaviour)", async () => {
  const f = streamingFixture(1);
  f.ssc.checkpoint(tempDir());
  const pairs = f.ssc.queueStream([["x"], ["y"], [], []]).map((w): [string, number] => [w, 1]);
  const got = collectBatches(
    pairs.reduceByKeyAndWindow(
      (a, b) => a + b,
      (a, b) => a - b,
      2,
      1,
    ),
  );
  f.ssc.start();
  await runBatches(f, 4);
  assert.deepEqual(
    got.map(([, r]) => sorted(r)),
    [
      [["x", 1]],
      [
        ["x", 1],
        ["y", 1],
      ],
      [
        ["x", 0],
        ["y", 1],
      ],
      [
        ["x", 0],
        ["y", 0],
      ],
    ],
  );
});

test("an incremental slide calls func and invFunc for the batches that moved, not for the whole window", async () => {
  const callsPerSlide: number[] = [];
  for (const windowBatches of [4, 16]) {
    const f = streamingFixture(1);
    f.ssc.checkpoint(tempDir());
    const perBatch = Array.from({ length: 24 }, (_, i) => Array.from({ length: 5 }, (_, j) => `k${(i + j) % 7}`));
    let calls = 0;
    const pairs = f.ssc.queueStream(perBatch).map((w): [string, number] => [w, 1]);
    const counted = pairs.reduceByKeyAndWindow(
      (a, b) => {
        calls++;
        return a + b;
      },
      (a, b) => {
        calls++;
        return a - b;
      },
      windowBatches,
      1,
    );
    const seen: number[] = [];
    counted.foreachRDD(async (rdd) => {
      await rdd.count();
      seen.push(calls);
    });
    f.ssc.start();
    await runBatches(f, 24);
    // steady state: the last slides, long after the window filled up
    callsPerSlide.push(seen[23]! - seen[22]!);
    await f.ssc.stop();
  }
  assert.equal(callsPerSlide[0], callsPerSlide[1], `calls per slide for windows of 4 and 16 batches: ${callsPerSlide}`);
  assert.ok(callsPerSlide[0]! <= 5 * 3, `a slide's work is about two batches' worth, got ${callsPerSlide[0]}`);
});

test("the incremental reduce equals the plain reduce for random streams (property)", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(
        fc.array(fc.tuple(fc.constantFrom("a", "b", "c", "d"), fc.integer({ min: -20, max: 20 })), { maxLength: 6 }),
        { minLength: 1, maxLength: 12 },
      ),
      fc.integer({ min: 1, max: 4 }),
      fc.integer({ min: 1, max: 3 }),
      async (batches, slideBatches, extra) => {
        const f = streamingFixture(1);
        f.ssc.checkpoint(tempDir());
        const W = slideBatches * extra + (extra > 1 ? 0 : slideBatches);
        const pairs = f.ssc.queueStream(batches.map((b) => [...b] as [string, number][]));
        const plain = collectBatches(pairs.reduceByKeyAndWindow((a, b) => a + b, null, W, slideBatches));
        const inv = collectBatches(
          pairs.reduceByKeyAndWindow(
            (a, b) => a + b,
            (a, b) => a - b,
            W,
            slideBatches,
          ),
        );
        f.ssc.start();
        await runBatches(f, batches.length + W);
        for (const [i, [t, got]] of inv.entries()) {
          const k = t / 1000;
          const expected = sums(windowOf(batches, k, W));
          const keysSeen = new Set<string>(
            batches
              .slice(0, k)
              .flat()
              .map(([key]) => key),
          );
          // incremental keeps keys seen since the stream began (value 0 when gone); plain shows the window's keys
          assert.deepEqual(
            sorted(got.filter(([key]) => expected.some(([e]) => e === key))),
            expected,
            `inverse at ${t}`,
          );
          assert.ok(
            got.every(([key, v]) => keysSeen.has(key) && (expected.some(([e]) => e === key) || v === 0)),
            `extra keys are zeros at ${t}`,
          );
          assert.deepEqual(sorted(plain[i]![1]), expected, `plain at ${t}`);
        }
        await f.ssc.stop();
      },
    ),
    { numRuns: 25 },
  );
});

test("window and slide must be positive multiples of the parent's slide, named in the error", () => {
  const f = streamingFixture(2);
  const s: DStream<string> = f.ssc.queueStream([["a"]]);
  assert.throws(() => s.window(7), /window duration 7s is not a multiple of the parent's slide 2s/);
  assert.throws(() => s.window(4, 3), /slide duration 3s is not a multiple of the parent's slide 2s/);
  assert.throws(() => s.window(0), /window duration must be > 0 seconds, got 0/);
  assert.throws(() => s.window(4, -2), /slide duration must be > 0 seconds, got -2/);
  const w = s.window(4, 4);
  assert.throws(
    () => w.window(6, 4),
    /window duration 6s is not a multiple of the parent's slide 4s/,
    "a window over a window checks the windowed slide",
  );
  assert.throws(
    () => s.map((x): [string, number] => [x, 1]).reduceByKeyAndWindow((a, b) => a + b, null, 5, 2),
    /5s is not a multiple of the parent's slide 2s/,
  );
});

test("operations that keep state fail at start() without a checkpoint directory", async () => {
  for (const build of [
    (s: DStream<string>) => s.countByWindow(2, 2),
    (s: DStream<string>) => s.countByValueAndWindow(2, 2),
    (s: DStream<string>) =>
      s
        .map((x): [string, number] => [x, 1])
        .reduceByKeyAndWindow(
          (a, b) => a + b,
          (a, b) => a - b,
          2,
          2,
        ),
    (s: DStream<string>) =>
      s
        .map((x): [string, number] => [x, 1])
        .updateStateByKey((v: number[], st: number | undefined) => (st ?? 0) + v.length),
    (s: DStream<string>) => s.map((x): [string, number] => [x, 1]).groupByKeyAndWindow(2, 2),
  ]) {
    const f = streamingFixture(1);
    (build(f.ssc.queueStream([["a"]])) as DStream<unknown>).pprint();
    assert.throws(
      () => f.ssc.start(),
      /The checkpoint directory has not been set. Please set it by StreamingContext.checkpoint\(\)/,
    );
    await f.ssc.stop();
  }
});
