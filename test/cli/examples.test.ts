import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { test } from "node:test";

const RULER = "-".repeat(43);

/**
 * Runs a course example under `sluice submit` against a line server (what `nc -lk` does),
 * sends `input`, waits for a pprint block that `done` accepts (the job's own output, on
 * its 3 s batches: no timer in the test), then stops it with SIGINT.
 */
async function runExample(example: string, input: string, done: (block: string[]) => boolean) {
  const connections: Socket[] = [];
  const server = createServer((s) => connections.push(s));
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const port = (server.address() as { port: number }).port;
  const cwd = mkdtempSync(join(tmpdir(), "sluice-example-")); // the examples write ./checkpoint
  const job = spawn(
    process.execPath,
    [resolve("bin/sluice.js"), "submit", resolve("examples", example), "127.0.0.1", String(port)],
    {
      cwd,
      env: { ...process.env, SLUICE_CONF: "" },
    },
  );
  let stdout = "";
  let stderr = "";
  const blocks = () =>
    stdout
      .split("\n\n")
      .filter((b) => b.startsWith(RULER))
      .map((b) => b.split("\n").slice(3));
  try {
    await new Promise<void>((resolveWait, reject) => {
      let sent = false;
      const check = () => {
        if (!sent && /sluice: streaming app/.test(stderr) && connections.length > 0) {
          sent = true;
          connections[0]!.write(input);
        }
        if (blocks().some(done)) resolveWait();
      };
      job.stdout.on("data", (d: Buffer) => {
        stdout += d;
        check();
      });
      job.stderr.on("data", (d: Buffer) => {
        stderr += d;
        check();
      });
      server.on("connection", check);
      job.on("exit", () => reject(new Error(`job exited early; stdout:\n${stdout}\nstderr:\n${stderr}`)));
    });
    job.kill("SIGINT");
    const [code] = (await once(job, "exit")) as [number | null];
    assert.equal(code, 0, stderr);
    return { stdout, stderr, blocks: blocks() };
  } finally {
    job.kill("SIGKILL");
    for (const c of connections) c.destroy();
    server.close();
    rmSync(cwd, { recursive: true, force: true });
  }
}

test("examples/networdcount.ts prints each batch's counts", async () => {
  const { blocks, stderr } = await runExample("networdcount.ts", "hola mundo hola\nadios mundo\n", (b) =>
    b.includes("('adios', 1)"),
  );
  const block = blocks.find((b) => b.includes("('adios', 1)"))!;
  assert.deepEqual([...block].sort(), ["('adios', 1)", "('hola', 2)", "('mundo', 2)"]);
  assert.match(
    stderr,
    /sluice: streaming app "networdcount" \(local\[\*\]\): batch interval 3s, 1 receiver\(s\): socketTextStream 127\.0\.0\.1:\d+/,
  );
  assert.match(stderr, /SIGINT: stopping gracefully/);
});

test("examples/networdcount_state.ts prints running totals", async () => {
  const { blocks } = await runExample("networdcount_state.ts", "a b a\n", (b) => b.includes("('a', 2)"));
  assert.deepEqual([...blocks.find((b) => b.includes("('a', 2)"))!].sort(), ["('a', 2)", "('b', 1)"]);
});

test("examples/networdcount_win.ts prints counts over the window every 6 s", async () => {
  const { blocks } = await runExample("networdcount_win.ts", "x y x\n", (b) => b.includes("('x', 2)"));
  assert.deepEqual([...blocks.find((b) => b.includes("('x', 2)"))!].sort(), ["('x', 2)", "('y', 1)"]);
});
