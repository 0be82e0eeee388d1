// The course's code as a PySpark user writes it: no type annotations. `npm test` type-checks
// this file (tsc --noEmit): pairs must be inferred as [string, number], state as number.
import { F, Row, SparkContext, SparkSession, StreamingContext } from "sluice";

const sc = new SparkContext(undefined, "course");
const ssc = new StreamingContext(sc, 3);
ssc.checkpoint("checkpoint");
const lines = ssc.socketTextStream("localhost", 10001);
const words = lines.flatMap((line) => line.split(" "));
const pairs = words.map((w) => [w, 1]);
const counts = pairs.reduceByKey((x, y) => x + y);
counts.pprint();
const totals = pairs.updateStateByKey((vals, old) => vals.reduce((a, b) => a + b, 0) + (old || 0));
totals.pprint();
const windowed = pairs.reduceByKeyAndWindow(
  (a, b) => a + b,
  (a, b) => a - b,
  30,
  6,
);
windowed.pprint();
const spark = SparkSession.builder.getOrCreate();
words.foreachRDD(async (time, rdd) => {
  console.log(time.toISOString());
  const df = spark.createDataFrame(rdd.map((w) => ({ word: w })));
  df.createOrReplaceTempView("words");
  await spark.sql("select word, count(*) as total from words group by word").show();
});
words.foreachRDD(async (time, rdd) => {
  const df = rdd.map((w) => Row({ word: w })).toDF();
  df.registerTempTable("words");
  const counts = spark.sql("select word, count(*) as total from words group by word");
  await counts.orderBy("total", { ascending: false }).show();
  await df.groupBy("word").agg(F.count("*").alias("n")).orderBy(F.desc("n")).show();
});
words.foreachRDD((rdd) => rdd.count());
const n: [string, number][] = [];
void sc
  .parallelize(["a b"])
  .flatMap((l) => l.split(" "))
  .map((w) => [w, 1])
  .reduceByKey((a, b) => a + b)
  .collect()
  .then((r) => n.push(...r));
// a type guard narrows filter's result, as Array's filter does (RDD and DStream)
type Ev = { kind: "bid"; price: number } | { kind: "person"; name: string };
const events = ssc.queueStream<Ev>([[{ kind: "bid", price: 3 }]]);
const prices = events.filter((e): e is Extract<Ev, { kind: "bid" }> => e.kind === "bid").map((b) => b.price);
prices.foreachRDD((rdd) => rdd.filter((p): p is 3 => p === 3).map((three) => three + 0));
