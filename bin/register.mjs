// Registers what Sluice's commands need to run users' code: tsx's loader (jobs and tests may be
// TypeScript), and a resolution hook so that `import "sluice"` finds this package wherever the
// file lives. `sluice test` runs `node --import <this file> --test`.
import { register as registerHooks } from "node:module";
import { register } from "tsx/esm/api";

registerHooks("./resolve-sluice.mjs", import.meta.url);
register();
