#!/usr/bin/env node
// The `sluice` command. Jobs may be TypeScript, so tsx's loader is registered, and
// `import "sluice"` inside a job resolves to this package wherever the job file lives.
import { register as registerHooks } from "node:module";
import { register } from "tsx/esm/api";

registerHooks("./resolve-sluice.mjs", import.meta.url);
register();
const { main } = await import("../src/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
