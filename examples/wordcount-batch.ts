// Word count over a text file with the batch engine.
// Run: npx sluice submit examples/wordcount-batch.ts README.md
import { SparkConf, SparkContext } from "sluice";

const path = process.argv[2];
if (!path) {
  console.error("usage: sluice submit examples/wordcount-batch.ts <file>");
  process.exit(2);
}

const sc = new SparkContext(new SparkConf().setAppName("wordcount-batch"));
const counts = sc
  .textFile(path)
  .flatMap((line) => line.split(/\s+/))
  .filter((word) => word.length > 0)
  .map((word) => [word.toLowerCase(), 1])
  .reduceByKey((a, b) => a + b);

const top = await counts.takeOrdered(10, ([word, n]) => [-n, word]);
console.log(`${await counts.count()} distinct words in ${path}; the 10 most frequent:`);
for (const [word, n] of top) console.log(`${String(n).padStart(6)}  ${word}`);
await sc.stop();
