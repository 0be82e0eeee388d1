import { after } from "node:test";
import { ManualClock, SparkConf, SparkContext, StreamingContext, type RDD, type DStream } from "../../src/index.js";

/** A SparkContext, a StreamingContext on a manual clock at 0, and the text `pprint` wrote. */
export interface StreamingFixture {
  sc: SparkContext;
  ssc: StreamingContext;
  clock: ManualClock;
  printed: string[];
}

/** Builds a fixture; everything is stopped when the test file ends. */
export function streamingFixture(batchSeconds = 1, conf: Record<string, string> = {}): StreamingFixture {
  const sparkConf = new SparkConf().setMaster("local[2]").setAppName("streaming-test");
  for (const [k, v] of Object.entries(conf)) sparkConf.set(k, v);
  const sc = new SparkContext(sparkConf);
  const clock = new ManualClock();
  const printed: string[] = [];
  const ssc = new StreamingContext(sc, batchSeconds, { clock, out: (t) => printed.push(t) });
  after(async () => {
    await ssc.stop(true, false);
    await sc.stop();
  });
  return { sc, ssc, clock, printed };
}

/** Advances the clock by `n` batch intervals, waiting after each for its jobs to finish. */
export async function runBatches(f: Pick<StreamingFixture, "ssc" | "clock">, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    f.clock.advance(f.ssc.batchMs);
    await f.ssc.scheduler.whenIdle();
  }
}

/** Collects every batch of `stream` as `[timeMs, records]`, in batch order. */
export function collectBatches<T>(stream: DStream<T>): [number, T[]][] {
  const batches: [number, T[]][] = [];
  stream.foreachRDD(async (time: Date, rdd: RDD<T>) => {
    batches.push([time.getTime(), await rdd.collect()]);
  });
  return batches;
}
