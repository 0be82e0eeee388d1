// The body of a worker thread: runs shipped map tasks and answers with their shuffle output
// as one transferred buffer.
import { serialize } from "node:v8";
import { parentPort } from "node:worker_threads";
import { runMapPlan } from "./run-map-plan.js";
import { originOf } from "./task-context.js";
import type { MapTaskPlan } from "./task-plan.js";

parentPort!.on("message", (msg: { id: number; plan: MapTaskPlan }) => {
  try {
    const metrics = { recordsIn: 0 };
    const out = serialize(runMapPlan(msg.plan, undefined, metrics));
    const buffer = out.buffer.slice(out.byteOffset, out.byteOffset + out.byteLength);
    parentPort!.postMessage({ id: msg.id, ok: true, buffer, recordsIn: metrics.recordsIn }, [buffer]);
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    parentPort!.postMessage({
      id: msg.id,
      ok: false,
      name: e.name,
      message: e.message,
      stack: e.stack,
      // a function that reads its closure, or source that does not compile alone: run it on the driver
      shippingProblem: e instanceof ReferenceError || e instanceof SyntaxError,
      origin: originOf(err),
    });
  }
});
