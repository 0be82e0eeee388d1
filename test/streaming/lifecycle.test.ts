import assert from "node:assert/strict";
import { test } from "node:test";
import {
  IllegalArgumentError,
  IllegalStateError,
  ManualClock,
  SparkContext,
  StreamingContext,
  StreamingJobError,
} from "../../src/index.js";
import { collectBatches, runBatches } from "../helpers/streaming.js";

function newContexts(batch = 1) {
  const sc = SparkContext.getOrCreate();
  const clock = new ManualClock();
  const ssc = new StreamingContext(sc, batch, { clock, out: () => {} });
  return { sc, ssc, clock };
}

test("nothing runs before start(); states go INITIALIZED → ACTIVE → STOPPED", async () => {
  const { ssc, clock } = newContexts();
  const batches = collectBatches(ssc.queueStream([[1], [2]]));
  assert.equal(ssc.getState(), "INITIALIZED");
  clock.advance(5000);
  assert.deepEqual(batches, []);
  ssc.start();
  assert.equal(ssc.getState(), "ACTIVE");
  assert.equal(StreamingContext.getActive(), ssc);
  await runBatches({ ssc, clock }, 2);
  assert.deepEqual(
    batches,
    [
      [6000, [1]],
      [7000, [2]],
    ],
    "the first batch is the first multiple of the interval after start",
  );
  await ssc.stop(false);
  assert.equal(ssc.getState(), "STOPPED");
  assert.equal(StreamingContext.getActive(), null);
});

test("start() without an output operation fails and leaves the context STOPPED", async () => {
  const { ssc } = newContexts();
  ssc.queueStream([[1]]).map((x) => x);
  assert.throws(
    () => ssc.start(),
    (e: unknown) =>
      e instanceof IllegalArgumentError && /No output operations registered, so nothing to execute/.test(e.message),
  );
  assert.equal(ssc.getState(), "STOPPED");
  assert.throws(() => ssc.start(), /StreamingContext has already been stopped/);
});

test("no new streams or outputs after start, nor after stop; a stopped context cannot restart", async () => {
  const { ssc } = newContexts();
  const s = ssc.queueStream([[1]]);
  s.pprint();
  ssc.start();
  ssc.start(); // a warning, no error, as in Spark
  assert.throws(
    () => s.map((x) => x),
    (e: unknown) => e instanceof IllegalStateError && /after starting a context is not supported/.test(e.message),
  );
  assert.throws(() => s.pprint(), /after starting a context/);
  assert.throws(() => ssc.queueStream([[2]]), /after starting a context/);
  await ssc.stop(false);
  assert.throws(() => s.map((x) => x), /after stopping a context is not supported/);
  assert.throws(() => ssc.start(), /already been stopped/);
});

test("only one StreamingContext may be active; one SparkContext serves several in turn", async () => {
  const { sc, ssc } = newContexts();
  ssc.queueStream([[1]]).pprint();
  ssc.start();
  const other = new StreamingContext(sc, 1, { clock: new ManualClock(), out: () => {} });
  other.queueStream([[1]]).pprint();
  assert.throws(() => other.start(), /Only one StreamingContext may be started in this process/);
  await ssc.stop(false);
  assert.equal(sc.isStopped, false, "stop(false) keeps the SparkContext");
  const third = new StreamingContext(sc, 1, { clock: new ManualClock(), out: () => {} });
  third.queueStream([[1]]).pprint();
  third.start();
  await third.stop(true);
  assert.equal(sc.isStopped, true, "stop() stops the SparkContext by default");
});

test("stop() before start() stops the SparkContext when asked; stop twice is harmless", async () => {
  const { sc, ssc } = newContexts();
  await ssc.stop();
  await ssc.stop();
  assert.equal(ssc.getState(), "STOPPED");
  assert.equal(sc.isStopped, true);
});

test("invalid batch durations throw at the call, naming the value", () => {
  const sc = SparkContext.getOrCreate();
  assert.throws(() => new StreamingContext(sc, 0), /batch duration must be > 0 seconds, got 0/);
  assert.throws(() => new StreamingContext(sc, -3), /got -3/);
  assert.throws(() => new StreamingContext(sc, 0.0004), /must be > 0 seconds|whole number of milliseconds/);
  assert.throws(() => new StreamingContext(sc, 0.0015), /0.0015s is not a whole number of milliseconds/);
  assert.equal(new StreamingContext(sc, 0.5).batchDuration, 0.5);
});

test("awaitTerminationOrTimeout gives false on timeout and true once stopped; awaitTermination resolves on stop", async () => {
  const { ssc } = newContexts();
  ssc.queueStream([[1]]).pprint();
  ssc.start();
  assert.equal(await ssc.awaitTerminationOrTimeout(0.01), false);
  const waiting = ssc.awaitTermination();
  const stopped = ssc.stop(false);
  await waiting;
  await stopped;
  assert.equal(await ssc.awaitTerminationOrTimeout(5), true);
});

test("a failing batch job reaches awaitTermination with the batch time and operation; later batches still run", async () => {
  const { ssc, clock } = newContexts();
  const s = ssc.queueStream([["1", "2"], ["x"], ["3"]]).map((v) => {
    const n = Number(v);
    if (Number.isNaN(n)) throw new TypeError(`not a number: "${v}"`);
    return n;
  });
  const batches = collectBatches(s);
  ssc.start();
  const failure = assert.rejects(ssc.awaitTermination(), (e: unknown) => {
    assert.ok(e instanceof StreamingJobError);
    assert.equal(e.batchTime, 2000);
    assert.equal(e.operation, "foreachRDD");
    assert.match(
      e.message,
      /output operation 0 \(foreachRDD\) of batch .* \[2000 ms\] failed: TaskFailedError: .*TypeError: not a number: "x"/,
    );
    return true;
  });
  await runBatches({ ssc, clock }, 3);
  await failure;
  assert.deepEqual(batches, [
    [1000, [1, 2]],
    [3000, [3]],
  ]);
  await assert.rejects(ssc.awaitTerminationOrTimeout(1), StreamingJobError);
  await ssc.stop(false);
});

test("a transform function that throws fails that batch's job, naming the operation", async () => {
  const { ssc, clock } = newContexts();
  ssc
    .queueStream([[1], [2]])
    .transform((rdd) => {
      if (rdd.getNumPartitions() > 0) throw new RangeError("bad transform");
      return rdd;
    })
    .pprint();
  ssc.start();
  const failure = assert.rejects(
    ssc.awaitTermination(),
    /output operation 0 \(pprint\) of batch .* failed: RangeError: bad transform/,
  );
  await runBatches({ ssc, clock }, 1);
  await failure;
  await ssc.stop();
});
