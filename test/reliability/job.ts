// The job the reliability tests kill and restart: a replayable file source, running totals
// with updateStateByKey, and two idempotent file sinks (the records seen per batch, and the
// state per batch). Prints "committed <batchTime>" once each batch is committed.
// Usage: sluice submit test/reliability/job.ts <checkpointDir> <inputDir> <outputDir> [batchSeconds] [snapshotSeconds]
import { SparkContext, StreamingContext } from "sluice";
import { faultFsFromEnv } from "../helpers/fault-fs.js";
import { runReportingCommits } from "./report-commits.js";

const [checkpointDir, inputDir, outputDir, batchSeconds = "0.1", snapshotSeconds] = process.argv.slice(2);
if (!checkpointDir || !inputDir || !outputDir)
  throw new Error("usage: job.ts <checkpointDir> <inputDir> <outputDir> [batchSeconds]");

const ssc = StreamingContext.getOrCreate(checkpointDir, () => {
  const sc = SparkContext.getOrCreate();
  const ctx = new StreamingContext(sc, Number(batchSeconds), { fs: faultFsFromEnv() });
  const lines = ctx.textFileStream(inputDir);
  lines.saveAsTextFiles(`${outputDir}/seen`);
  // the soak also writes every record to PostgreSQL (T1), idempotently per batch
  const pgUrl = process.env.SLUICE_JOB_PG_URL;
  const pgTable = process.env.SLUICE_JOB_PG_TABLE;
  if (pgUrl && pgTable) {
    lines
      .map((line) => {
        const [id, key, value] = line.split(",");
        return { id, key, value: Number(value) };
      })
      .saveToPostgres(pgTable, { url: pgUrl, mode: "append" });
  }
  lines
    .map((line): [string, number] => {
      const [, key, value] = line.split(",");
      return [key!, Number(value)];
    })
    .updateStateByKey((values: number[], total: number | undefined) => values.reduce((a, b) => a + b, total ?? 0), 2)
    .checkpoint(Number(snapshotSeconds ?? 10))
    .saveAsTextFiles(`${outputDir}/state`);
  return ctx;
});
await runReportingCommits(ssc);
