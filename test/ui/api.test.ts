import assert from "node:assert/strict";
import { test } from "node:test";
import { SparkConf, SparkContext, webUi } from "../../src/index.js";
import { BATCHES, uiJob } from "../helpers/ui-job.js";

test("REST API: statistics, batches, output operations, jobs, stages and tasks with record counts", async () => {
  const { ssc, get, runBatch } = await uiJob();
  try {
    for (let i = 0; i < BATCHES.length; i++) await runBatch(i);
    const stats = await get<Record<string, number>>("/streaming/statistics");
    assert.equal(stats.batchDuration, 1000);
    assert.equal(stats.numTotalCompletedBatches, 3);
    assert.equal(stats.numProcessedRecords, 5);
    assert.equal(stats.numReceivers, 1);
    assert.equal(stats.numActiveReceivers, 1);
    const batches =
      await get<{ batchId: number; inputSize: number; status: string; numTotalOutputOps: number; batchTime: string }[]>(
        "/streaming/batches",
      );
    assert.deepEqual(
      batches.map((b) => [b.batchId, b.inputSize, b.status]),
      [
        [3000, 0, "COMPLETED"],
        [2000, 3, "COMPLETED"],
        [1000, 2, "COMPLETED"],
      ],
    );
    assert.equal(batches[2]!.batchTime, "1970-01-01T00:00:01.000GMT");
    assert.ok(
      batches.every((b) => b.numTotalOutputOps === 2),
      "the job's two outputs; the state checkpoint is the engine's own",
    );
    // batch 2: the word-count output's job — a map stage reading the 3 lines, a result stage handing out the distinct
    // words
    const ops = await get<{ outputOpId: number; jobIds: number[]; internal: boolean; name: string }[]>(
      "/streaming/batches/2000/operations",
    );
    assert.deepEqual(
      ops.map((o) => o.internal),
      [false, false, true],
    );
    assert.match(ops[2]!.name, /^checkpoint state of StateDStream/);
    const job = await get<{ stageIds: number[]; status: string; jobGroup: string }>(`/jobs/${ops[0]!.jobIds[0]}`);
    assert.equal(job.status, "SUCCEEDED");
    assert.equal(job.jobGroup, "2000");
    const stages = await Promise.all(
      job.stageIds.map((s) =>
        get<{
          kind: string;
          inputRecords: number;
          outputRecords: number;
          shuffleWriteRecords: number;
          tasks: { recordsOut: number }[];
        }>(`/stages/${s}`),
      ),
    );
    const map = stages.find((s) => s.kind === "ShuffleMapStage")!;
    const result = stages.find((s) => s.kind === "ResultStage")!;
    const words = BATCHES[1]!.flatMap((l) => l.split(" "));
    assert.equal(map.inputRecords, BATCHES[1]!.length, "the map stage read the batch's lines");
    assert.equal(
      map.shuffleWriteRecords,
      new Set(words).size,
      "after the map-side combine: one record per distinct word per task at most",
    );
    assert.equal(result.outputRecords, new Set(words).size, "the result stage handed out one count per distinct word");
    assert.equal(result.inputRecords, map.shuffleWriteRecords, "it read what the map stage wrote");
    const receivers =
      await get<{ streamName: string; isActive: boolean; eventRates: [number, number][] }[]>("/streaming/receivers");
    assert.deepEqual(
      receivers.map((r) => [r.streamName, r.isActive]),
      [["HandFed", true]],
    );
    // records per second in each 1 s batch: the lines fed for it
    assert.deepEqual(
      receivers[0]!.eventRates,
      BATCHES.map((lines, i) => [1000 * (i + 1), lines.length]),
    );
    const env = await get<{ sparkProperties: [string, string][] }>("/environment");
    assert.ok(env.sparkProperties.some(([k, v]) => k === "spark.app.name" && v === "ui-test"));
  } finally {
    await ssc.stop();
  }
});

test("/metrics in Prometheus text: batches, records per receiver, delay histograms, state size, queue", async () => {
  const { ssc, ui, runBatch } = await uiJob();
  try {
    for (let i = 0; i < BATCHES.length; i++) await runBatch(i);
    const text = await (await fetch(`${ui.url}/metrics`)).text();
    const value = (name: string, labels = "") => {
      const line = text.split("\n").find((l) => l.startsWith(`${name}{`) && l.includes(labels));
      assert.ok(line, `${name} ${labels} in /metrics`);
      return Number(line.split(" ").pop());
    };
    assert.equal(value("sluice_streaming_batches_completed_total"), 3);
    assert.equal(value("sluice_streaming_batches_failed_total"), 0);
    assert.equal(value("sluice_streaming_records_total"), 5);
    assert.equal(value("sluice_receiver_records_total", 'receiver="HandFed"'), 5);
    assert.equal(value("sluice_streaming_processing_time_seconds_count"), 3);
    assert.equal(value("sluice_streaming_scheduling_delay_seconds_count"), 3);
    const distinct = new Set(BATCHES.flat().flatMap((l) => l.split(" "))).size;
    assert.equal(value("sluice_streaming_state_records", 'stream="StateDStream'), distinct);
    assert.equal(value("sluice_streaming_queued_batches"), 0);
    assert.match(text, /# TYPE sluice_streaming_processing_time_seconds histogram/);
  } finally {
    await ssc.stop();
  }
});

test("live events: a completed batch is pushed to /events subscribers", async () => {
  const { ssc, ui, runBatch } = await uiJob();
  try {
    const controller = new AbortController();
    const res = await fetch(`${ui.url}/events`, { signal: controller.signal });
    const reader = res.body!.getReader();
    const seen: string[] = [];
    const completed = (async () => {
      const dec = new TextDecoder();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return false;
        seen.push(dec.decode(value));
        if (/"status":"COMPLETED"/.test(seen.join("")) && /"batchTime":1000/.test(seen.join(""))) return true;
      }
    })();
    await runBatch(0);
    assert.equal(await completed, true);
    assert.match(seen.join(""), /event: hello/);
    controller.abort();
  } finally {
    await ssc.stop();
  }
});

test("the UI takes the next free port, and spark.ui.enabled=false starts none", async () => {
  const { createServer } = await import("node:net");
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", () => r()));
  const taken = (blocker.address() as { port: number }).port;
  const sc = new SparkContext(
    new SparkConf(false).setMaster("local[1]").setAppName("port").set("spark.ui.port", String(taken)),
  );
  try {
    const ui = (await webUi(sc))!;
    assert.equal(new URL(ui.url).port, String(taken + 1));
    assert.equal(sc.uiWebUrl, ui.url);
    assert.equal(new URL(ui.url).hostname, "127.0.0.1");
  } finally {
    await sc.stop();
    blocker.close();
  }
  const off = new SparkContext(
    new SparkConf(false).setMaster("local[1]").setAppName("off").set("spark.ui.enabled", "false"),
  );
  assert.equal(await webUi(off), undefined);
  await off.stop();
});
