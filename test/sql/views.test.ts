import assert from "node:assert/strict";
import { after, test } from "node:test";
import { SparkSession, type Row } from "../../src/index.js";

const spark = SparkSession.builder.appName("sql-views").master("local[1]").getOrCreate();
after(() => spark.stop());

const rows = async (sql: string) => (await spark.sql(sql).collect()).map((r: Row) => ({ ...r }));

/** Per word, its count: a plain loop, the reference the SQL answers are checked against. */
function counts(words: string[], minCount = 1): { word: string; n: number }[] {
  const m = new Map<string, number>();
  for (const w of words) m.set(w, (m.get(w) ?? 0) + 1);
  return [...m]
    .filter(([, n]) => n >= minCount)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([word, n]) => ({ word, n }));
}

test("a view defined over another view answers on first use", async () => {
  const words = ["a", "b", "a", "c", "a", "b"];
  spark.createDataFrame(words.map((word) => ({ word }))).createOrReplaceTempView("events");
  spark.sql("SELECT word, count(*)::INT AS n FROM events GROUP BY word").createOrReplaceTempView("tallies");
  spark.sql("SELECT * FROM tallies WHERE n >= 2").createOrReplaceTempView("hot");
  assert.deepEqual(await rows("SELECT word, n FROM hot ORDER BY word"), counts(words, 2));
});

test("a view over a view whose base is replaced every batch keeps reading its own batch, and the next one reads the new batch", async () => {
  const batches = [["x", "y", "x"], ["y", "z", "z", "z"], ["x"]];
  let previous: Record<string, unknown>[] | undefined;
  for (const [i, batch] of batches.entries()) {
    spark.createDataFrame(batch.map((word) => ({ word }))).createOrReplaceTempView("batch_words");
    const derived = spark.sql("SELECT word, count(*)::INT AS n FROM batch_words GROUP BY word");
    derived.createOrReplaceTempView("batch_counts");
    assert.deepEqual(await rows("SELECT word, n FROM batch_counts ORDER BY word"), counts(batch), `batch ${i}`);
    // the next batch replaces batch_words; the derived view made from this batch still reads this batch
    spark.createDataFrame(["replaced"].map((word) => ({ word }))).createOrReplaceTempView("batch_words");
    await new Promise((r) => setImmediate(r)); // let the replaced view's tables be dropped
    const again = (await derived.collect())
      .map((r: Row) => ({ ...r }))
      .sort((a, b) => (String(a.word) < String(b.word) ? -1 : 1));
    assert.deepEqual(again, counts(batch), `batch ${i} after its base view was replaced`);
    assert.deepEqual(
      await rows("SELECT word, n FROM batch_counts ORDER BY word"),
      counts(batch),
      `batch ${i} through its view`,
    );
    if (previous) assert.notDeepEqual(counts(batch), previous);
    previous = counts(batch);
  }
});

test("a string literal that contains a view's name does not make the query read that view", async () => {
  spark.createDataFrame([{ word: "only" }]).createOrReplaceTempView("present");
  spark.createDataFrame([{ word: "elsewhere" }]).createOrReplaceTempView("base_elsewhere");
  spark.sql("SELECT * FROM base_elsewhere").createOrReplaceTempView("derived_elsewhere");
  // matching names in the text would make the query read derived_elsewhere (and so base_elsewhere)
  const got = await rows("SELECT word, 'derived_elsewhere' AS label FROM present");
  assert.deepEqual(got, [{ word: "only", label: "derived_elsewhere" }]);
  // and a CTE that shadows a view's name is the CTE
  assert.deepEqual(await rows("WITH present AS (SELECT 'cte' AS word) SELECT word FROM present"), [{ word: "cte" }]);
});
