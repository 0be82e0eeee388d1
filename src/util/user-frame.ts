import { dirname, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

/** Sluice's own code (src/, dist/, bin/ of this package): frames there are not the user's. */
const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const ownDirs = ["src", "dist", "bin"].map((d) => resolve(packageRoot, d) + sep);

/** `file:line:col` of each frame of a V8 stack, file URLs as paths. */
function frames(stack: string): string[] {
  const out: string[] = [];
  for (const line of stack.split("\n")) {
    const m = /^\s+at (?:.*? \()?(.+?):(\d+):(\d+)\)?$/.exec(line);
    if (!m) continue;
    let file = m[1]!;
    if (file.startsWith("file://")) file = fileURLToPath(file);
    out.push(`${file}:${m[2]}:${m[3]}`);
  }
  return out;
}

function isUsers(frame: string): boolean {
  return (
    !frame.startsWith("node:") &&
    !frame.includes(`${sep}node_modules${sep}`) &&
    !ownDirs.some((d) => frame.startsWith(d)) &&
    frame.startsWith(sep)
  );
}

/**
 * The first frame of the user's code: in `file` when given (the job `sluice submit` runs), else outside Sluice, Node
 * and node_modules; for an error, searched in its stack and then its causes'. Where the user called us from, or
 * where their function threw.
 */
export function userFrame(from: unknown = new Error(), file?: string): string | undefined {
  for (let err = from, depth = 0; err instanceof Error && depth < 5; err = err.cause, depth++) {
    const all = frames(err.stack ?? "");
    const found = file ? all.find((f) => f.startsWith(file + ":")) : all.find(isUsers);
    if (found) return found;
  }
  return undefined;
}
