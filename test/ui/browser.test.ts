import assert from "node:assert/strict";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { uiJob } from "../helpers/ui-job.js";

/** Debian's Chromium (`apt install chromium`); the browser tests say so and skip when it is missing. */
const CHROMIUM = process.env.SLUICE_CHROMIUM ?? "/usr/bin/chromium";
const ARTIFACTS = join("test-artifacts", "ui");

test("the Streaming page shows the batches that ran with their record counts, and its charts grow when a batch completes", async (t) => {
  if (!existsSync(CHROMIUM)) {
    t.skip(`no Chromium at ${CHROMIUM} (apt install chromium, or set SLUICE_CHROMIUM)`);
    return;
  }
  const { chromium } = await import("playwright-core");
  mkdirSync(ARTIFACTS, { recursive: true });
  const { ssc, ui, runBatch } = await uiJob();
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  try {
    await runBatch(0);
    await runBatch(1);
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    await page.goto(`${ui.url}/streaming`);
    const rows = page.locator("#completed-batches tbody tr");
    await rows.nth(1).waitFor();
    // newest first: batch 2 (3 lines), batch 1 (2 lines)
    assert.deepEqual(await rows.locator("td.records").allTextContents(), ["3", "2"]);
    const chart = page.locator("#chart-processing");
    assert.equal(await chart.getAttribute("data-points"), "2");
    assert.equal(await page.locator("#chart-processing canvas").count(), 1, "a chart was drawn");
    await page.screenshot({ path: join(ARTIFACTS, "streaming-before.png"), fullPage: true });

    // a new batch completes: the page updates itself (server-sent events), no reload
    await runBatch(2);
    await page.waitForFunction(`document.querySelector("#chart-processing")?.getAttribute("data-points") === "3"`);
    assert.deepEqual(await rows.locator("td.records").allTextContents(), ["0", "3", "2"]);
    assert.match(
      (await page.locator("#stream-summary").textContent()) ?? "",
      /3 completed batches retained, 5 records/,
    );
    await page.screenshot({ path: join(ARTIFACTS, "streaming-after.png"), fullPage: true });

    // a batch's page lists its jobs, stages and tasks
    await rows.nth(1).locator("a").click();
    await page.locator("table.tasks tbody tr").first().waitFor();
    assert.match((await page.locator("#batch-summary").textContent()) ?? "", /3 records/);
    assert.ok((await page.locator("table.tasks tbody tr").count()) >= 2, "task rows");
    await page.screenshot({ path: join(ARTIFACTS, "batch.png"), fullPage: true });

    await page.goto(`${ui.url}/receivers`);
    await page.locator("#receivers tbody tr td").first().waitFor();
    assert.match((await page.locator("#receivers tbody").textContent()) ?? "", /HandFed.*ACTIVE/);
    assert.equal(await page.locator("#chart-receivers").getAttribute("data-points"), "3", "one rate per batch");
    await page.screenshot({ path: join(ARTIFACTS, "receivers.png"), fullPage: true });
    await page.goto(`${ui.url}/environment`);
    assert.match((await page.locator("#conf").textContent()) ?? "", /spark\.app\.name.*ui-test/);
  } finally {
    await browser.close();
    await ssc.stop();
  }
});
