// Spark's python/pyspark/streaming/tests/test_dstream.py (BasicOperationTests and
// WindowFunctionTests), translated to Sluice: the same inputs, functions and expected batches,
// run as PySparkStreamingTestCase runs them (0.5 s batches over queueStream) on a manual clock.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ManualClock, SparkConf, SparkContext, StreamingContext, type DStream, type RDD } from "../../src/index.js";
import { sorted, tempDir } from "../helpers/context.js";

const range = (a: number, b?: number) =>
  b === undefined ? Array.from({ length: a }, (_, i) => i) : Array.from({ length: b - a }, (_, i) => a + i);
const add = (a: number, b: number) => a + b;

function contexts() {
  const conf = new SparkConf().setMaster("local[2]").setAppName("test_dstream").set("spark.default.parallelism", "2");
  const sc = SparkContext.getOrCreate(conf);
  // as PySparkStreamingTestCase: the SparkContext's checkpoint directory (windows with an inverse function need one)
  if (sc.getCheckpointDir() === undefined) sc.setCheckpointDir(tempDir());
  const clock = new ManualClock(0);
  const ssc = new StreamingContext(sc, 0.5, { clock, out: () => {} });
  return { sc, ssc, clock };
}

/** PySparkStreamingTestCase._test_func: `func` over queued batches, the first `expected.length` outputs compared. */
async function testFunc<T, U>(
  input: (T[] | ((sc: SparkContext) => RDD<T>))[],
  func: (d: DStream<T>, d2: DStream<T>) => DStream<U>,
  expected: unknown[][],
  opts: { sort?: boolean; input2?: T[][] } = {},
): Promise<void> {
  const { sc, ssc, clock } = contexts();
  const rdds = input.map((b) => (typeof b === "function" ? b(sc) : b));
  const stream = ssc.queueStream(rdds as (RDD<T> | T[])[]);
  const stream2 = ssc.queueStream(opts.input2 ?? []);
  const got: unknown[][] = [];
  func(stream, stream2).foreachRDD(async (rdd) => void got.push(await rdd.collect()));
  ssc.start();
  // as _collect: batches until `expected.length` outputs came (a 1 s slide gives one every other batch)
  for (let i = 0; i < 4 * expected.length && got.length < expected.length; i++) {
    clock.advance(500);
    await ssc.scheduler.whenIdle();
  }
  await ssc.stop(false);
  const norm = (b: unknown[]) => (opts.sort ? sorted(b) : b);
  assert.deepEqual(got.slice(0, expected.length).map(norm), expected.map(norm));
}

// ---- BasicOperationTests ----

test("test_map", () =>
  testFunc(
    [range(1, 5), range(5, 9), range(9, 13)],
    (d) => d.map(String),
    [range(1, 5), range(5, 9), range(9, 13)].map((x) => x.map(String)),
  ));

test("test_flatMap", () =>
  testFunc(
    [range(1, 5), range(5, 9), range(9, 13)],
    (d) => d.flatMap((x) => [x, x * 2]),
    [range(1, 5), range(5, 9), range(9, 13)].map((x) => x.flatMap((y) => [y, y * 2])),
  ));

test("test_filter", () =>
  testFunc(
    [range(1, 5), range(5, 9), range(9, 13)],
    (d) => d.filter((x) => x % 2 === 0),
    [range(1, 5), range(5, 9), range(9, 13)].map((x) => x.filter((y) => y % 2 === 0)),
  ));

test("test_count", () => testFunc([range(5), range(10), range(20)], (d) => d.count(), [[5], [10], [20]]));

test("test_reduce", () => testFunc([range(1, 5), range(5, 9), range(9, 13)], (d) => d.reduce(add), [[10], [26], [42]]));

test("test_reduceByKey", () =>
  testFunc<[unknown, number], [unknown, number]>(
    [
      [
        ["a", 1],
        ["a", 1],
        ["b", 1],
        ["b", 1],
      ],
      [
        ["", 1],
        ["", 1],
        ["", 1],
        ["", 1],
      ],
      [
        [1, 1],
        [1, 1],
        [2, 1],
        [2, 1],
        [3, 1],
      ],
    ],
    (d) => d.reduceByKey(add),
    [
      [
        ["a", 2],
        ["b", 2],
      ],
      [["", 4]],
      [
        [1, 2],
        [2, 2],
        [3, 1],
      ],
    ],
    { sort: true },
  ));

test("test_mapValues", () =>
  testFunc<[unknown, number], [unknown, number]>(
    [
      [
        ["a", 2],
        ["b", 2],
        ["c", 1],
        ["d", 1],
      ],
      [
        [0, 4],
        [1, 1],
        [2, 2],
        [3, 3],
      ],
      [
        [1, 1],
        [2, 1],
        [3, 1],
        [4, 1],
      ],
    ],
    (d) => d.mapValues((x) => x + 10),
    [
      [
        ["a", 12],
        ["b", 12],
        ["c", 11],
        ["d", 11],
      ],
      [
        [0, 14],
        [1, 11],
        [2, 12],
        [3, 13],
      ],
      [
        [1, 11],
        [2, 11],
        [3, 11],
        [4, 11],
      ],
    ],
    { sort: true },
  ));

test("test_flatMapValues", () =>
  testFunc<[unknown, number], [unknown, number]>(
    [
      [
        ["a", 2],
        ["b", 2],
        ["c", 1],
        ["d", 1],
      ],
      [
        [0, 4],
        [1, 1],
        [2, 1],
        [3, 1],
      ],
      [
        [1, 1],
        [2, 1],
        [3, 1],
        [4, 1],
      ],
    ],
    (d) => d.flatMapValues((x) => [x, x + 10]),
    [
      [
        ["a", 2],
        ["a", 12],
        ["b", 2],
        ["b", 12],
        ["c", 1],
        ["c", 11],
        ["d", 1],
        ["d", 11],
      ],
      [
        [0, 4],
        [0, 14],
        [1, 1],
        [1, 11],
        [2, 1],
        [2, 11],
        [3, 1],
        [3, 11],
      ],
      [
        [1, 1],
        [1, 11],
        [2, 1],
        [2, 11],
        [3, 1],
        [3, 11],
        [4, 1],
        [4, 11],
      ],
    ],
  ));

const twoSlices = (r: number[]) => (sc: SparkContext) => sc.parallelize(r, 2);

test("test_glom", () =>
  testFunc([range(1, 5), range(5, 9), range(9, 13)].map(twoSlices), (d) => d.glom(), [
    [
      [1, 2],
      [3, 4],
    ],
    [
      [5, 6],
      [7, 8],
    ],
    [
      [9, 10],
      [11, 12],
    ],
  ]));

test("test_mapPartitions", () =>
  testFunc(
    [range(1, 5), range(5, 9), range(9, 13)].map(twoSlices),
    (d) => d.mapPartitions((it) => [[...it].reduce(add, 0)]),
    [
      [3, 7],
      [11, 15],
      [19, 23],
    ],
  ));

test("test_countByValue", () =>
  testFunc<unknown, [unknown, number]>(
    [
      [...range(1, 5), ...range(1, 5)],
      [...range(5, 7), ...range(5, 9)],
      ["a", "a", "b", ""],
    ],
    (d) => d.countByValue(),
    [
      [
        [1, 2],
        [2, 2],
        [3, 2],
        [4, 2],
      ],
      [
        [5, 2],
        [6, 2],
        [7, 1],
        [8, 1],
      ],
      [
        ["a", 2],
        ["b", 1],
        ["", 1],
      ],
    ],
    { sort: true },
  ));

const groupInput: [unknown, number][][] = [
  [
    [1, 1],
    [2, 1],
    [3, 1],
    [4, 1],
  ],
  [
    [1, 1],
    [1, 1],
    [1, 1],
    [2, 1],
    [2, 1],
    [3, 1],
  ],
  [
    ["a", 1],
    ["a", 1],
    ["b", 1],
    ["", 1],
    ["", 1],
    ["", 1],
  ],
];

test("test_groupByKey", () =>
  testFunc(
    groupInput,
    (d) => d.groupByKey().mapValues((vs) => [...vs]),
    [
      [
        [1, [1]],
        [2, [1]],
        [3, [1]],
        [4, [1]],
      ],
      [
        [1, [1, 1, 1]],
        [2, [1, 1]],
        [3, [1]],
      ],
      [
        ["a", [1, 1]],
        ["b", [1]],
        ["", [1, 1, 1]],
      ],
    ],
    { sort: true },
  ));

test("test_combineByKey", () =>
  testFunc(
    groupInput,
    (d) => {
      const addStr = (a: string, b: number | string) => a + String(b);
      return d.combineByKey(String, addStr, addStr);
    },
    [
      [
        [1, "1"],
        [2, "1"],
        [3, "1"],
        [4, "1"],
      ],
      [
        [1, "111"],
        [2, "11"],
        [3, "1"],
      ],
      [
        ["a", "11"],
        ["b", "1"],
        ["", "111"],
      ],
    ],
    { sort: true },
  ));

test("test_repartition", () =>
  testFunc([range(1, 5), range(5, 9)].map(twoSlices), (d) => d.repartition(1).glom(), [
    [[1, 2, 3, 4]],
    [[5, 6, 7, 8]],
  ]));

test("test_union", () =>
  testFunc([range(3), range(5), range(6)], (d1, d2) => d1.union(d2), [range(6), range(6), range(6)], {
    sort: true,
    input2: [range(3, 6), range(5, 6)],
  }));

test("test_cogroup", () =>
  testFunc<[unknown, number], unknown>(
    [
      [
        [1, 1],
        [2, 1],
        [3, 1],
      ],
      [
        [1, 1],
        [1, 1],
        [1, 1],
        [2, 1],
      ],
      [
        ["a", 1],
        ["a", 1],
        ["b", 1],
        ["", 1],
        ["", 1],
      ],
    ],
    (d1, d2) => d1.cogroup(d2),
    [
      [
        [1, [[1], [2]]],
        [2, [[1], []]],
        [3, [[1], []]],
      ],
      [
        [1, [[1, 1, 1], []]],
        [2, [[1], []]],
        [4, [[], [1]]],
      ],
      [
        [
          "a",
          [
            [1, 1],
            [1, 1],
          ],
        ],
        ["b", [[1], [1]]],
        [
          "",
          [
            [1, 1],
            [1, 2],
          ],
        ],
      ],
    ],
    {
      sort: true,
      input2: [
        [[1, 2]],
        [[4, 1]],
        [
          ["a", 1],
          ["a", 1],
          ["b", 1],
          ["", 1],
          ["", 2],
        ],
      ],
    },
  ));

const joinInputs = {
  left: [
    [
      ["a", 1],
      ["b", 2],
    ],
  ] as [string, number][][],
  right: [
    [
      ["b", 3],
      ["c", 4],
    ],
  ] as [string, number][][],
};

test("test_join and the outer joins", async () => {
  const cases: [(a: DStream<[string, number]>, b: DStream<[string, number]>) => DStream<unknown>, unknown[]][] = [
    [(a, b) => a.join(b), [["b", [2, 3]]]],
    [
      (a, b) => a.leftOuterJoin(b),
      [
        ["a", [1, null]],
        ["b", [2, 3]],
      ],
    ],
    [
      (a, b) => a.rightOuterJoin(b),
      [
        ["b", [2, 3]],
        ["c", [null, 4]],
      ],
    ],
    [
      (a, b) => a.fullOuterJoin(b),
      [
        ["a", [1, null]],
        ["b", [2, 3]],
        ["c", [null, 4]],
      ],
    ],
  ];
  for (const [f, expected] of cases) {
    await testFunc(joinInputs.left, f, [expected], { sort: true, input2: joinInputs.right });
  }
});

test("test_update_state_by_key (and with an initial RDD)", async () => {
  const updater = (vs: number[], s: number[] | undefined) => {
    const state = s ?? [];
    state.push(...vs);
    return state;
  };
  const { sc, ssc, clock } = contexts();
  ssc.checkpoint(tempDir());
  const got: unknown[][] = [];
  const withInitial: unknown[][] = [];
  ssc
    .queueStream(range(5).map((i): [string, number][] => [["k", i]]))
    .updateStateByKey(updater)
    .foreachRDD(async (rdd) => void got.push(await rdd.collect()));
  ssc
    .queueStream(range(2, 5).map((i): [string, number][] => [["k", i]]))
    .updateStateByKey(updater, undefined, sc.parallelize<[string, number[]]>([["k", [0, 1]]], 1))
    .foreachRDD(async (rdd) => void withInitial.push(await rdd.collect()));
  ssc.start();
  for (let i = 0; i < 5; i++) {
    clock.advance(500);
    await ssc.scheduler.whenIdle();
  }
  await ssc.stop(false);
  assert.deepEqual(
    got,
    [[0], [0, 1], [0, 1, 2], [0, 1, 2, 3], [0, 1, 2, 3, 4]].map((v) => [["k", v]]),
  );
  assert.deepEqual(
    withInitial.slice(0, 3),
    [
      [0, 1, 2],
      [0, 1, 2, 3],
      [0, 1, 2, 3, 4],
    ].map((v) => [["k", v]]),
  );
});

test("test_failed_func: the user's error reaches awaitTermination", async () => {
  const { sc, ssc, clock } = contexts();
  const failed = (_i: number): number => {
    throw new RangeError("This is a special error");
  };
  ssc
    .queueStream(range(4).map((d) => sc.parallelize([d], 1)))
    .map(failed)
    .pprint();
  const done = ssc.awaitTerminationOrTimeout(10);
  ssc.start();
  clock.advance(500);
  await ssc.scheduler.whenIdle();
  await assert.rejects(done, /This is a special error/);
  await ssc.stop(false);
});

test("test_failed_func2: an error in transformWith's function reaches awaitTermination", async () => {
  const { sc, ssc, clock } = contexts();
  const input = range(4).map((d) => sc.parallelize([d], 1));
  ssc
    .queueStream(input)
    .transformWith(
      (_rdd1: RDD<number>, _rdd2: RDD<number>): RDD<number> => {
        throw new RangeError("This is a special error");
      },
      ssc.queueStream(input.map((r) => r.map((x) => x))),
    )
    .pprint();
  const done = ssc.awaitTerminationOrTimeout(10);
  ssc.start();
  clock.advance(500);
  await ssc.scheduler.whenIdle();
  await assert.rejects(done, /This is a special error/);
  await ssc.stop(false);
});

// ---- WindowFunctionTests ----

const windowInput = [range(1), range(2), range(3), range(4), range(5)];

test("test_window", () =>
  testFunc(windowInput, (d) => d.window(1.5, 0.5).count(), [[1], [3], [6], [9], [12], [9], [5]]));

test("test_count_by_window", () =>
  testFunc(windowInput, (d) => d.countByWindow(1.5, 0.5), [[1], [3], [6], [9], [12], [9], [5]]));

test("test_count_by_window_large", () =>
  testFunc([...windowInput, range(6)], (d) => d.countByWindow(2.5, 0.5), [
    [1],
    [3],
    [6],
    [10],
    [15],
    [20],
    [18],
    [15],
    [11],
    [6],
  ]));

test("test_count_by_value_and_window", () =>
  testFunc(
    [...windowInput, range(6)],
    (d) => d.countByValueAndWindow(2.5, 0.5),
    [
      [[0, 1]],
      [
        [0, 2],
        [1, 1],
      ],
      [
        [0, 3],
        [1, 2],
        [2, 1],
      ],
      [
        [0, 4],
        [1, 3],
        [2, 2],
        [3, 1],
      ],
      [
        [0, 5],
        [1, 4],
        [2, 3],
        [3, 2],
        [4, 1],
      ],
      [
        [0, 5],
        [1, 5],
        [2, 4],
        [3, 3],
        [4, 2],
        [5, 1],
      ],
      [
        [0, 4],
        [1, 4],
        [2, 4],
        [3, 3],
        [4, 2],
        [5, 1],
      ],
      [
        [0, 3],
        [1, 3],
        [2, 3],
        [3, 3],
        [4, 2],
        [5, 1],
      ],
      [
        [0, 2],
        [1, 2],
        [2, 2],
        [3, 2],
        [4, 2],
        [5, 1],
      ],
      [
        [0, 1],
        [1, 1],
        [2, 1],
        [3, 1],
        [4, 1],
        [5, 1],
      ],
    ],
    { sort: true },
  ));

test("test_group_by_key_and_window", () =>
  testFunc(
    range(5).map((i): [string, number][] => [["a", i]]),
    (d) => d.groupByKeyAndWindow(1.5, 0.5).mapValues((vs) => [...vs]),
    [
      [["a", [0]]],
      [["a", [0, 1]]],
      [["a", [0, 1, 2]]],
      [["a", [1, 2, 3]]],
      [["a", [2, 3, 4]]],
      [["a", [3, 4]]],
      [["a", [4]]],
    ],
  ));

test("test_reduce_by_invalid_window", () => {
  const { ssc } = contexts();
  const d1 = ssc.queueStream([range(3), range(5), range(1), range(6)]).map((x): [number, number] => [x, 1]);
  assert.throws(() => d1.reduceByKeyAndWindow(add, null, 0.1, 0.1));
  assert.throws(() => d1.reduceByKeyAndWindow(add, null, 1, 0.1));
});

test("test_reduce_by_key_and_window_with_none_invFunc", () =>
  testFunc(
    [...windowInput, range(6)],
    (d) =>
      d
        .map((x): [number, number] => [x, 1])
        .reduceByKeyAndWindow(add, null, 5, 1)
        .filter((kv) => kv[1] > 0)
        .count(),
    [[2], [4], [6], [6], [6], [6]],
  ));
