// The T16 job: an I/O-bound sink that keeps T16_CAPACITY records/s, fed faster than that by
// a socket (T16_SOURCE=socket, lines from 127.0.0.1:T16_PORT) or by a reliable receiver in this
// process that offers T16_RATE records/s for T16_SECONDS through storeBlock, counting what was
// acknowledged. Every 100 ms it prints "T16 <json>" (heap, queue, records processed); a job that
// stops with an error prints "T16-ERROR <message>" and exits 3.
import { Receiver, SparkConf, SparkContext, StreamingContext, type RDD } from "../../src/index.js";

const env = process.env;
const capacity = Number(env.T16_CAPACITY ?? 50_000);
const rate = Number(env.T16_RATE ?? 10 * capacity);
const seconds = Number(env.T16_SECONDS ?? 10);

/**
 * Offers `rate` records/s for `seconds`, a block every 10 ms, the next only once the last was stored (acknowledged),
 * as a broker's client with a prefetch limit does.
 */
class Offering extends Receiver<string> {
  acked = 0;
  private stopped = false;
  onStart(): void {
    void this.offer();
  }
  onStop(): void {
    this.stopped = true;
  }
  private async offer(): Promise<void> {
    const start = performance.now();
    let last = start;
    let owed = 0;
    let n = 0;
    while (!this.stopped && performance.now() - start < seconds * 1000) {
      const now = performance.now();
      owed += ((now - last) / 1000) * rate;
      const block: string[] = [];
      for (; owed >= 1; owed--, n++) block.push(`w${n % 1000} w${(n * 7) % 1000} n${n}`);
      if (block.length > 0) {
        await this.storeBlock(block);
        this.acked += block.length;
      }
      last = performance.now(); // what could not be offered while storeBlock waited is not made up
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

const conf = new SparkConf()
  .setMaster("local[1]")
  .setAppName("t16")
  .set("spark.ui.enabled", "false")
  .set("spark.streaming.backpressure.enabled", env.T16_BACKPRESSURE === "true");
for (const [k, v] of Object.entries(JSON.parse(env.T16_CONF ?? "{}") as Record<string, string>)) conf.set(k, v);
const ssc = new StreamingContext(new SparkContext(conf), 1);
const offering = env.T16_SOURCE === "reliable" ? new Offering() : undefined;
const lines = offering ? ssc.receiverStream(offering) : ssc.socketTextStream("127.0.0.1", Number(env.T16_PORT));
let processed = 0;
lines.foreachRDD(async (rdd: RDD<string>) => {
  const n = await rdd.count();
  await new Promise((r) => setTimeout(r, (n / capacity) * 1000)); // the sink's time for n records
  processed += n;
});
setInterval(() => {
  const report = {
    heapUsed: process.memoryUsage().heapUsed,
    queued: ssc.scheduler.queuedBatches,
    processed,
    acked: offering?.acked,
  };
  process.stdout.write(`T16 ${JSON.stringify(report)}\n`);
}, 100).unref();
ssc.start();
try {
  await ssc.awaitTermination();
} catch (err) {
  process.stdout.write(`T16-ERROR ${(err as Error).message}\n`);
  process.exit(3);
}
