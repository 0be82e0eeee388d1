import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { sharedContext, sorted } from "../helpers/context.js";

const sc = sharedContext();

/** The reference: a plain fold of values per key, keys compared by JSON text. */
function referenceSums(pairs: [unknown, number][]): [unknown, number][] {
  const m = new Map<string, [unknown, number]>();
  for (const [k, v] of pairs) {
    const id = JSON.stringify(k);
    const e = m.get(id);
    if (e) e[1] += v;
    else m.set(id, [k, v]);
  }
  return sorted(m.values());
}

const key = fc.oneof(
  fc.integer({ min: -5, max: 5 }),
  fc.constantFrom("a", "b", "ñ", "日本", ""),
  fc.tuple(fc.integer({ min: 0, max: 2 }), fc.constantFrom("x", "y")),
);
const input = fc.record({
  pairs: fc.array(fc.tuple(key, fc.integer({ min: -1000, max: 1000 })), { maxLength: 60 }),
  slices: fc.integer({ min: 1, max: 8 }),
  outParts: fc.integer({ min: 1, max: 6 }),
});

test("reduceByKey, groupByKey+sum, aggregateByKey and foldByKey agree with a reference fold", async () => {
  await fc.assert(
    fc.asyncProperty(input, async ({ pairs, slices, outParts }) => {
      const expected = referenceSums(pairs);
      const rdd = sc.parallelize(pairs, slices);
      assert.deepEqual(sorted(await rdd.reduceByKey((a, b) => a + b, outParts).collect()), expected);
      assert.deepEqual(
        sorted(
          await rdd
            .groupByKey(outParts)
            .mapValues((vs) => vs.reduce((a, b) => a + b, 0))
            .collect(),
        ),
        expected,
      );
      assert.deepEqual(
        sorted(
          await rdd
            .aggregateByKey(
              0,
              (a, v) => a + v,
              (a, b) => a + b,
              outParts,
            )
            .collect(),
        ),
        expected,
      );
      assert.deepEqual(sorted(await rdd.foldByKey(0, (a, b) => a + b, outParts).collect()), expected);
      assert.deepEqual(
        sorted(
          await rdd
            .combineByKey(
              (v) => v,
              (c, v) => c + v,
              (a, b) => a + b,
              outParts,
            )
            .collect(),
        ),
        expected,
      );
    }),
    { numRuns: 60 },
  );
});

test("sortBy, distinct and count agree with Array methods for random inputs", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.integer({ min: -50, max: 50 }), { maxLength: 80 }),
      fc.integer({ min: 1, max: 6 }),
      async (xs, slices) => {
        const rdd = sc.parallelize(xs, slices);
        assert.deepEqual(
          await rdd.sortBy((x) => x, true, slices).collect(),
          [...xs].sort((a, b) => a - b),
        );
        assert.deepEqual(sorted(await rdd.distinct().collect()), sorted(new Set(xs)));
        assert.equal(await rdd.count(), xs.length);
      },
    ),
    { numRuns: 40 },
  );
});
