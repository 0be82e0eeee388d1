import assert from "node:assert/strict";
import { after, test } from "node:test";
import { ManualClock, SparkSession, StreamingContext, type RDD } from "../../src/index.js";
import { sorted } from "../helpers/context.js";

test("SQL over each batch of a stream (the course's pattern) equals reduceByKey per batch, empty batches included", async () => {
  const spark = SparkSession.builder.appName("sql-stream").master("local[2]").getOrCreate();
  after(() => spark.stop());
  const clock = new ManualClock();
  const ssc = new StreamingContext(spark.sparkContext, 1, { clock, out: () => {} });
  const batches = [["hola mundo hola", "adios"], [], ["mundo mundo"]];
  const words = ssc.queueStream(batches.map((b) => [...b])).flatMap((l) => l.split(" "));
  const viaSql: [number, unknown[]][] = [];
  words.foreachRDD(async (time: Date, rdd: RDD<string>) => {
    const df = spark.createDataFrame(rdd.map((w) => ({ word: w })));
    df.createOrReplaceTempView("words");
    const rows = await spark.sql("select word, count(*) as total from words group by word").collect();
    viaSql.push([time.getTime(), sorted(rows.map((r) => [r.word, r.total]))]);
  });
  const viaRdd: [number, unknown[]][] = [];
  words
    .map((w): [string, number] => [w, 1])
    .reduceByKey((a, b) => a + b)
    .foreachRDD(async (time: Date, rdd: RDD<[string, number]>) => {
      viaRdd.push([time.getTime(), sorted(await rdd.collect())]);
    });
  ssc.start();
  for (let i = 0; i < batches.length; i++) {
    clock.advance(1000);
    await ssc.scheduler.whenIdle();
  }
  await ssc.stop(false);
  assert.deepEqual(viaSql, viaRdd);
  assert.deepEqual(
    viaSql.map(([, r]) => r),
    [
      [
        ["adios", 1],
        ["hola", 2],
        ["mundo", 1],
      ],
      [],
      [["mundo", 2]],
    ],
  );
});

test("an empty batch after earlier ones shows the view's columns in show()", async () => {
  const spark =
    SparkSession.getActiveSession() ?? SparkSession.builder.appName("sql-stream-2").master("local[2]").getOrCreate();
  const printed: string[] = [];
  spark.out = (t) => printed.push(t);
  spark.createDataFrame([{ word: "a" }]).createOrReplaceTempView("w2");
  await spark.sql("select word, count(*) as total from w2 group by word").show();
  spark.createDataFrame(spark.sparkContext.parallelize([] as { word: string }[], 2)).createOrReplaceTempView("w2");
  await spark.sql("select word, count(*) as total from w2 group by word").show();
  assert.equal(printed[1], "+----+-----+\n|word|total|\n+----+-----+\n+----+-----+\n");
});
