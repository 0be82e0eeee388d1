// What the engine logs (to stderr) while a test runs `f`, captured rather than printed, so that
// expected warnings and errors are checked and do not clutter `npm test`'s output.

/** Every chunk written to stderr while `f` runs. */
export async function stderrDuring(f: () => unknown): Promise<string[]> {
  const seen: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((c: string | Uint8Array) => (seen.push(String(c)), true)) as typeof process.stderr.write;
  try {
    await f();
  } finally {
    process.stderr.write = write;
  }
  return seen;
}

/** The WARN lines logged while `f` runs. */
export async function warningsDuring(f: () => unknown): Promise<string[]> {
  return (await stderrDuring(f)).filter((w) => w.includes("WARN"));
}
