// Starts a worker thread when Sluice runs from its TypeScript source: registers tsx in this
// thread, then loads the worker's body. (From the built package the body is loaded directly.)
import { register } from "tsx/esm/api";

register();
await import(new URL("./worker-main.ts", import.meta.url).href);
