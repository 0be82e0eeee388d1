// The benchmark's jobs for Sluice (local[2]), each the counterpart of SparkPeer.java and
// FlinkPeer.java, written as the course writes them.
// Usage: node --import tsx bench/peers/sluice-peer.ts (wordcount|totals|window|keyed) PORT INTERVAL_MS
//        node --import tsx bench/peers/sluice-peer.ts batch FILE
// Streaming jobs read lines from 127.0.0.1:PORT. Each batch, marker keys ("ts:SENDMS") of the
// output not printed before are printed as "lat SENDMS NOWMS".
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SparkConf, SparkContext, StreamingContext, type DStream } from "../../src/index.js";

const argv = process.argv.slice(2);
// `--master local[1]` runs the job on one thread (the benchmark's "sluice-1")
const masterAt = argv.indexOf("--master");
const master = masterAt >= 0 ? argv.splice(masterAt, 2)[1]! : "local[2]";
const [scenario, arg1, arg2] = argv;
// a normal exit on SIGTERM, so that `node --cpu-prof` writes its profile
process.on("SIGTERM", () => process.exit(0));
const conf = new SparkConf().setMaster(master).setAppName(`peer-${scenario}`).set("spark.ui.enabled", "false");
const sc = new SparkContext(conf);
const add = (a: number, b: number) => a + b;
const sub = (a: number, b: number) => a - b;

if (scenario === "batch") {
  const start = Date.now();
  const counts = await sc
    .textFile(arg1!)
    .flatMap((l) => l.split(" "))
    .filter((w) => w.length > 0)
    .map((w) => [w, 1] as [string, number])
    .reduceByKey(add)
    .collect();
  let total = 0;
  for (const [, n] of counts) total += n;
  console.log(`words ${counts.length} ${total} ${Date.now() - start}`);
  sc.stop();
} else {
  const port = Number(arg1);
  const iv = Number(arg2) / 1000;
  const ssc = new StreamingContext(sc, iv);
  ssc.checkpoint(mkdtempSync(join(tmpdir(), "sluice-peer-ck-")));
  const lines = ssc.socketTextStream("127.0.0.1", port);
  const pairs = lines.flatMap((l) => l.split(" ")).map((w) => [w, 1] as [string, number]);
  let out: DStream<[string, number]>;
  switch (scenario) {
    case "wordcount":
      out = pairs.reduceByKey(add);
      break;
    case "totals":
      out = pairs.updateStateByKey((vs: number[], old?: number) => vs.reduce(add, old ?? 0));
      break;
    case "window":
      out = pairs.reduceByKeyAndWindow(add, sub, 3 * iv, iv);
      break;
    case "keyed":
      out = lines
        .map((l) => [l.slice(0, l.indexOf(" ")), 1] as [string, number])
        .reduceByKeyAndWindow(add, sub, 4 * iv, iv);
      break;
    default:
      throw new Error(`unknown scenario ${scenario}`);
  }
  const printed = new Set<string>();
  out.foreachRDD(async (rdd) => {
    const markers = await rdd
      .keys()
      .filter((k) => k.startsWith("ts:"))
      .collect();
    const now = Date.now();
    let text = "";
    for (const m of markers) if (!printed.has(m)) (printed.add(m), (text += `lat ${m.slice(3)} ${now}\n`));
    if (text) process.stdout.write(text);
  });
  ssc.start();
  await ssc.awaitTermination();
}
