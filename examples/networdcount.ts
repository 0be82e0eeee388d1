// The course's exercise 1: count the words that arrive on a socket, every 3 seconds.
// In one terminal:   nc -lk 10001
// In another:        npx sluice submit examples/networdcount.ts [host] [port]
import { SparkContext, StreamingContext } from "sluice";

const [host = "localhost", port = "10001"] = process.argv.slice(2);

const sc = new SparkContext(undefined, "networdcount");
sc.setLogLevel("ERROR");
const ssc = new StreamingContext(sc, 3);

const lines = ssc.socketTextStream(host, Number(port));
const words = lines.flatMap((line) => line.split(" "));
const weights = words.map((word) => [word, 1]);
const counts = weights.reduceByKey((x, y) => x + y);
counts.pprint();

ssc.start();
await ssc.awaitTermination();
