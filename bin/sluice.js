#!/usr/bin/env node
// The `sluice` command. Jobs may be TypeScript, so tsx's loader is registered, and
// `import "sluice"` inside a job resolves to this package wherever the job file lives.
import "./register.mjs";

const { main } = await import("../src/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
