// One version of the kappa view job: it reads the stored log from its first segment, then
// follows new segments, and keeps its view (per-user figures) in <viewDir>/view.json with the
// log position it covers. Version 1 keeps totals; version 2 (the "new code") keeps totals and
// counts. Usage: sluice submit examples/kappa/job.ts <version> <logDir> <viewDir>
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Receiver, SparkContext, StreamingContext, type RDD } from "sluice";

const [version, logDir, viewDir] = process.argv.slice(2);
if (!version || !logDir || !viewDir) throw new Error("usage: job.ts <version> <logDir> <viewDir>");
mkdirSync(viewDir, { recursive: true });

type Event = { segment: number; user: string; amount: number };

/** Replays the log's segments in order from the first, then follows new ones. */
class LogReceiver extends Receiver<Event> {
  private next = 0;
  private timer: NodeJS.Timeout | undefined;

  onStart(): void {
    const poll = async () => {
      // catching up reads many segments a poll; afterwards each new one as it comes
      for (let n = 0; n < 50 && existsSync(join(logDir!, `${String(this.next).padStart(5, "0")}.jsonl`)); n++) {
        const lines = readFileSync(join(logDir!, `${String(this.next).padStart(5, "0")}.jsonl`), "utf8").split("\n").filter(Boolean);
        const segment = this.next++;
        await this.storeBlock(lines.map((l) => ({ ...(JSON.parse(l) as { user: string; amount: number }), segment })));
      }
      if (this.isStarted()) this.timer = setTimeout(() => void poll(), 50);
    };
    void poll();
  }

  onStop(): void {
    clearTimeout(this.timer);
  }
}

const sc = new SparkContext(undefined, `kappa-v${version}`);
sc.setLogLevel("ERROR");
const ssc = new StreamingContext(sc, 0.5);
ssc.checkpoint(join(viewDir, "checkpoint"));
const events = ssc.receiverStream(new LogReceiver());
// the view: version 1 sums amounts; version 2 also counts events
const view = events
  .map((e): [string, [number, number, number]] => [e.user, [e.amount, 1, e.segment]])
  .updateStateByKey((values: [number, number, number][], old: [number, number, number] | undefined) =>
    values.reduce((acc, v): [number, number, number] => [acc[0] + v[0], acc[1] + v[1], Math.max(acc[2], v[2])], old ?? [0, 0, -1]));
view.foreachRDD(async (rdd: RDD<[string, [number, number, number]]>) => {
  const rows = await rdd.collect();
  const position = Math.max(-1, ...rows.map(([, [, , seg]]) => seg)) + 1;
  const figures = Object.fromEntries(rows.map(([user, [total, count]]) => [user, version === "1" ? { total } : { total, count }]));
  writeFileSync(join(viewDir, "view.json.tmp"), JSON.stringify({ version, position, figures }));
  renameSync(join(viewDir, "view.json.tmp"), join(viewDir, "view.json"));
});
ssc.start();
await ssc.awaitTermination();
