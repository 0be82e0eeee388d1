import assert from "node:assert/strict";
import { after, test } from "node:test";
import { Connections } from "../../src/util/connections.js";
import { connect } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";
import { ManualClock, SparkContext, StreamingContext } from "../../src/index.js";
import { publishBatchToNats } from "../../src/connectors/nats/sink.js";
import { NATS_SERVERS as SERVERS, natsOrSkip } from "../helpers/services.js";

const conns = new Connections(); // what a context would own
after(() => conns.closeAll());

test("publishToNats publishes each batch once: a re-published batch is dropped by JetStream's deduplication", async (t) => {
  if (!(await natsOrSkip(SERVERS, t))) return;
  const nc = await connect({ servers: SERVERS });
  const jsm = await jetstreamManager(nc);
  const stream = `SLUICE_SINK_${process.pid}_${Date.now()}`;
  await jsm.streams.add({ name: stream, subjects: [`${stream}.out`] });
  try {
    const ssc = new StreamingContext(new SparkContext("local[2]", "nats-sink"), 1, {
      clock: new ManualClock(0),
      out: () => {},
    });
    ssc
      .queueStream([["a", "b"], [{ n: 1 }]] as unknown[][])
      .publishToNats({ servers: SERVERS, subject: `${stream}.out` });
    ssc.start();
    for (let i = 0; i < 2; i++) {
      (ssc.clock as ManualClock).advance(1000);
      await ssc.scheduler.whenIdle();
    }
    await ssc.stop();
    assert.equal((await jsm.streams.info(stream)).state.messages, 3);
    const dups = await publishBatchToNats(conns, ["a", "b"], 1000, 0, { servers: SERVERS, subject: `${stream}.out` });
    assert.equal(dups, 2, "the re-run batch's messages were recognised as duplicates");
    assert.equal((await jsm.streams.info(stream)).state.messages, 3);
  } finally {
    await jsm.streams.delete(stream);
    await nc.close();
  }
});
