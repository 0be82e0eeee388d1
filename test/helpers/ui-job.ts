// A streaming job with its web UI on (any free port), a hand-fed receiver and a manual clock.
import assert from "node:assert/strict";
import { ManualClock, Receiver, SparkConf, SparkContext, StreamingContext, webUi, type RDD } from "../../src/index.js";
import { tempDir } from "./context.js";

/** A receiver that stores what the test hands it. */
class HandFed extends Receiver<string> {
  onStart(): void {}
  onStop(): void {}
  feed(lines: string[]): Promise<void> {
    return this.storeBlock(lines);
  }
}

/** The batches' lines, and per batch the words counted by a plain loop. */
export const BATCHES = [["a b a", "c"], ["b b", "d e f", "a"], []];

export async function uiJob() {
  const conf = new SparkConf(false)
    .setMaster("local[2]")
    .setAppName("ui-test")
    .set("spark.ui.enabled", "true")
    .set("spark.ui.port", "0");
  const sc = new SparkContext(conf);
  const clock = new ManualClock(0);
  const ssc = new StreamingContext(sc, 1, { clock, out: () => {} });
  ssc.checkpoint(tempDir("sluice-ui-"));
  const receiver = new HandFed();
  const lines = ssc.receiverStream(receiver);
  const counts = lines
    .flatMap((l) => l.split(" "))
    .map((w): [string, number] => [w, 1])
    .reduceByKey((a, b) => a + b);
  counts.foreachRDD(async (rdd: RDD<[string, number]>) => void (await rdd.collect()));
  counts
    .updateStateByKey((vs: number[], s: number | undefined) => vs.reduce((a, b) => a + b, s ?? 0))
    .foreachRDD(async (rdd: RDD<[string, number]>) => void (await rdd.count()));
  const started = new Promise<void>((r) => ssc.addStreamingListener({ onReceiverStarted: () => r() }));
  ssc.start();
  await started;
  const ui = (await webUi(sc))!;
  const appId = ((await (await fetch(`${ui.url}/api/v1/applications`)).json()) as { id: string }[])[0]!.id;
  const get = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${ui.url}/api/v1/applications/${appId}${path}`);
    assert.equal(res.status, 200, path);
    return (await res.json()) as T;
  };
  /** Feeds batch `i`'s lines, then runs its batch. */
  const runBatch = async (i: number) => {
    if (BATCHES[i]!.length) await receiver.feed(BATCHES[i]!);
    clock.advance(1000);
    await ssc.scheduler.whenIdle();
  };
  return { sc, ssc, ui, get, runBatch };
}
