import assert from "node:assert/strict";
import { test } from "node:test";
import { compareValues } from "../../src/util/compare.js";
import { nonNegativeMod, stableHash } from "../../src/util/hash.js";
import { KeyedMap, keysEqual } from "../../src/util/keyed-map.js";
import { pyRepr, pyStr } from "../../src/util/py-format.js";

test("pyStr prints as Python's str: strings bare, pairs as tuples, None, True, lists, dicts", () => {
  assert.equal(pyStr("hello"), "hello");
  assert.equal(pyStr(["hello", 3]), "('hello', 3)");
  assert.equal(pyStr(["k", ["v", null]]), "('k', ('v', None))");
  assert.equal(pyStr([1, 2, 3]), "[1, 2, 3]");
  assert.equal(pyStr([]), "[]");
  assert.equal(pyStr(true), "True");
  assert.equal(pyStr(undefined), "None");
  assert.equal(pyStr(2.5), "2.5");
  assert.equal(pyStr(NaN), "nan");
  assert.equal(pyStr({ a: 1, b: "x" }), "{'a': 1, 'b': 'x'}");
  assert.equal(pyStr(new Map([["a", 1]])), "{'a': 1}");
  assert.equal(pyStr(new Uint8Array([104, 105, 0])), "b'hi\\x00'");
});

test("pyRepr quotes strings with Python's rules", () => {
  assert.equal(pyRepr("it's"), `"it's"`);
  assert.equal(pyRepr(`say "hi"`), `'say "hi"'`);
  assert.equal(pyRepr(`both ' and "`), `'both \\' and "'`);
  assert.equal(pyRepr("tab\there\nnew"), "'tab\\there\\nnew'");
  assert.equal(pyRepr("ñandú 😀"), "'ñandú 😀'");
});

test("stableHash is the same for equal values and fixed across runs", () => {
  assert.equal(stableHash(7), 7);
  assert.equal(nonNegativeMod(stableHash(-7), 4), 1, "Python's % is never negative");
  assert.equal(stableHash("hello"), 0x4f9f2cab, "FNV-1a of 'hello'");
  assert.equal(stableHash(["a", 1]), stableHash(["a", 1]));
  assert.notEqual(stableHash(["a", 1]), stableHash([1, "a"]));
  assert.equal(stableHash({ x: 1, y: 2 }), stableHash({ y: 2, x: 1 }));
  assert.equal(stableHash(null), 0);
  assert.throws(() => stableHash(() => 1), /keys must be plain data/);
});

test("KeyedMap groups compound keys by value and keeps primitives apart from their text", () => {
  const m = new KeyedMap<unknown, number>();
  m.set(["a", 1], 1).set(["a", 1], 2).set('["a",1]', 3).set(1, 4).set("1", 5);
  assert.equal(m.size, 4);
  assert.equal(m.get(["a", 1]), 2);
  assert.equal(m.get('["a",1]'), 3);
  assert.equal(m.get(1), 4);
  assert.equal(m.get("1"), 5);
  assert.ok(keysEqual({ a: [1, 2] }, { a: [1, 2] }));
  assert.ok(!keysEqual([1, 2], [2, 1]));
});

test("compareValues orders numbers, strings and tuples as Python does", () => {
  assert.deepEqual([10, 9, 100].sort(compareValues), [9, 10, 100]);
  assert.deepEqual(["b", "B", "a"].sort(compareValues), ["B", "a", "b"]);
  assert.deepEqual(
    [
      [1, "b"],
      [1, "a"],
      [0, "z"],
    ].sort(compareValues),
    [
      [0, "z"],
      [1, "a"],
      [1, "b"],
    ],
  );
  assert.deepEqual(
    [
      [1, 2, 3],
      [1, 2],
    ].sort(compareValues),
    [
      [1, 2],
      [1, 2, 3],
    ],
  );
});
