// The course's SQL pattern as a PySpark user writes it (Row, rdd.toDF(), registerTempTable,
// orderBy(..., ascending=False), pyspark.sql.functions), with the outputs Spark prints.
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { AnalysisException, F, ManualClock, Row, SparkSession, StreamingContext } from "../../src/index.js";

const spark = SparkSession.builder.appName("pyspark-sql").master("local[2]").getOrCreate();
const printed: string[] = [];
spark.out = (t: string) => void printed.push(t);
after(() => spark.stop());

test("the course's pattern: Row, rdd.toDF(), registerTempTable, spark.sql, orderBy(ascending=false), show", async () => {
  printed.length = 0;
  const clock = new ManualClock();
  const ssc = new StreamingContext(spark.sparkContext, 1, { clock, out: () => {} });
  const words = ssc.queueStream([["hola mundo hola", "adios"]]).flatMap((l) => l.split(" "));
  words.foreachRDD(async (time, rdd) => {
    const df = rdd.map((w) => Row({ word: w })).toDF();
    df.registerTempTable("words");
    const counts = spark.sql("select word, count(*) as total from words group by word");
    await counts.orderBy("total", "word", { ascending: [false, true] }).show();
    await counts.printSchema();
  });
  ssc.start();
  clock.advance(1000);
  await ssc.scheduler.whenIdle();
  await ssc.stop(false);
  assert.deepEqual(printed, [
    [
      "+-----+-----+",
      "| word|total|",
      "+-----+-----+",
      "| hola|    2|",
      "|adios|    1|",
      "|mundo|    1|",
      "+-----+-----+",
      "",
    ].join("\n"),
    ["root", " |-- word: string (nullable = true)", " |-- total: long (nullable = true)", ""].join("\n"),
  ]);
});

test("column expressions: F.col, F.count, F.desc, alias, comparisons; names as Spark gives them", async () => {
  const df = spark.createDataFrame([
    { word: "a", n: 1 },
    { word: "b", n: 5 },
    { word: "a", n: 3 },
  ]);
  assert.deepEqual(
    await df.groupBy("word").agg(F.count("*"), F.sum("n").alias("total")).orderBy(F.desc("total")).collect(),
    [
      { word: "b", "count(1)": 1, total: 5 },
      { word: "a", "count(1)": 2, total: 4 },
    ],
  );
  assert.deepEqual(await df.filter(F.col("n").gt(1)).select(F.col("word"), F.upper("word").alias("w")).collect(), [
    { word: "b", w: "B" },
    { word: "a", w: "A" },
  ]);
  assert.deepEqual(await df.dtypes(), [
    ["word", "string"],
    ["n", "bigint"],
  ]);
  assert.deepEqual(await df.drop("n").dropDuplicates().orderBy("word").collect(), [{ word: "a" }, { word: "b" }]);
  assert.deepEqual(await df.toDF("w", "k").first(), { w: "a", k: 1 });
  assert.equal(await df.union(df).count(), 6);
});

test("a query that cannot run is an AnalysisException in Spark's terms, quoting the user's query, not the engine's", async () => {
  spark.createDataFrame([{ word: "a" }]).createOrReplaceTempView("words");
  const cases: [string, RegExp][] = [
    [
      "select word from wrds",
      /^\[TABLE_OR_VIEW_NOT_FOUND\] The table or view `wrds` cannot be found\. Temp views: .*words/,
    ],
    ["select wrd from words", /^\[UNRESOLVED_COLUMN\] A column with name `wrd` cannot be resolved\. .*\[`word`\]/],
    ["selec word from words", /^\[PARSE_SYNTAX_ERROR\] Syntax error at or near 'from'\./],
  ];
  for (const [query, expected] of cases) {
    await assert.rejects(spark.sql(query).show(), (e: unknown) => {
      assert.ok(e instanceof AnalysisException, String(e));
      assert.match(e.message, expected);
      assert.ok(e.message.includes(`\n  in query: ${query}\n`), e.message);
      assert.doesNotMatch(e.message, /pg_|LIMIT 21|SELECT \* FROM \(/);
      return true;
    });
  }
});
