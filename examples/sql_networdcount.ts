// The course's pattern: DataFrames and SQL over each batch of a DStream.
// In one terminal:   nc -lk 10001
// In another:        npx sluice submit examples/sql_networdcount.ts [host] [port]
import { SparkSession, StreamingContext } from "sluice";

const [host = "localhost", port = "10001"] = process.argv.slice(2);

const spark = SparkSession.builder.appName("sql_networdcount").getOrCreate();
spark.sparkContext.setLogLevel("ERROR");
const ssc = new StreamingContext(spark.sparkContext, 3);

const words = ssc.socketTextStream(host, Number(port)).flatMap((line) => line.split(" "));
words.foreachRDD(async (time, rdd) => {
  console.log(`========= ${time.toISOString()} =========`);
  const df = spark.createDataFrame(rdd.map((w) => ({ word: w })));
  df.createOrReplaceTempView("words");
  await spark.sql("select word, count(*) as total from words group by word").show();
});

ssc.start();
await ssc.awaitTermination();
