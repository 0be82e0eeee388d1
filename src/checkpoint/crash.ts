/**
 * Named crash points for the kill-9 tests: with `SLUICE_CRASH_AT=<point>:<n>` the process
 * kills itself with SIGKILL the n-th time it reaches `<point>` (1-based). Without the
 * variable this does nothing.
 */
const spec = /^([a-z-]+):(\d+)$/.exec(process.env.SLUICE_CRASH_AT ?? "");
let seen = 0;

/** The points the engine passes, in batch order. */
export const CRASH_POINTS = ["after-offsets", "mid-output", "before-commit", "after-tmp-write", "after-rename", "after-commit"] as const;
export type CrashPoint = (typeof CRASH_POINTS)[number];

export function crashPoint(point: CrashPoint): void {
  if (!spec || spec[1] !== point) return;
  seen++;
  if (seen === Number(spec[2])) process.kill(process.pid, "SIGKILL");
}
