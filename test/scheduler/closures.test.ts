// Functions that read their closure run in worker threads as written (issue 20): captured values,
// helpers (imported ones too), broadcast variables and accumulators reach the workers; what
// cannot cross keeps its stage on the driver, with the reason, and the same result.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { Worker } from "node:worker_threads";
import { SparkContext } from "../../src/index.js";
import { stderrDuring, warningsDuring } from "../helpers/log.js";
import { sorted, tempDir } from "../helpers/context.js";
import * as helpers from "./closure-helpers.js";
import { digits, shout, vowels } from "./closure-helpers.js";

const VOCAB = Array.from({ length: 300 }, (_, i) => `w${i % 7 === 0 ? "a" : "e"}${i}`);
/** 60,000 words: two slices of 30,000, worth shipping. */
const words = Array.from({ length: 60_000 }, (_, i) => VOCAB[(i * 7919) % VOCAB.length]!);
const dir = tempDir("sluice-closures-");
const textPath = join(dir, "words.txt");
writeFileSync(textPath, words.map((w, i) => (i % 10 === 9 ? `${w}\n` : `${w} `)).join(""));

const STOP = new Set(VOCAB.slice(0, 40));
const config = { minLength: 3, tag: "#", weights: new Map([["we1", 5]]) };
const TRAILING_DIGITS = /\d+$/;
function normalize(word: string): string {
  return shout(word.replace(TRAILING_DIGITS, "")) + helpers.vowels(word) + digits(word.length);
}

/** A plain loop computing the word job below. */
function expectedWordJob(): [string, number][] {
  const counts = new Map<string, number>();
  for (const w of words) {
    if (STOP.has(w) || w.length < config.minLength) continue;
    const k = config.tag + normalize(w);
    counts.set(k, (counts.get(k) ?? 0) + (config.weights.get(w) ?? 1) * vowels(w));
  }
  return sorted(counts);
}

interface Run {
  readonly results: Record<string, unknown>;
  /** Per job, where the tasks of its first stage ran. */
  readonly executors: Record<string, string[]>;
}

async function runAll(master: string): Promise<Run> {
  const sc = new SparkContext(master, "closures");
  const results: Record<string, unknown> = {};
  const executors: Record<string, string[]> = {};
  let current = "";
  let firstStage: number | undefined;
  sc.addSparkListener({
    onStageSubmitted: (s) => void (firstStage ??= s.stageId),
    onTaskEnd: (t) => {
      if (t.stageId === firstStage) (executors[current] ??= []).push(t.executor);
    },
  });
  const job = async (name: string, f: () => Promise<unknown>) => {
    current = name;
    firstStage = undefined;
    results[name] = await f();
  };
  try {
    await job("captured values, helpers and imported helpers", () =>
      sc
        .parallelize(words, 2)
        .filter((w) => !STOP.has(w) && w.length >= config.minLength)
        .map((w): [string, number] => [config.tag + normalize(w), (config.weights.get(w) ?? 1) * vowels(w)])
        .reduceByKey((a, b) => a + b)
        .collect()
        .then(sorted),
    );
    const lookup = sc.broadcast(new Map(VOCAB.map((w, i) => [w, i % 3])));
    const seen = sc.accumulator(0);
    const short = sc.accumulator(0);
    await job("a broadcast variable and accumulators, over a text file", async () => {
      const counts = await sc
        .textFile(textPath, 2)
        .flatMap((line) => line.split(" "))
        .map((w): [number, number] => {
          seen.add(1);
          if (w.length < 4) short.add(1);
          return [lookup.value.get(w) ?? -1, 1];
        })
        .reduceByKey((a, b) => a + b)
        .collect()
        .then(sorted);
      return { counts, seen: seen.value, short: short.value };
    });
    const cached = sc
      .parallelize(words, 2)
      .map((w) => normalize(w))
      .cache();
    await job("a cached RDD read by a closure", async () => {
      const first = await cached.map((w): [string, number] => [w, w.length]).countByKey();
      const second = await cached
        .filter((w) => !STOP.has(w))
        .map((w): [string, number] => [w, 1])
        .reduceByKey((a, b) => a + b)
        .collect()
        .then(sorted);
      return { first: sorted(first), second };
    });
  } finally {
    await sc.stop();
  }
  return { results, executors };
}

test("jobs with closures, broadcasts, accumulators, imported helpers and cached RDDs: the same results on local[1], local[2] and local[*], and a plain loop's", async () => {
  const runs = [await runAll("local[1]"), await runAll("local[2]"), await runAll("local[*]")];
  for (const run of runs.slice(1)) assert.deepEqual(run.results, runs[0]!.results);
  assert.deepEqual(runs[0]!.results["captured values, helpers and imported helpers"], expectedWordJob());
  const withShared = runs[0]!.results["a broadcast variable and accumulators, over a text file"] as {
    seen: number;
    short: number;
  };
  assert.equal(withShared.seen, words.length, "each record counted once");
  assert.equal(withShared.short, words.filter((w) => w.length < 4).length);
  // on two threads, the stages reading closures, broadcasts and accumulators ran in workers
  const two = runs[1]!.executors;
  assert.deepEqual(two["captured values, helpers and imported helpers"], ["worker", "worker"]);
  assert.deepEqual(two["a broadcast variable and accumulators, over a text file"], ["worker", "worker"]);
  assert.ok(runs[0]!.executors["captured values, helpers and imported helpers"]!.every((e) => e === "driver"));
});

/** Something a worker cannot have: an instance whose method a function calls. */
class Ledger {
  readonly notes: string[] = [];
  note(w: string): number {
    this.notes.push(w);
    return 1;
  }
}

test("a value that cannot cross keeps the stage on the driver, named with its function in an INFO message, with the same result", async () => {
  const ledger = new Ledger();
  const sc = new SparkContext("local[2]", "closures-driver");
  const executors: string[] = [];
  sc.addSparkListener({ onTaskEnd: (t) => void executors.push(t.executor) });
  let result: [string, number][] = [];
  const messages = await stderrDuring(async () => {
    result = await sc
      .parallelize(words, 2)
      .map((w): [string, number] => [w, ledger.note(w)])
      .reduceByKey((a, b) => a + b)
      .collect()
      .then(sorted);
  }, "INFO");
  await sc.stop();
  const expected = new Map<string, number>();
  for (const w of words) expected.set(w, (expected.get(w) ?? 0) + 1);
  assert.deepEqual(result, sorted(expected));
  assert.equal(ledger.notes.length, words.length, "the driver's instance did the work");
  assert.ok(executors.every((e) => e === "driver"));
  assert.ok(
    messages.some((m) =>
      /runs on the driver's thread: `ledger` \(read by the map function\) is an instance of Ledger, whose methods a worker thread would not have/.test(
        m,
      ),
    ),
    messages.join(""),
  );
});

test("a function assigning to a variable of its closure runs on the driver, so the driver's variable changes as on local[1]", async () => {
  const sc = new SparkContext("local[2]", "closures-assign");
  let longest = 0;
  const messages = await stderrDuring(async () => {
    await sc
      .parallelize(words, 2)
      .map((w): [string, number] => {
        if (w.length > longest) longest = w.length;
        return [w, 1];
      })
      .reduceByKey((a, b) => a + b)
      .count();
  }, "INFO");
  await sc.stop();
  assert.equal(longest, Math.max(...words.map((w) => w.length)));
  assert.ok(
    messages.some((m) => /the map function assigns to `longest` from its closure/.test(m)),
    messages.join(""),
  );
});

test("an accumulator counts a task once: a worker task that fails half way runs again on the driver and its adds are dropped", async () => {
  // `tools.ledger` cannot cross: reading it in a worker throws, and the task runs on the driver
  const tools = { ledger: new Ledger(), every: 1000 };
  const sc = new SparkContext("local[2]", "closures-accumulator");
  const tasks: { stageId: number; executor: string }[] = [];
  sc.addSparkListener({ onTaskEnd: (t) => void tasks.push(t) });
  const added = sc.accumulator(0);
  const pairs = Array.from({ length: 60_000 }, (_, i) => i);
  const total = await sc
    .parallelize(pairs, 2)
    .map((i): [number, number] => {
      added.add(1);
      // half way through the second slice, a record needs the driver's ledger
      if (i === 45_000) tools.ledger.note(String(i));
      return [i % tools.every, 1];
    })
    .reduceByKey((a, b) => a + b)
    .count();
  await sc.stop();
  assert.equal(total, 1000);
  assert.equal(added.value, pairs.length, "every record counted exactly once");
  assert.deepEqual(tools.ledger.notes, ["45000"]);
  const mapStage = Math.min(...tasks.map((t) => t.stageId));
  assert.deepEqual(
    tasks
      .filter((t) => t.stageId === mapStage)
      .map((t) => t.executor)
      .sort(),
    ["driver", "worker"],
    "the first slice in a worker, the second on the driver",
  );
});

test("a broadcast variable reaches each worker once; unpersist drops the copies; destroy fails the job as on the driver", async () => {
  const sent: number[] = [];
  const post = Worker.prototype.postMessage;
  Worker.prototype.postMessage = function (
    this: Worker,
    msg: unknown,
    transfer?: Parameters<Worker["postMessage"]>[1],
  ) {
    const broadcasts = (msg as { broadcasts?: [number, unknown][] } | undefined)?.broadcasts;
    for (const [id] of broadcasts ?? []) sent.push(id);
    return post.call(this, msg, transfer);
  };
  const sc = new SparkContext("local[2]", "closures-broadcast");
  try {
    const b = sc.broadcast(new Set(VOCAB.slice(0, 100)));
    const job = () =>
      sc
        .parallelize(words, 2)
        .filter((w) => b.value.has(w))
        .map((w): [string, number] => [w, 1])
        .reduceByKey((x, y) => x + y)
        .count();
    const first = await job();
    assert.equal(first, 100);
    for (let i = 0; i < 3; i++) assert.equal(await job(), first);
    assert.deepEqual(sent, [b.id, b.id], "one copy per worker for four jobs of two tasks");
    b.unpersist();
    assert.equal(await job(), first, "still readable after unpersist");
    assert.deepEqual(sent, [b.id, b.id, b.id, b.id], "sent again after unpersist");
    b.destroy();
    await assert.rejects(job(), /after it was destroyed/);
  } finally {
    Worker.prototype.postMessage = post;
    await sc.stop();
  }
});

test("a big captured value is shipped, with one warning that a broadcast variable would send it once per worker", async () => {
  const sc = new SparkContext("local[2]", "closures-big");
  // the vocabulary's 300 words and 200,000 others: about 16 MB
  const table = new Map([
    ...Array.from({ length: 200_000 }, (_, i): [string, number] => [`other${i}`, -1]),
    ...VOCAB.map((w, i): [string, number] => [w, i % 7]),
  ]);
  const job = () =>
    sc
      .parallelize(words, 2)
      .map((w): [number, number] => [table.get(w) ?? -1, 1])
      .reduceByKey((a, b) => a + b)
      .count();
  let counts: number[] = [];
  const warnings = await warningsDuring(async () => {
    counts = [await job(), await job()];
  });
  await sc.stop();
  assert.deepEqual(counts, [7, 7], "the vocabulary's words map to 0…6");
  assert.equal(warnings.filter((w) => /`table` \(read by the map function\) is about \d+ MB/.test(w)).length, 1);
  assert.match(warnings.join(""), /sc\.broadcast\(value\) sends it once per worker/);
});
