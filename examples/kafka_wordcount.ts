// Word counts from a Kafka topic every 2 seconds (Spark's kafka_wordcount.py), written back to
// Kafka exactly once. With a broker from this repository:
//   node scripts/kafka.mjs start            (prints the bootstrap servers; Java 17+ and Maven)
//   npx sluice submit examples/kafka_wordcount.ts $(node scripts/kafka.mjs status) lines --produce examples/data/quijote.txt
// reads topic "lines" (made if missing), and with --produce FILE also sends FILE's lines to it,
// 5 a second, looping, so the job has input without another tool. The counts go to "counts".
import { readFileSync } from "node:fs";
import { KafkaUtils, SparkContext, StreamingContext } from "sluice";
import { Admin, Producer, stringSerializers } from "@platformatic/kafka";

const [servers = "127.0.0.1:9092", topic = "lines", flag, file] = process.argv.slice(2);
const brokers = servers.split(",");

const admin = new Admin({ clientId: "kafka_wordcount", bootstrapBrokers: brokers });
const existing = await admin.listTopics();
const missing = [topic, "counts"].filter((t) => !existing.includes(t));
if (missing.length > 0) await admin.createTopics({ topics: missing, partitions: 2, replicas: 1 });
await admin.close();

let stopFeeding = async () => {};
if (flag === "--produce" && file) {
  const lines = readFileSync(file, "utf8").split("\n").filter(Boolean);
  const producer = new Producer({
    clientId: "kafka_wordcount-feed",
    bootstrapBrokers: brokers,
    serializers: stringSerializers,
  });
  let i = 0;
  const timer = setInterval(
    () => void producer.send({ messages: [{ topic, value: lines[i++ % lines.length]! }] }),
    200,
  );
  stopFeeding = async () => {
    clearInterval(timer);
    await producer.close();
  };
}

const sc = new SparkContext(undefined, "kafka_wordcount");
sc.setLogLevel("ERROR");
const ssc = new StreamingContext(sc, 2);
ssc.checkpoint("checkpoint-kafka");
const counts = KafkaUtils.createDirectStream(ssc, [topic], {
  "bootstrap.servers": servers,
  "auto.offset.reset": "earliest",
})
  .map(([, line]) => line)
  .flatMap((line) => line.split(" "))
  .map((word) => [word, 1])
  .reduceByKey((a, b) => a + b);
counts.pprint();
counts.publishToKafka("counts", { "bootstrap.servers": servers });
ssc.start();
await ssc.awaitTermination();
await stopFeeding();
