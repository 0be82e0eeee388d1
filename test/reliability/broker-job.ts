// A job over a real broker, for the kill -9 tests. Records are `id,key,value`.
//   redis, nats:    a direct stream (replayable) → running sums per key (updateStateByKey), saved each batch
//   kafka:          the same, and every record also published to `<topic>-out` exactly once (publishToKafka)
//   rabbitmq, mqtt: a reliable receiver with the WAL on → every record saved as received
// Usage: sluice submit test/reliability/broker-job.ts <kind> <checkpointDir> <outputDir> <stream|queue|topic> <url>
import {
  KafkaUtils,
  MQTTUtils,
  NatsJetStreamUtils,
  RabbitMQUtils,
  RedisStreams,
  SparkConf,
  SparkContext,
  StreamingContext,
  type DStream,
} from "sluice";
import { runReportingCommits } from "./report-commits.js";

const [kind, checkpointDir, outputDir, name, url] = process.argv.slice(2);
if (!kind || !checkpointDir || !outputDir || !name || !url)
  throw new Error(
    "usage: broker-job.ts <redis|nats|kafka|rabbitmq|mqtt> <checkpointDir> <outputDir> <stream|queue|topic> <url>",
  );
const direct = kind === "redis" || kind === "nats" || kind === "kafka";

const ssc = StreamingContext.getOrCreate(checkpointDir, () => {
  const sc = SparkContext.getOrCreate(new SparkConf().set("spark.streaming.receiver.writeAheadLog.enable", !direct));
  const ctx = new StreamingContext(sc, 0.2);
  if (direct) {
    const lines: DStream<string> =
      kind === "redis"
        ? RedisStreams.createDirectStream(ctx, { url, stream: name, group: "kill-test", maxRecordsPerBatch: 40 }).map(
            (e) => e.fields.data!,
          )
        : kind === "kafka"
          ? KafkaUtils.createDirectStream(
              ctx,
              [name],
              { "bootstrap.servers": url, "group.id": "kill-test", "auto.offset.reset": "earliest" },
              { maxRecordsPerBatch: 40 },
            ).map(([, v]) => v)
          : NatsJetStreamUtils.createDirectStream(ctx, {
              servers: url,
              stream: name,
              durable: "kill-test",
              maxRecordsPerBatch: 40,
            }).map((m) => m.data);
    if (kind === "kafka") lines.publishToKafka(`${name}-out`, { "bootstrap.servers": url });
    lines
      .map((line): [string, number] => {
        const [, key, value] = line.split(",");
        return [key!, Number(value)];
      })
      .updateStateByKey((vs: number[], s: number | undefined) => vs.reduce((a, b) => a + b, s ?? 0), 2)
      .saveAsTextFiles(`${outputDir}/state`);
  } else {
    const messages =
      kind === "rabbitmq"
        ? RabbitMQUtils.createStream(ctx, { url, queue: name, prefetch: 50 })
        : MQTTUtils.createStream(ctx, url, name);
    messages.saveAsTextFiles(`${outputDir}/seen`);
  }
  return ctx;
});
await runReportingCommits(ssc);
