// A job with a reliable receiver over a "broker" directory: each file there is one message
// `id,key,value`; the receiver stores a batch of messages with storeBlock and acknowledges
// them (deletes the files) only after it resolves, i.e. after the write-ahead log fsync.
// Usage: sluice submit test/reliability/wal-job.ts <checkpointDir> <brokerDir> <outputDir>
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { Receiver, SparkConf, SparkContext, StreamingContext } from "sluice";
import { faultFsFromEnv } from "../helpers/fault-fs.js";
import { runReportingCommits } from "./report-commits.js";

const [checkpointDir, brokerDir, outputDir] = process.argv.slice(2);
if (!checkpointDir || !brokerDir || !outputDir)
  throw new Error("usage: wal-job.ts <checkpointDir> <brokerDir> <outputDir>");

class DirectoryBrokerReceiver extends Receiver<string> {
  private timer: NodeJS.Timeout | undefined;
  private inFlight = new Set<string>();

  onStart(): void {
    const poll = async () => {
      const names = readdirSync(brokerDir!)
        .filter((n) => n.startsWith("m-") && !this.inFlight.has(n))
        .sort()
        .slice(0, 7);
      if (names.length > 0) {
        const records = names.map((n) => readFileSync(join(brokerDir!, n), "utf8").trim());
        for (const n of names) this.inFlight.add(n);
        await this.storeBlock(records);
        for (const n of names) rmSync(join(brokerDir!, n)); // the acknowledgement
      }
      if (this.isStarted())
        this.timer = setTimeout(() => void poll().catch((e: unknown) => this.restart("poll failed", e)), 15);
    };
    this.timer = setTimeout(() => void poll(), 15);
  }

  onStop(): void {
    clearTimeout(this.timer);
  }
}

const ssc = StreamingContext.getOrCreate(checkpointDir, () => {
  const sc = SparkContext.getOrCreate(new SparkConf().set("spark.streaming.receiver.writeAheadLog.enable", true));
  const ctx = new StreamingContext(sc, 0.1, { fs: faultFsFromEnv() });
  const lines = ctx.receiverStream(new DirectoryBrokerReceiver());
  lines.saveAsTextFiles(`${outputDir}/seen`);
  return ctx;
});
await runReportingCommits(ssc);
