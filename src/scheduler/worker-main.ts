// The body of a worker thread: runs shipped map tasks and answers with their shuffle output
// as one transferred buffer.
import { parentPort } from "node:worker_threads";
import { runMapPlan } from "./run-map-plan.js";
import { originOf, type FailedRecord } from "./task-context.js";
import type { MapTaskPlan } from "./task-plan.js";
import { workerBroadcasts } from "./closure-runtime.js";
import { encodeBuckets, type SpilledSegment } from "../shuffle/spill-files.js";

type Message =
  { id: number; plan: MapTaskPlan; broadcasts: [number, unknown][] } | { id: number; dropBroadcast: number };

parentPort!.on("message", (msg: Message) => {
  if ("dropBroadcast" in msg) {
    workerBroadcasts.delete(msg.dropBroadcast);
    return;
  }
  for (const [id, value] of msg.broadcasts) workerBroadcasts.set(id, value);
  try {
    const metrics: {
      recordsIn: number;
      failed?: FailedRecord[];
      accumulators?: [number, number][];
      segments?: SpilledSegment[];
    } = { recordsIn: 0 };
    // each reduce partition's block encoded on its own: the driver keeps them as they are and
    // decodes a block when its reduce task reads it
    const encoded = encodeBuckets(runMapPlan(msg.plan, undefined, metrics));
    const buffer = encoded.bytes.buffer as ArrayBuffer;
    // records dropped under the record-error policy go back to the driver, which hands them to it
    const failedRecords = (metrics.failed ?? []).map((f) => ({
      record: f.record,
      name: f.error.name,
      message: f.error.message,
      where: f.where,
    }));
    parentPort!.postMessage(
      {
        id: msg.id,
        ok: true,
        buffer,
        chunks: encoded.chunks,
        records: encoded.records,
        recordsIn: metrics.recordsIn,
        failedRecords,
        accumulators: metrics.accumulators ?? [],
        segments: metrics.segments ?? [],
      },
      [buffer],
    );
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    parentPort!.postMessage({
      id: msg.id,
      ok: false,
      name: e.name,
      message: e.message,
      stack: e.stack,
      // a value that could not cross, or source that does not compile alone: run it on the driver
      shippingProblem: e instanceof ReferenceError || e instanceof SyntaxError,
      origin: originOf(err),
    });
  }
});
