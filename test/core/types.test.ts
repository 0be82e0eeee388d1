import assert from "node:assert/strict";
import { test } from "node:test";
import { RDD, type DStream } from "../../src/index.js";

// Compile-time checks: `npm test` type-checks this file first, and each @ts-expect-error
// fails the build if the line below it ever compiles.
function typeChecks(words: RDD<string>, pairs: RDD<[string, number]>): void {
  // @ts-expect-error reduceByKey exists only on RDD<[K, V]>
  words.reduceByKey((a: number, b: number) => a + b);
  // @ts-expect-error join exists only on pair RDDs
  words.join(pairs);
  // @ts-expect-error sum exists only on RDD<number>
  void words.sum();
  // @ts-expect-error the value type must match the reduce function
  pairs.reduceByKey((a: string, b: string) => a + b);
  const joined: RDD<[string, [number, number]]> = pairs.join(pairs);
  const left: RDD<[string, [number, string | null]]> = pairs.leftOuterJoin(words.map((w): [string, string] => [w, w]));
  void joined;
  void left;
}

function streamTypeChecks(lines: DStream<string>, pairs: DStream<[string, number]>): void {
  // @ts-expect-error reduceByKey exists only on DStream<[K, V]>
  lines.reduceByKey((a: number, b: number) => a + b);
  // the arity picks the form; the one-parameter form needs no annotations, the
  // two-parameter form names its types (TypeScript cannot choose an overload by arity)
  lines.foreachRDD((rdd) => {
    const r: RDD<string> = rdd;
    void r;
  });
  lines.foreachRDD(async (time: Date, rdd: RDD<string>) => {
    const n: number = await rdd.count();
    void time;
    void n;
  });
  const upper: DStream<string> = lines.transform((rdd) => rdd.map((s) => s.toUpperCase()));
  const stamped: DStream<number> = lines.transform((time: Date, rdd: RDD<string>) => rdd.map(() => time.getTime()));
  const counts: DStream<[string, number]> = pairs.reduceByKey((a, b) => a + b);
  void upper;
  void stamped;
  void counts;
}

test("pair-only methods are compile errors on non-pair RDDs (checked by tsc)", () => {
  assert.equal(typeof typeChecks, "function");
  assert.equal(typeof streamTypeChecks, "function");
});
