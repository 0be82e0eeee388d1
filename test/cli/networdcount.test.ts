import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createServer, type Socket } from "node:net";
import { test } from "node:test";

// End to end: the course's exercise 1 under `sluice submit`, fed by a line server as
// `nc -lk` would be. It waits on the job's own output (a 3 s batch), never on a timer.
test("sluice submit examples/networdcount.ts counts socket words per batch and stops gracefully on SIGINT", async () => {
  const connections: Socket[] = [];
  const server = createServer((s) => connections.push(s));
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const port = (server.address() as { port: number }).port;
  const job = spawn(process.execPath, ["bin/sluice.js", "submit", "examples/networdcount.ts", "127.0.0.1", String(port)], {
    env: { ...process.env, SLUICE_CONF: "" },
  });
  let stdout = "";
  let stderr = "";
  const waitFor = (pattern: RegExp, stream: "out" | "err") => new Promise<void>((resolve, reject) => {
    const check = () => {
      if (pattern.test(stream === "out" ? stdout : stderr)) resolve();
    };
    job.stdout.on("data", (d: Buffer) => { stdout += d; check(); });
    job.stderr.on("data", (d: Buffer) => { stderr += d; check(); });
    job.on("exit", () => reject(new Error(`job exited early; stdout:\n${stdout}\nstderr:\n${stderr}`)));
    check();
  });
  try {
    await waitFor(/sluice: streaming app "networdcount" \(local\[\*\]\): batch interval 3s, 1 receiver\(s\): socketTextStream 127\.0\.0\.1:\d+/, "err");
    if (connections.length === 0) await once(server, "connection");
    connections[0]!.write("hola mundo hola\nadios mundo\n");
    await waitFor(/\('adios', 1\)/, "out");
    job.kill("SIGINT");
    const [code] = (await once(job, "exit")) as [number | null];
    assert.equal(code, 0, stderr);
    const block = stdout.split("\n\n").find((b) => b.includes("('adios', 1)"))!;
    const lines = block.trim().split("\n");
    assert.equal(lines[0], "-".repeat(43));
    assert.match(lines[1]!, /^Time: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    assert.equal(lines[2], "-".repeat(43));
    assert.deepEqual(lines.slice(3).sort(), ["('adios', 1)", "('hola', 2)", "('mundo', 2)"]);
    assert.match(stderr, /SIGINT: stopping gracefully/);
  } finally {
    job.kill("SIGKILL");
    for (const c of connections) c.destroy();
    server.close();
  }
});
