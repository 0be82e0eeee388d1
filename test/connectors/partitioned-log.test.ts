import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import fc from "fast-check";
import { ManualClock, SparkConf, SparkContext, StreamingContext, type RDD } from "../../src/index.js";
import { keyedStream, type KafkaRecord } from "../../src/connectors/kafka.js";
import {
  PartitionedLogSource,
  planUntil,
  type PartitionBounds,
  type PartitionedLog,
  type StartingOffsets,
} from "../../src/connectors/partitioned-log.js";
import { sorted, tempDir } from "../helpers/context.js";
import { runFor } from "../helpers/source-jobs.js";
import { warningsDuring } from "../helpers/log.js";

/**
 * An in-memory Kafka: partitions of records with offsets that may skip (as compaction and
 * transaction markers make them), a retention cut, and a group's committed offsets.
 */
class MemoryLog implements PartitionedLog<KafkaRecord> {
  readonly parts = new Map<string, KafkaRecord[]>();
  readonly next = new Map<string, bigint>();
  readonly start = new Map<string, bigint>();
  readonly group = new Map<string, bigint>();
  reads = 0;
  /** Reads that fail before the next one succeeds (Infinity: every one). */
  failing = 0;

  describe(): string {
    return "memory log";
  }
  append(partition: string, key: string, value: string, gap = 0n): void {
    const list = this.parts.get(partition) ?? [];
    const offset = (this.next.get(partition) ?? 0n) + gap;
    const cut = partition.lastIndexOf("/");
    list.push({
      topic: partition.slice(0, cut),
      partition: Number(partition.slice(cut + 1)),
      offset,
      key: Buffer.from(key),
      value: Buffer.from(value),
    });
    this.parts.set(partition, list);
    this.next.set(partition, offset + 1n);
  }
  trim(partition: string, before: bigint): void {
    this.parts.set(
      partition,
      this.parts.get(partition)!.filter((r) => r.offset >= before),
    );
    this.start.set(partition, before);
  }
  async bounds(): Promise<Map<string, PartitionBounds>> {
    return new Map([...this.next].map(([p, latest]) => [p, { earliest: this.start.get(p) ?? 0n, latest }]));
  }
  async committed(): Promise<Map<string, bigint>> {
    return new Map(this.group);
  }
  async read(partition: string, from: bigint, until: bigint): Promise<KafkaRecord[]> {
    this.reads++;
    if (this.failing > 0) {
      this.failing--;
      throw new Error("connection reset");
    }
    return (this.parts.get(partition) ?? []).filter((r) => r.offset >= from && r.offset < until);
  }
  async commit(next: Map<string, bigint>): Promise<void> {
    for (const [p, o] of next) this.group.set(p, o);
  }
  async close(): Promise<void> {}
}

/**
 * Publishes records `i` in [from, to) round-robin over `partitions`, key `u<i % 3>`, value `i`; every 7th with an
 * offset gap.
 */
function publish(log: MemoryLog, partitions: string[], from: number, to: number): void {
  for (let i = from; i < to; i++)
    log.append(partitions[i % partitions.length]!, `u${i % 3}`, String(i), i % 7 === 0 ? 2n : 0n);
}

/** Per-key sums of the values published for i < n — the plain fold the job must match. */
function reference(n: number): [string, number][] {
  const m = new Map<string, number>();
  for (let i = 0; i < n; i++) m.set(`u${i % 3}`, (m.get(`u${i % 3}`) ?? 0) + i);
  return sorted(m);
}

test("planUntil gives every partition an even share of max, passes unused shares on, and never passes what is available", () => {
  fc.assert(
    fc.property(fc.array(fc.nat(50), { minLength: 1, maxLength: 5 }), fc.nat(120), (avail, max) => {
      const start = new Map(avail.map((_, i) => [`t/${i}`, 10n]));
      const bounds = new Map(avail.map((a, i) => [`t/${i}`, { earliest: 0n, latest: 10n + BigInt(a) }]));
      const until = planUntil(start, bounds, max, () => {
        throw new Error("trimmed");
      });
      const took = avail.map((_, i) => Number(until.get(`t/${i}`)! - 10n));
      const total = took.reduce((a, b) => a + b, 0);
      assert.equal(
        total,
        Math.min(
          max,
          avail.reduce((a, b) => a + b, 0),
        ),
        "takes max or all there is",
      );
      took.forEach((n, i) => assert.ok(n <= avail[i]!, "never past the end"));
      // fairness: a partition left with more to read took at least as much as any other, minus rounding
      const fair = Math.floor(max / avail.length);
      took.forEach((n, i) => assert.ok(n >= Math.min(avail[i]!, fair), `partition ${i} got its share`));
    }),
  );
});

function setup(
  log: MemoryLog,
  clock: ManualClock,
  seen: Map<number, [string, number][]>,
  failAt: { time?: number },
  starting: StartingOffsets = "earliest",
  sizes: number[] = [],
  failOnDataLoss = true,
) {
  return () => {
    const ssc = new StreamingContext(new SparkContext("local[2]", "partitioned-log"), 1, { clock, out: () => {} });
    const source = new PartitionedLogSource(log, starting, Infinity, failOnDataLoss);
    const stream = keyedStream(ssc, source, "memory", {
      maxRecordsPerBatch: 25,
    }) as unknown as import("../../src/index.js").DStream<[string | null, string]>;
    stream.count().foreachRDD(async (rdd: RDD<number>) => void sizes.push(...(await rdd.collect())));
    stream
      .map(([k, v]): [string, number] => [k!, Number(v)])
      .updateStateByKey((vs: number[], s: number | undefined) => vs.reduce((a, b) => a + b, s ?? 0), 2)
      .foreachRDD(async (time: Date, rdd: RDD<[string, number]>) => {
        if (time.getTime() === failAt.time) throw new Error("output failed");
        seen.set(time.getTime(), sorted(await rdd.collect()));
      });
    return ssc;
  };
}

test("a partitioned log with offset gaps: batches of at most maxRecordsPerBatch, every record once, the group committed at the end", async () => {
  const log = new MemoryLog();
  const parts = ["events/0", "events/1", "events/2"];
  publish(log, parts, 0, 100);
  const clock = new ManualClock(0);
  const seen = new Map<number, [string, number][]>();
  const sizes: number[] = [];
  const ssc = setup(log, clock, seen, {}, "earliest", sizes)();
  ssc.checkpoint(join(tempDir(), "ck"));
  ssc.start();
  await runFor(ssc, clock, 7); // 100 records spread over ~130 offsets: 25 offsets a batch
  await ssc.stop();
  assert.ok(
    sizes.every((n) => n <= 25),
    `batch sizes ${sizes}`,
  );
  assert.equal(
    sizes.reduce((a, b) => a + b, 0),
    100,
  );
  assert.deepEqual(seen.get(7000), reference(100));
  assert.deepEqual(log.group, log.next, "the group's offsets are the partitions' ends");
});

test("a failed batch is re-run with the same offsets after getOrCreate; records and a new partition added while down are read once", async () => {
  const log = new MemoryLog();
  const parts = ["events/0", "events/1"];
  publish(log, parts, 0, 60);
  const checkpoint = join(tempDir(), "ck");
  const seen = new Map<number, [string, number][]>();
  const failAt: { time?: number } = { time: 2000 };
  let clock = new ManualClock(0);
  let ssc = StreamingContext.getOrCreate(checkpoint, setup(log, clock, seen, failAt));
  const failed = assert.rejects(ssc.awaitTermination(), /output failed/);
  ssc.start();
  await runFor(ssc, clock, 2);
  await failed;
  await ssc.stop();
  const committedAfterFailure = new Map(log.group);
  // while down: more records, and a third partition
  publish(log, [...parts, "events/2"], 60, 90);
  failAt.time = undefined;
  clock = new ManualClock(2500);
  ssc = StreamingContext.getOrCreate(checkpoint, setup(log, clock, seen, failAt));
  ssc.start();
  await runFor(ssc, clock, 6);
  await ssc.stop();
  assert.ok(
    [...committedAfterFailure.values()].reduce((a, b) => a + b, 0n) <
      [...log.group.values()].reduce((a, b) => a + b, 0n),
  );
  assert.deepEqual(seen.get(8000), reference(90), "every record counted exactly once");
});

test("records deleted before they were read stop the job with SLUICE_E_SOURCE_TRIMMED; 'latest' skips what was there", async () => {
  const log = new MemoryLog();
  publish(log, ["t/0"], 0, 40);
  log.group.set("t/0", 5n);
  log.trim("t/0", 20n);
  const clock = new ManualClock(0);
  const ssc = setup(log, clock, new Map(), {})();
  ssc.checkpoint(join(tempDir(), "ck"));
  const stopped = assert.rejects(
    ssc.awaitTermination(),
    /SLUICE_E_SOURCE_TRIMMED: memory log partition t\/0 starts at offset 20 but the job's next offset is 5/,
  );
  ssc.start();
  await runFor(ssc, clock, 1);
  await stopped;
  await ssc.stop();

  const fresh = new MemoryLog();
  publish(fresh, ["t/0"], 0, 30);
  const clock2 = new ManualClock(0);
  const seen = new Map<number, [string, number][]>();
  const ssc2 = setup(fresh, clock2, seen, {}, "latest")();
  ssc2.checkpoint(join(tempDir(), "ck2"));
  ssc2.start();
  await runFor(ssc2, clock2, 1);
  for (let i = 30; i < 33; i++) fresh.append("t/0", `u${i % 3}`, String(i));
  await runFor(ssc2, clock2, 1);
  await ssc2.stop();
  assert.deepEqual(
    seen.get(2000),
    sorted([
      ["u0", 30],
      ["u1", 31],
      ["u2", 32],
    ]),
  );
});

test("a failing read is retried on the I/O clock with backoff, and fails the batch once spark.streaming.source.retrySeconds have passed on it", async () => {
  const log = new MemoryLog();
  publish(log, ["t/0"], 0, 10);
  const clock = new ManualClock(0);
  const io = new ManualClock(0);
  const seen = new Map<number, [string, number][]>();
  const conf = new SparkConf()
    .setMaster("local[1]")
    .setAppName("retry")
    .set("spark.streaming.source.retrySeconds", "5");
  const ssc = new StreamingContext(new SparkContext(conf), 1, { clock, ioClock: io, out: () => {} });
  const stream = keyedStream(ssc, new PartitionedLogSource(log, "earliest"), "memory", {});
  (stream as unknown as import("../../src/index.js").DStream<[string | null, string]>)
    .map(([k, v]): [string, number] => [k!, Number(v)])
    .reduceByKey((a, b) => a + b)
    .foreachRDD(
      async (time: Date, rdd: RDD<[string, number]>) => void seen.set(time.getTime(), sorted(await rdd.collect())),
    );
  const turns = async (n: number) => {
    for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
  };
  ssc.start();
  const readsReach = async (n: number) => {
    for (let i = 0; i < 1000 && log.reads < n; i++) await new Promise((r) => setImmediate(r));
    assert.ok(log.reads >= n, `read ${n} was made`);
  };
  // batch 1: two reads fail; each retry waits for the I/O clock (100 ms, then 200 ms), never for wall time
  log.failing = 2;
  clock.advance(1000);
  await readsReach(1);
  io.advance(99);
  await new Promise((r) => setImmediate(r));
  assert.equal(log.reads, 1, "no retry before the backoff has passed on the I/O clock");
  io.advance(1);
  await readsReach(2);
  io.advance(200);
  await ssc.scheduler.whenIdle();
  assert.equal(log.reads, 3);
  assert.deepEqual(seen.get(1000), reference(10));
  // batch 2: every read fails; after 5 s of I/O time the batch fails naming the source
  publish(log, ["t/0"], 10, 12);
  log.failing = Infinity;
  clock.advance(1000);
  const before = log.reads;
  for (let i = 0; i < 20; i++) {
    await turns(20);
    io.advance(500);
  }
  await ssc.scheduler.whenIdle();
  // waits of 100, 200, 400, 800, 1600, 2000 ms: the 6th would pass 5 s, so 6 reads in all
  assert.equal(log.reads - before, 6, "retried with growing waits until 5 s of I/O time had passed");
  assert.equal(seen.has(2000), false);
  // the batch failed in its input step, naming the cause; the context reports it to whoever awaits it
  await assert.rejects(ssc.awaitTerminationOrTimeout(0), /batch 1970-01-01 00:00:02.*connection reset/);
  await ssc.stop();
});

test("failOnDataLoss false: records deleted before they were read are skipped with a warning naming them; startingOffsets per partition", async () => {
  const log = new MemoryLog();
  publish(log, ["t/0"], 0, 40);
  log.group.set("t/0", 5n);
  log.trim("t/0", 20n);
  const clock = new ManualClock(0);
  const seen = new Map<number, [string, number][]>();
  const ssc = setup(log, clock, seen, {}, "earliest", [], false)();
  ssc.checkpoint(join(tempDir(), "ck"));
  const warnings = await warningsDuring(async () => {
    ssc.start();
    await runFor(ssc, clock, 2);
  });
  await ssc.stop();
  assert.ok(
    warnings.some((w) =>
      /partition t\/0: records 5\.\.19 were deleted before they were read; going on from 20/.test(w),
    ),
    warnings.join(""),
  );
  // offsets 20..39 (with the gaps publish made) are what remained: the sums of i = 20..39 kept
  const kept = new Map<string, number>();
  for (const r of log.parts.get("t/0")!)
    kept.set(r.key!.toString(), (kept.get(r.key!.toString()) ?? 0) + Number(r.value));
  assert.deepEqual([...seen.values()].pop(), sorted(kept));

  const fresh = new MemoryLog();
  publish(fresh, ["t/0", "t/1"], 0, 20); // 10 records in each partition
  const clock2 = new ManualClock(0);
  const sizes: number[] = [];
  const ssc2 = setup(fresh, clock2, new Map(), {}, new Map([["t/0", 7n]]), sizes)();
  ssc2.checkpoint(join(tempDir(), "ck2"));
  ssc2.start();
  await runFor(ssc2, clock2, 1);
  await ssc2.stop();
  const t0 = fresh.parts.get("t/0")!.filter((r) => r.offset >= 7n).length;
  assert.deepEqual(sizes, [t0], "t/0 from offset 7, t/1 (not named) from latest: nothing");
});
