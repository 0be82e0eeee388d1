// The course's exercise 2: running word totals since the job started, with updateStateByKey.
// In one terminal:   nc -lk 10001
// In another:        npx sluice submit examples/networdcount_state.ts [host] [port]
import { SparkContext, StreamingContext } from "sluice";

const [host = "localhost", port = "10001"] = process.argv.slice(2);

const sc = new SparkContext(undefined, "networdcount_state");
sc.setLogLevel("ERROR");
const ssc = new StreamingContext(sc, 3);
ssc.checkpoint("checkpoint"); // required by updateStateByKey

const lines = ssc.socketTextStream(host, Number(port));
const counts = lines
  .flatMap((line) => line.split(" "))
  .map((word) => [word, 1])
  .updateStateByKey((newValues, last) => newValues.reduce((a, b) => a + b, 0) + (last ?? 0));
counts.pprint();

ssc.start();
await ssc.awaitTermination();
