// A job over a real broker, for the kill -9 tests. Records are `id,key,value`.
//   redis:    a direct stream (replayable) → running sums per key (updateStateByKey), saved each batch
//   rabbitmq: a reliable receiver with the WAL on → every record saved as received
// Usage: sluice submit test/reliability/broker-job.ts <redis|rabbitmq> <checkpointDir> <outputDir> <stream|queue> <url>
import { RabbitMQUtils, RedisStreams, SparkConf, SparkContext, StreamingContext, type StreamEntry } from "sluice";
import { runReportingCommits } from "./report-commits.js";

const [kind, checkpointDir, outputDir, name, url] = process.argv.slice(2);
if (!kind || !checkpointDir || !outputDir || !name || !url) throw new Error("usage: broker-job.ts <redis|rabbitmq> <checkpointDir> <outputDir> <stream|queue> <url>");

const ssc = StreamingContext.getOrCreate(checkpointDir, () => {
  const sc = SparkContext.getOrCreate(new SparkConf().set("spark.streaming.receiver.writeAheadLog.enable", kind === "rabbitmq"));
  const ctx = new StreamingContext(sc, 0.2);
  if (kind === "redis") {
    RedisStreams.createDirectStream(ctx, { url, stream: name, group: "kill-test", maxRecordsPerBatch: 40 })
      .map((e: StreamEntry): [string, number] => {
        const [, key, value] = e.fields.data!.split(",");
        return [key!, Number(value)];
      })
      .updateStateByKey((vs: number[], s: number | undefined) => vs.reduce((a, b) => a + b, s ?? 0), 2)
      .saveAsTextFiles(`${outputDir}/state`);
  } else {
    RabbitMQUtils.createStream(ctx, { url, queue: name, prefetch: 50 }).saveAsTextFiles(`${outputDir}/seen`);
  }
  return ctx;
});
await runReportingCommits(ssc);
