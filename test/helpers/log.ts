// What the engine logs (to stderr) while a test runs `f`, captured rather than printed, so that
// expected warnings and errors are checked and do not clutter `npm test`'s output (which runs
// with SLUICE_LOG_LEVEL=OFF: a test that checks the log raises the level while it looks).
import { LOG_LEVELS, logLevel, setLogLevel, type LogLevel } from "../../src/util/log.js";

/** Every chunk written to stderr while `f` runs, the engine logging at `level` or below for the while. */
export async function stderrDuring(f: () => unknown, level: LogLevel = "WARN"): Promise<string[]> {
  const seen: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  const before = logLevel();
  if (LOG_LEVELS.indexOf(level) < LOG_LEVELS.indexOf(before)) setLogLevel(level);
  process.stderr.write = ((c: string | Uint8Array) => (seen.push(String(c)), true)) as typeof process.stderr.write;
  try {
    await f();
  } finally {
    process.stderr.write = write;
    setLogLevel(before);
  }
  return seen;
}

/** The WARN lines logged while `f` runs. */
export async function warningsDuring(f: () => unknown): Promise<string[]> {
  return (await stderrDuring(f)).filter((w) => w.includes("WARN"));
}
