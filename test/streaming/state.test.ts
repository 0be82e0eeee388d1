import assert from "node:assert/strict";
import { test } from "node:test";
import { NoSuchElementError, State, StateSpec, type RDD } from "../../src/index.js";
import { sorted, tempDir } from "../helpers/context.js";
import { collectBatches, runBatches, streamingFixture } from "../helpers/streaming.js";

const checkpointDir = tempDir();
const batches = [["a", "b", "a"], [], ["b", "c"], ["stop"], ["a"]];

test("updateStateByKey keeps running totals, calls update for every key each batch, and drops keys on undefined", async () => {
  const f = streamingFixture(1);
  f.ssc.checkpoint(checkpointDir);
  const calls: [number, string, number[], number | undefined][] = [];
  let batch = 0;
  f.ssc.queueStream(batches.map((b) => [...b])).foreachRDD((_rdd) => {
    batch++;
  });
  const pairs = f.ssc.queueStream(batches.map((b) => [...b])).map((w): [string, number] => [w, 1]);
  const totals = pairs.updateStateByKey(
    (values: number[], old: number | undefined) => {
      if (values.length === 0 && old === 2) return undefined; // a key that went quiet at 2 is dropped
      return values.reduce((a, b) => a + b, old ?? 0);
    },
    2,
    [["z", 10]],
  );
  const got = collectBatches(totals);
  const traced = pairs.updateStateByKey((values: number[], old: number | undefined) => {
    calls.push([batch, "", [...values], old]);
    return (old ?? 0) + values.length;
  });
  traced.count().pprint();
  f.ssc.start();
  await runBatches(f, batches.length);

  // a plain loop over the same batches
  let state = new Map<string, number>([["z", 10]]);
  const expected: [string, number][][] = [];
  for (const b of batches) {
    const counts = new Map<string, number>();
    for (const w of b) counts.set(w, (counts.get(w) ?? 0) + 1);
    const next = new Map<string, number>();
    for (const key of new Set([...state.keys(), ...counts.keys()])) {
      const old = state.get(key);
      const n = counts.get(key) ?? 0;
      if (n === 0 && old === 2) continue;
      next.set(key, (old ?? 0) + n);
    }
    state = next;
    expected.push(sorted(state));
  }
  assert.deepEqual(
    got.map(([, r]) => sorted(r)),
    expected,
  );
  assert.deepEqual(
    got.map(([t]) => t),
    [1000, 2000, 3000, 4000, 5000],
  );
  // the empty second batch still called update for the keys a and b with no values
  const secondBatch = calls.filter(([b]) => b === 2).map(([, , v, o]) => [v, o]);
  assert.deepEqual(
    sorted(secondBatch),
    sorted([
      [[], 2],
      [[], 1],
    ]),
  );
});

test("state RDDs are cut from their lineage each batch, so it never grows", async () => {
  const f = streamingFixture(1);
  f.ssc.checkpoint(checkpointDir);
  const state = f.ssc
    .queueStream(Array.from({ length: 30 }, (_, i) => [`k${i % 5}`]))
    .map((w): [string, number] => [w, 1])
    .updateStateByKey((v: number[], s: number | undefined) => (s ?? 0) + v.length);
  const depth: number[] = [];
  state.foreachRDD((rdd: RDD<[string, number]>) => {
    depth.push(rdd.toDebugString().split("\n").length);
  });
  f.ssc.start();
  await runBatches(f, 30);
  assert.equal(depth[29], depth[5], `lineage depth stays ${depth[5]} (was ${depth[29]} after 30 batches)`);
});

test("mapWithState calls the function once per record, keeps state, and times out idle keys once", async () => {
  const f = streamingFixture(1);
  f.ssc.checkpoint(checkpointDir);
  const calls: string[] = [];
  const spec = StateSpec.function((word: string, one: number | undefined, state: State<number>) => {
    if (state.isTimingOut()) {
      calls.push(`${word} timed out at ${state.get()}`);
      return `${word}:bye`;
    }
    if (word === "stop") {
      state.remove();
      return "stop:removed";
    }
    const total = (state.getOption() ?? 0) + (one ?? 0);
    state.update(total);
    calls.push(`${word}+${one}`);
    return `${word}=${total}`;
  })
    .timeout(2)
    .initialState(f.sc.parallelize([["c", 100]] as [string, number][]))
    .numPartitions(3);
  const pairs = f.ssc.queueStream(batches.map((b) => [...b])).map((w): [string, number] => [w, 1]);
  const mapped = pairs.mapWithState(spec);
  const out = collectBatches(mapped);
  const snapshots = collectBatches(mapped.stateSnapshots());
  f.ssc.start();
  await runBatches(f, batches.length + 3);
  assert.deepEqual(
    out.map(([, r]) => sorted(r)),
    [
      sorted(["a=1", "b=1", "a=2"]),
      [],
      sorted(["b=2", "c=101"]),
      sorted(["stop:removed", "a:bye"]), // a last had data at 1 s: before 4 s − the 2 s timeout
      ["a=1"],
      sorted(["b:bye", "c:bye"]), // b and c last had data at 3 s: before 6 s − 2 s
      [],
      ["a:bye"],
    ],
  );
  assert.deepEqual(
    snapshots.map(([, r]) => sorted(r)),
    [
      [
        ["a", 2],
        ["b", 1],
        ["c", 100],
      ],
      [
        ["a", 2],
        ["b", 1],
        ["c", 100],
      ],
      [
        ["a", 2],
        ["b", 2],
        ["c", 101],
      ],
      [
        ["b", 2],
        ["c", 101],
      ],
      [
        ["a", 1],
        ["b", 2],
        ["c", 101],
      ],
      [["a", 1]],
      [["a", 1]],
      [],
    ],
  );
  assert.equal(calls.filter((c) => c.includes("timed out")).length, 4, "each key times out once");
});

test("State enforces Spark's rules", () => {
  assert.throws(
    () => new State<number>(undefined).get(),
    (e: unknown) => e instanceof NoSuchElementError && e.message === "State is not set",
  );
  const s = new State<number>({ value: 1 });
  s.remove();
  assert.throws(() => s.update(2), /Cannot update the state after it has been removed/);
  assert.throws(() => s.remove(), /Cannot remove the state that has already been removed/);
  const t = new State<number>({ value: 1 }, true);
  assert.throws(() => t.update(2), /Cannot update the state that is timing out/);
  assert.throws(() => t.remove(), /Cannot remove the state that is timing out/);
  assert.equal(t.get(), 1);
  assert.throws(() => StateSpec.function(() => 0).timeout(0), /StateSpec timeout must be > 0 seconds/);
});
