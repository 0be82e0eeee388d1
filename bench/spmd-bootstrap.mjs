// Loads the SPMD prototype's worker from TypeScript source.
import { register } from "tsx/esm/api";

register();
await import(new URL("./spmd-worker.ts", import.meta.url).href);
