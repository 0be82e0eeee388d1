// A process that takes the checkpoint lock of a directory, prints what happened, and holds it a while.
// Usage: node --import tsx lock-child.ts <dir> <holdMs>
import { CheckpointManager } from "../../src/checkpoint/checkpoint-manager.js";

const [dir, holdMs = "300"] = process.argv.slice(2);
const manager = new CheckpointManager(dir!, undefined, 0);
try {
  manager.open();
  process.stdout.write("locked\n");
  setTimeout(() => manager.close(), Number(holdMs));
} catch (err) {
  process.stdout.write(`refused: ${(err as Error).message}\n`);
}
