// The course's exercise 3: word counts over the last 30 seconds, every 6 seconds, computed
// incrementally with an inverse function (3-second batches, as in the course).
// In one terminal:   nc -lk 10001
// In another:        npx sluice submit examples/networdcount_win.ts [host] [port]
import { SparkContext, StreamingContext } from "sluice";

const [host = "localhost", port = "10001"] = process.argv.slice(2);

const sc = new SparkContext(undefined, "networdcount_win");
sc.setLogLevel("ERROR");
const ssc = new StreamingContext(sc, 3);
ssc.checkpoint("checkpoint"); // required by the inverse function

const lines = ssc.socketTextStream(host, Number(port));
const counts = lines
  .flatMap((line) => line.split(" "))
  .map((word) => [word, 1])
  .reduceByKeyAndWindow(
    (a, b) => a + b, // words entering the window
    (a, b) => a - b, // words leaving it
    30, // window: the last 30 seconds
    6, // slide: every 6 seconds
    undefined,
    ([, n]) => n > 0, // drop words whose count fell back to 0
  );
counts.pprint();

ssc.start();
await ssc.awaitTermination();
