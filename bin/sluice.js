#!/usr/bin/env node
// The `sluice` command. Jobs may be TypeScript, so tsx's loader is registered first.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
