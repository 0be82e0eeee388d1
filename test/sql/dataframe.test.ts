import assert from "node:assert/strict";
import { join } from "node:path";
import { after, test } from "node:test";
import { SchemaMismatchError, SparkSession, SqlError, StructField, StructType, type Row } from "../../src/index.js";
import { sorted, tempDir } from "../helpers/context.js";

const spark = SparkSession.builder.appName("sql-tests").master("local[2]").getOrCreate();
after(() => spark.stop());
const printed: string[] = [];
spark.out = (t) => printed.push(t);

const words = "to be or not to be that is the question ñandú 😀 to".split(" ");

test("SQL over a temp view equals the same aggregation done with RDD operations", async () => {
  const rdd = spark.sparkContext.parallelize(words, 3);
  const df = spark.createDataFrame(rdd.map((w) => ({ word: w, len: w.length })));
  df.createOrReplaceTempView("words");
  const viaSql = await spark
    .sql("select word, count(*) as total, sum(len) as letters from words group by word")
    .collect();
  const viaRdd = await rdd
    .map((w): [string, [number, number]] => [w, [1, w.length]])
    .reduceByKey((a, b): [number, number] => [a[0] + b[0], a[1] + b[1]])
    .collect();
  assert.deepEqual(
    sorted(viaSql.map((r) => [r.word, r.total, r.letters])),
    sorted(viaRdd.map(([w, [n, l]]) => [w, n, l])),
  );
  const viaVerbs = await df.groupBy("word").count().filter("count > 1").orderBy("count DESC", "word").collect();
  assert.deepEqual(viaVerbs, [
    { word: "to", count: 3 },
    { word: "be", count: 2 },
  ]);
});

test("values survive createDataFrame → SQL → collect: strings, numbers, booleans, nulls, dates, nested objects", async () => {
  const rows: Row[] = [
    {
      s: "héllo 😀",
      i: 42,
      f: 2.5,
      b: true,
      n: null,
      d: new Date("2020-05-14T10:00:03Z"),
      o: { k: "v", list: [1, 2, 3] },
    },
    { s: "", i: -7, f: 0.125, b: false, n: null, d: new Date("1999-12-31T23:59:59Z"), o: { k: "w", list: [] } },
  ];
  const back = await spark
    .sql("select * from rt order by i desc")
    .collect()
    .catch(() => undefined);
  assert.equal(back, undefined, "no view yet");
  spark.createDataFrame(rows).createOrReplaceTempView("rt");
  assert.deepEqual(await spark.sql("select * from rt order by i desc").collect(), rows);
  assert.deepEqual(
    await spark
      .sql("select s, i + 1 as j, not b as nb, year(d) as y, o.k as k, len(o.list) as l from rt order by i")
      .collect(),
    [
      { s: "", j: -6, nb: true, y: 1999, k: "w", l: 0 },
      { s: "héllo 😀", j: 43, nb: false, y: 2020, k: "v", l: 3 },
    ],
  );
});

test("select, where, withColumn, withColumnRenamed, distinct, limit and join", async () => {
  const people = spark.createDataFrame(
    [
      ["ana", 31, "es"],
      ["bo", 25, "se"],
      ["cy", 40, "es"],
    ],
    ["name", "age", "country"],
  );
  const countries = spark.createDataFrame([
    { country: "es", cname: "Spain" },
    { country: "fr", cname: "France" },
  ]);
  assert.deepEqual(await people.where("age > 30").select("name", "age * 2 AS double_age").orderBy("name").collect(), [
    { name: "ana", double_age: 62 },
    { name: "cy", double_age: 80 },
  ]);
  assert.deepEqual(await people.withColumn("age", "age + 1").select("name", "age").orderBy("name").limit(1).collect(), [
    { name: "ana", age: 32 },
  ]);
  assert.deepEqual(await people.withColumnRenamed("name", "who").select("who").orderBy("who").collect(), [
    { who: "ana" },
    { who: "bo" },
    { who: "cy" },
  ]);
  assert.deepEqual(await people.select("country").distinct().orderBy("country").collect(), [
    { country: "es" },
    { country: "se" },
  ]);
  assert.deepEqual(await people.join(countries, "country").select("name", "cname").orderBy("name").collect(), [
    { name: "ana", cname: "Spain" },
    { name: "cy", cname: "Spain" },
  ]);
  assert.deepEqual(await people.join(countries, "country", "left").where("cname IS NULL").select("name").collect(), [
    { name: "bo" },
  ]);
  assert.equal(await people.count(), 3);
  assert.deepEqual(await people.columns(), ["name", "age", "country"]);
  assert.deepEqual(await people.limit(1).toJSON(), ['{"name":"ana","age":31,"country":"es"}']);
  assert.deepEqual(sorted(await people.rdd.map((r) => r.name).collect()), ["ana", "bo", "cy"]);
});

test("show prints Spark's boxed table, right-aligned, with truncation and 'only showing'", async () => {
  printed.length = 0;
  const df = spark.createDataFrame([
    { word: "hello", total: 2 },
    { word: "a".repeat(25), total: 10 },
    { word: "x", total: null },
  ]);
  await df.show(2);
  assert.equal(
    printed.join(""),
    [
      "+--------------------+-----+",
      "|                word|total|",
      "+--------------------+-----+",
      "|               hello|    2|",
      "|aaaaaaaaaaaaaaaaa...|   10|",
      "+--------------------+-----+",
      "only showing top 2 rows",
      "",
    ].join("\n"),
  );
});

test("SQL errors carry the engine's message and the query; bad rows name the column", async () => {
  spark.createDataFrame([{ a: 1 }]).createOrReplaceTempView("e");
  await assert.rejects(spark.sql("select missing_col from e").collect(), (err: unknown) => {
    assert.ok(err instanceof SqlError);
    assert.match(err.message, /missing_col/);
    assert.match(err.message, /in query: select missing_col from e/);
    return true;
  });
  const schema = new StructType([new StructField("id", "long"), new StructField("name", "string")]);
  await assert.rejects(
    spark
      .createDataFrame(
        [
          { id: 1, name: "a" },
          { id: "two", name: "b" },
        ],
        schema,
      )
      .collect(),
    (err: unknown) =>
      err instanceof SchemaMismatchError && /column "id" is long, but row 1 has a string: "two"/.test(err.message),
  );
  await assert.rejects(
    spark.createDataFrame([{ v: 1 }, { v: "x" }]).collect(),
    /column "v" holds long values, but row 1 has a string/,
  );
  assert.throws(() => new StructField("x", "uuid" as never), /unknown column type "uuid"/);
});

test("empty data gives empty DataFrames: with a schema, without one, and through a view", async () => {
  const typed = spark.createDataFrame([], new StructType([new StructField("word", "string")]));
  assert.deepEqual(await typed.collect(), []);
  assert.deepEqual(await typed.columns(), ["word"]);
  spark.createDataFrame(spark.sparkContext.parallelize([] as { word: string }[], 2)).createOrReplaceTempView("nothing");
  assert.deepEqual(await spark.sql("select word, count(*) as total from nothing group by word").collect(), []);
  printed.length = 0;
  await spark.sql("select word from nothing").show();
  assert.equal(printed.join(""), "++\n||\n++\n++\n");
});

test("write and read back parquet, csv and json directories; save modes", async () => {
  const dir = tempDir("sluice-sql-io-");
  const df = spark.createDataFrame([
    { id: 1, name: "uno" },
    { id: 2, name: "dos" },
  ]);
  for (const format of ["parquet", "csv", "json"] as const) {
    const path = join(dir, format);
    await df.write[format](path);
    await assert.rejects(df.write[format](path), /already exists: use mode\("overwrite"\)/);
    await df.write.mode("append")[format](path);
    assert.equal(await spark.read[format](path).count(), 4, format);
    await df.write.mode("overwrite")[format](path);
    assert.deepEqual(
      await spark.read[format](path).orderBy("id").collect(),
      [
        { id: 1, name: "uno" },
        { id: 2, name: "dos" },
      ],
      format,
    );
  }
});
