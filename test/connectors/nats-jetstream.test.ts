import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import {
  ManualClock,
  NatsJetStreamUtils,
  SparkContext,
  StreamingContext,
  type JetStreamMessage,
} from "../../src/index.js";
import { tempDir } from "../helpers/context.js";
import { lastSeen, recordTotals, referenceTotals, runFor } from "../helpers/source-jobs.js";
import { NATS_SERVERS as SERVERS, natsOrSkip, jetStreamFor } from "../helpers/services.js";

function setup(stream: string, clock: ManualClock, seen: Map<number, [string, number][]>, failAt: { time?: number }) {
  return () => {
    const ssc = new StreamingContext(new SparkContext("local[2]", "jetstream"), 1, { clock, out: () => {} });
    const messages = NatsJetStreamUtils.createDirectStream(ssc, {
      servers: SERVERS,
      stream,
      subject: `${stream}.events`,
      durable: "sluice",
      maxRecordsPerBatch: 40,
    });
    recordTotals(
      messages.map((m: JetStreamMessage): [string, number] => {
        const [user, amount] = m.data.split(",");
        return [user!, Number(amount)];
      }),
      seen,
      failAt,
    );
    return ssc;
  };
}

test("JetStream messages are counted exactly once across a failed batch, a restart and messages published while down", async (t) => {
  if (!(await natsOrSkip(SERVERS, t))) return;
  const { nc, jsm, js, stream } = await jetStreamFor("SLUICE_TEST");
  const publish = async (from: number, n: number) => {
    for (let i = from; i < from + n; i++)
      await js.publish(`${stream}.events`, new TextEncoder().encode(`u${i % 5},${i % 17}`));
  };
  try {
    await publish(0, 100);
    const checkpoint = join(tempDir(), "ck");
    const seen = new Map<number, [string, number][]>();
    const failAt: { time?: number } = { time: 2000 };
    let clock = new ManualClock(0);
    let ssc = StreamingContext.getOrCreate(checkpoint, setup(stream, clock, seen, failAt));
    const failed = assert.rejects(ssc.awaitTermination(), /output failed/);
    ssc.start();
    await runFor(ssc, clock, 2);
    await failed;
    await ssc.stop();
    await publish(100, 60);
    failAt.time = undefined;
    clock = new ManualClock(2500);
    ssc = StreamingContext.getOrCreate(checkpoint, setup(stream, clock, seen, failAt));
    ssc.start();
    await runFor(ssc, clock, 4);
    await ssc.stop();
    const last = lastSeen(seen);
    assert.deepEqual(last, referenceTotals(160), "every message counted exactly once");
    const { Kvm } = await import("@nats-io/kv");
    const kv = await new Kvm(nc).open(`sluice_progress_${stream}`);
    assert.equal((await kv.get("sluice"))?.string(), "160", "the committed position is kept at the server");
    await jsm.streams.delete(`KV_sluice_progress_${stream}`).catch(() => undefined);
  } finally {
    await jsm.streams.delete(stream);
    await nc.close();
  }
});
