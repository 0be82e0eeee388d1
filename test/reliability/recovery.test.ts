import assert from "node:assert/strict";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { ManualClock, SparkContext, StreamingContext, type RDD } from "../../src/index.js";
import { CheckpointError } from "../../src/checkpoint/errors.js";
import { CheckpointManager } from "../../src/checkpoint/checkpoint-manager.js";
import { WriteAheadLog } from "../../src/checkpoint/wal.js";
import { sorted, tempDir } from "../helpers/context.js";

const B = 1000;
const T0 = 1_800_000_000_000; // a multiple of B

/** Writes a file of words into `dir` with modification time `mtime` (atomically, via rename). */
function drop(dir: string, name: string, words: string[], mtime: number): void {
  const tmp = join(dir, "..", `${name}.staging`);
  writeFileSync(tmp, words.join("\n") + "\n");
  utimesSync(tmp, mtime / 1000, mtime / 1000);
  renameSync(tmp, join(dir, name));
}

/** The job under test: windowed counts with an inverse function, and running totals. */
function setup(
  input: string,
  sink: Map<number, { win: [string, number][]; total: [string, number][] }>,
  clock: ManualClock,
  windowSeconds = 3,
  snapshotSeconds?: number,
) {
  return () => {
    const sc = new SparkContext("local[2]", "recovery");
    const ssc = new StreamingContext(sc, B / 1000, { clock, out: () => {} });
    const pairs = ssc.textFileStream(input).map((w): [string, number] => [w, 1]);
    const record = (key: "win" | "total") => async (time: Date, rdd: RDD<[string, number]>) => {
      const entry = sink.get(time.getTime()) ?? { win: [], total: [] };
      entry[key] = sorted(await rdd.collect());
      sink.set(time.getTime(), entry);
    };
    const win = pairs.reduceByKeyAndWindow(
      (a, b) => a + b,
      (a, b) => a - b,
      windowSeconds,
      1,
      2,
      ([, n]) => n > 0,
    );
    const total = pairs.updateStateByKey((v: number[], s: number | undefined) => v.length + (s ?? 0), 2);
    if (snapshotSeconds) {
      win.checkpoint(snapshotSeconds);
      total.checkpoint(snapshotSeconds);
    }
    win.foreachRDD(record("win"));
    total.foreachRDD(record("total"));
    return ssc;
  };
}

const words = [["a", "b"], ["a"], ["c", "c"], ["b"], [], ["a", "d"], ["d"], ["b", "a"], [], ["c"]];

async function runBatches(ssc: StreamingContext, clock: ManualClock, n: number) {
  for (let i = 0; i < n; i++) {
    clock.advance(B);
    await ssc.scheduler.whenIdle();
  }
}

/** Runs the reference job and a job interrupted after `stopAfter` batches, `damage` applied before resuming. */
async function interruptedRun(
  root: string,
  stopAfter: number,
  damage: (checkpoint: string) => void,
  snapshotSeconds?: number,
) {
  const expected = new Map<number, { win: [string, number][]; total: [string, number][] }>();
  const refInput = join(root, "in-ref");
  mkdirSync(refInput);
  let clock = new ManualClock(T0);
  let ssc = StreamingContext.getOrCreate(join(root, "ck-ref"), setup(refInput, expected, clock, 3, snapshotSeconds));
  words.forEach((w, i) => drop(refInput, `f${i}`, w, T0 + i * B + 500));
  ssc.start();
  await runBatches(ssc, clock, words.length);
  await ssc.stop();
  const got = new Map<number, { win: [string, number][]; total: [string, number][] }>();
  const input = join(root, "in");
  mkdirSync(input);
  const checkpoint = join(root, "ck");
  clock = new ManualClock(T0);
  ssc = StreamingContext.getOrCreate(checkpoint, setup(input, got, clock, 3, snapshotSeconds));
  words.forEach((w, i) => drop(input, `f${i}`, w, T0 + i * B + 500));
  ssc.start();
  await runBatches(ssc, clock, stopAfter);
  await ssc.stop();
  damage(checkpoint);
  return { expected, got, checkpoint, input };
}

async function resume(
  checkpoint: string,
  input: string,
  got: Map<number, { win: [string, number][]; total: [string, number][] }>,
  from: number,
  snapshotSeconds?: number,
) {
  const clock = new ManualClock(T0 + from * B + 10);
  const ssc = StreamingContext.getOrCreate(checkpoint, setup(input, got, clock, 3, snapshotSeconds));
  ssc.start();
  await runBatches(ssc, clock, words.length - from);
  await ssc.stop();
}

const sortedEntries = (m: Map<number, unknown>) => [...m.entries()].sort(([a], [b]) => a - b);

test("a job stopped mid-way and resumed with getOrCreate gives the same windows and totals as one that never stopped", async () => {
  // stopping after batch 6 committed is what a crash right after that commit leaves behind
  const { expected, got, checkpoint, input } = await interruptedRun(tempDir("sluice-recovery-"), 6, () => {});
  for (const t of [...got.keys()]) if (t > T0 + 6 * B) got.delete(t);
  await resume(checkpoint, input, got, 6);
  assert.deepEqual(sortedEntries(got), sortedEntries(expected));
});

test("a changed job graph is refused with a diff; so is a queueStream checkpoint", async () => {
  const root = tempDir("sluice-graph-");
  const input = join(root, "in");
  mkdirSync(input);
  const checkpoint = join(root, "ck");
  const clock = new ManualClock(T0);
  const ssc = StreamingContext.getOrCreate(checkpoint, setup(input, new Map(), clock, 3));
  ssc.start();
  await runBatches(ssc, clock, 2);
  await ssc.stop();
  assert.throws(
    () => StreamingContext.getOrCreate(checkpoint, setup(input, new Map(), new ManualClock(T0), 5)),
    (e: unknown) => {
      assert.ok(e instanceof CheckpointError);
      assert.equal(e.code, "SLUICE_E_GRAPH_MISMATCH");
      assert.match(e.message, /- stream \d+: ReducedWindowedDStream slide=1000 from \d+ window=3000/);
      assert.match(e.message, /\+ stream \d+: ReducedWindowedDStream slide=1000 from \d+ window=5000/);
      assert.match(e.message, /Use a new checkpoint directory/);
      return true;
    },
  );
  await SparkContext.getActive()?.stop();

  const qdir = join(root, "queue");
  const q = StreamingContext.getOrCreate(qdir, () => {
    const s = new StreamingContext(new SparkContext("local[1]", "q"), 1, { clock: new ManualClock(T0), out: () => {} });
    s.queueStream([[1]]).pprint();
    return s;
  });
  q.start();
  await q.stop();
  const again = StreamingContext.getOrCreate(qdir, () => {
    const s = new StreamingContext(new SparkContext("local[1]", "q"), 1, { clock: new ManualClock(T0), out: () => {} });
    s.queueStream([[1]]).pprint();
    return s;
  });
  assert.throws(() => again.start(), /queueStream doesn't support checkpointing/);
  await again.stop();
});

test("a torn newest commit counts as not committed: that batch is re-run with its logged input", async () => {
  const { expected, got, checkpoint, input } = await interruptedRun(tempDir("sluice-torn-commit-"), 6, (ck) => {
    const commits = join(ck, "commits");
    const newest = readdirSync(commits).sort().pop()!;
    writeFileSync(join(commits, newest), readFileSync(join(commits, newest)).subarray(0, 20));
  });
  await resume(checkpoint, input, got, 6);
  assert.deepEqual(sortedEntries(got), sortedEntries(expected));
});

test("a corrupt newest snapshot falls back to the older one and replays the batches after it", async () => {
  const { expected, got, checkpoint, input } = await interruptedRun(
    tempDir("sluice-bad-snap-"),
    7,
    (ck) => {
      for (const op of readdirSync(join(ck, "state"))) {
        const snaps = readdirSync(join(ck, "state", op)).sort();
        assert.equal(snaps.length, 2, "two snapshots kept");
        const newest = join(ck, "state", op, snaps[1]!);
        const bytes = readFileSync(newest);
        bytes[bytes.length - 2]! ^= 0x40;
        writeFileSync(newest, bytes);
      }
    },
    2,
  );
  await resume(checkpoint, input, got, 7, 2);
  assert.deepEqual(sortedEntries(got), sortedEntries(expected));
});

test("a corrupt offsets file stops recovery with an error naming it", async () => {
  const { checkpoint } = await interruptedRun(tempDir("sluice-bad-offsets-"), 4, (ck) => {
    const offsets = join(ck, "offsets");
    const oldest = readdirSync(offsets).sort()[0]!;
    writeFileSync(join(offsets, oldest), "garbage");
  });
  assert.throws(
    () =>
      StreamingContext.getOrCreate(checkpoint, () => {
        throw new Error("setup must not run");
      }),
    (e: unknown) => {
      assert.ok(e instanceof CheckpointError);
      assert.match(e.message, /SLUICE_E_CKPT_CORRUPT: .*offsets\/\d+ is not a Sluice checkpoint file/);
      return true;
    },
  );
});

test("a checkpoint whose metadata file is lost is refused, naming what it holds, and nothing is deleted; --reset-checkpoint starts afresh", async () => {
  const { checkpoint, input } = await interruptedRun(tempDir("sluice-no-metadata-"), 6, (ck) =>
    rmSync(join(ck, "metadata")),
  );
  const listing = () => ["offsets", "commits", "state"].map((d) => readdirSync(join(checkpoint, d)).length);
  const before = listing();
  assert.ok(before[0]! > 0 && before[1]! > 0, "the damaged checkpoint still holds its logs");
  const clock = new ManualClock(T0 + 6 * B + 10);
  const ssc = StreamingContext.getOrCreate(checkpoint, setup(input, new Map(), clock, 3));
  assert.throws(
    () => ssc.start(),
    (e: unknown) => {
      assert.ok(e instanceof CheckpointError);
      assert.equal(e.code, "SLUICE_E_CKPT_CORRUPT");
      assert.match(e.message, /holds \d+ offsets files, \d+ commit files.* but no metadata file/);
      assert.match(e.message, /nothing was deleted/);
      return true;
    },
  );
  await ssc.stop();
  assert.deepEqual(listing(), before, "no file was deleted");
  // asked to, the job starts afresh there
  const got = new Map<number, { win: [string, number][]; total: [string, number][] }>();
  const fresh = StreamingContext.getOrCreate(checkpoint, () => {
    const s = setup(input, got, new ManualClock(T0 + 6 * B + 10), 3)();
    s.sparkContext.conf.set("spark.sluice.checkpoint.reset", "true");
    return s;
  });
  fresh.start();
  await fresh.stop();
  assert.ok(readdirSync(checkpoint).includes("metadata"), "a new job's metadata is written");
});

/** T6: how each checkpoint file is damaged. */
const DAMAGES: Record<string, (file: string, older: Buffer | undefined) => void> = {
  "truncated to 0": (f) => writeFileSync(f, ""),
  "truncated to half": (f) => writeFileSync(f, readFileSync(f).subarray(0, readFileSync(f).length >> 1)),
  "a byte flipped": (f) => {
    const b = readFileSync(f);
    b[b.length - 3]! ^= 0x20;
    writeFileSync(f, b);
  },
  deleted: (f) => rmSync(f),
  "replaced by an older copy": (f, older) => older && writeFileSync(f, older),
};

/** T6: which file of each kind is damaged (the newest; for metadata, the one), and an older one of its kind. */
function victim(ck: string, kind: string): { file: string; older: Buffer | undefined } {
  if (kind === "metadata") return { file: join(ck, "metadata"), older: undefined };
  const dir = kind === "snapshot" ? join(ck, "state", readdirSync(join(ck, "state"))[0]!) : join(ck, kind);
  const names = readdirSync(dir).sort();
  const older = names.length > 1 ? readFileSync(join(dir, names[names.length - 2]!)) : undefined;
  return { file: join(dir, names[names.length - 1]!), older };
}

const DOCUMENTED = [
  "SLUICE_E_CKPT_CORRUPT",
  "SLUICE_E_CKPT_INCONSISTENT",
  "SLUICE_E_CKPT_VERSION",
  "SLUICE_E_NOT_RECOVERABLE",
];

test("T6: every checkpoint file damaged every way either recovers to the reference state or stops with a documented code", async (t) => {
  const outcomes: string[] = [];
  for (const kind of ["metadata", "offsets", "commits", "snapshot"]) {
    for (const [how, damage] of Object.entries(DAMAGES)) {
      if (kind === "metadata" && how === "replaced by an older copy") continue; // written once: no older copy
      const { expected, got, checkpoint, input } = await interruptedRun(
        tempDir("sluice-matrix-"),
        7,
        (ck) => {
          const { file, older } = victim(ck, kind);
          damage(file, older);
        },
        2,
      );
      for (const t of [...got.keys()]) if (t > T0 + 7 * B) got.delete(t);
      try {
        await resume(checkpoint, input, got, 7, 2);
        assert.deepEqual(
          sortedEntries(got),
          sortedEntries(expected),
          `${kind} ${how}: recovered, but to another state`,
        );
        outcomes.push(`${kind} ${how}: recovered`);
      } catch (err) {
        await SparkContext.getActive()?.stop();
        const code = (err as CheckpointError).code;
        assert.ok(err instanceof CheckpointError && DOCUMENTED.includes(code), `${kind} ${how}: ${String(err)}`);
        outcomes.push(`${kind} ${how}: ${code}`);
      }
    }
  }
  assert.equal(outcomes.length, 19);
  t.diagnostic(outcomes.join("; "));
});

test("killed right after start, before its metadata was durable: the stream folders of its write-ahead logs are no earlier job, and logs write nothing before the metadata", async () => {
  const checkpoint = tempDir("sluice-early-kill-");
  // what a start killed at once leaves: the layout and a receiver's empty log folder
  for (const d of ["offsets", "commits", "state", join("wal", "0")])
    mkdirSync(join(checkpoint, d), { recursive: true });
  const manager = new CheckpointManager(checkpoint);
  assert.doesNotThrow(() => manager.resetForNewJob(), "an empty log folder is not a damaged checkpoint");
  // a log whose gate (the metadata write) has not settled writes nothing yet
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const wal = new WriteAheadLog(join(checkpoint, "wal", "1"), undefined, gate);
  let logged = false;
  const appended = wal.append(["a", "b"]).then((ref) => ((logged = true), ref));
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(logged, false);
  assert.deepEqual(readdirSync(join(checkpoint, "wal", "1")), [], "no segment before the metadata");
  open();
  const ref = await appended;
  assert.deepEqual(wal.read(ref), ["a", "b"]);
  await wal.close();
});
