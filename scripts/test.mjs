// Runs every test/**/*.test.ts file with Node's test runner and tsx's loader.
// Usage: node scripts/test.mjs [substring…]  (only files whose path contains one of them)
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join, relative } from "node:path";

function findTests(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return findTests(p);
    return e.name.endsWith(".test.ts") ? [p] : [];
  });
}

const filters = process.argv.slice(2);
const files = findTests("test")
  .map((f) => relative(".", f))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();
if (files.length === 0) {
  console.error("no test files matched");
  process.exit(1);
}
// no web UI for the many contexts tests make (the UI's own tests turn it on); submitted jobs get their own conf.
// The engine's log is off: tests that expect warnings or errors capture them (test/helpers/log.ts) and check them,
// so what remains on the screen is the test report. SLUICE_LOG_LEVEL=WARN npm test shows everything.
const env = {
  ...process.env,
  SLUICE_CONF: JSON.stringify({ "spark.ui.enabled": "false" }),
  SLUICE_LOG_LEVEL: process.env.SLUICE_LOG_LEVEL ?? "OFF",
};
// a real Kafka broker for the Kafka tests, unless SLUICE_KAFKA_BROKERS names a cluster: started here (Maven fetches it
// once), stopped at the end; one that cannot start fails the run under CI=true, and skips those tests otherwise
let startedKafka = false;
if (!env.SLUICE_KAFKA_BROKERS && files.some((f) => /kafka|broker/i.test(f))) {
  const kafka = await import("./kafka.mjs");
  if (!kafka.bootstrapServers()) {
    const began = Date.now();
    try {
      await kafka.start(1);
      startedKafka = true;
      console.error(`test: Kafka broker at ${kafka.bootstrapServers()} (started in ${Date.now() - began} ms)`);
    } catch (err) {
      console.error(`test: no Kafka broker: ${err.message}`);
      if (process.env.CI === "true") process.exit(1);
    }
  }
  if (kafka.bootstrapServers()) env.SLUICE_KAFKA_BROKERS = kafka.bootstrapServers();
}
const result = spawnSync(process.execPath, ["--import", "tsx", "--test", "--test-reporter=spec", ...files], {
  stdio: "inherit",
  env,
});
if (startedKafka) await (await import("./kafka.mjs")).stop();
process.exit(result.status ?? 1);
