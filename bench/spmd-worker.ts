// Worker of the SPMD prototype (design a): it imports the job's functions from the job module
// itself, as every MPI rank runs the same program, instead of compiling shipped source.
import { serialize } from "node:v8";
import { parentPort } from "node:worker_threads";
import { runMapPlan } from "../src/scheduler/run-map-plan.js";
import type { MapTaskPlan } from "../src/scheduler/task-plan.js";
import { functionsById } from "./spmd-job.js";

parentPort!.on("message", (plan: MapTaskPlan) => {
  // the plan's "sources" are ids into the job module: functions are found, not compiled
  const out = serialize(
    runMapPlan(plan, (id) => functionsById[(id as { d: string }).d]! as (...a: unknown[]) => unknown),
  );
  const buffer = out.buffer.slice(out.byteOffset, out.byteOffset + out.byteLength);
  parentPort!.postMessage(buffer, [buffer]);
});
