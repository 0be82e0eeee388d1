import assert from "node:assert/strict";
import { test } from "node:test";
import { functionReads } from "../../src/util/free-variables.js";

/** The free names of `f` as its source says, sorted, for comparing with a list worked out by hand. */
const free = (f: unknown) => [...(functionReads(String(f))?.free ?? ["<no parse>"])].sort();

test("free names: parameters, locals, nested functions and patterns are declared; closures and globals are free", () => {
  const offset = 1;
  const stop = new Set(["a"]);
  assert.deepEqual(
    free((x: number) => x + 1),
    [],
  );
  assert.deepEqual(
    free((x: number) => x + offset),
    ["offset"],
  );
  assert.deepEqual(
    free((w: string) => !stop.has(w) && w.length > 0),
    ["stop"],
  );
  assert.deepEqual(
    free((l: string) => l.split(" ").map((w) => Math.max(w.length, 1))),
    ["Math"],
  );
  // destructuring with defaults that read outside, rest, nested arrows, a block's let
  assert.deepEqual(
    free(([k, { v = offset, ...rest }]: [string, { v?: number }]) => [k, v, rest]),
    ["offset"],
  );
  assert.deepEqual(
    free((xs: number[]) => {
      let total = 0;
      for (const x of xs) {
        const y = x * 2;
        total += y;
      }
      return total;
    }),
    [],
  );
  // a name used before a var declaration is still the function's own (hoisting); a catch parameter too
  assert.deepEqual(free(new Function("x", "try { v = x; var v; return v } catch (e) { return e }")), []);
  // property names and member names are not reads; computed ones and shorthand values are
  assert.deepEqual(
    free((o: { a: number }) => ({ a: o.a, b: offset, [String(stop)]: 1 })),
    ["String", "offset", "stop"],
  );
});

test("`this`: an arrow's or a top-level function's is the caller's; a nested function's own is not", () => {
  assert.equal(functionReads("(x) => this.n + x")?.outerThis, true);
  assert.equal(functionReads("function (x) { return this.n + x }")?.outerThis, true);
  assert.equal(functionReads("(x) => { const o = { f() { return this.x } }; return o.f() }")?.outerThis, false);
  assert.equal(functionReads("(x) => x + 'this'")?.outerThis, false, "a string that says this is not a use");
});

test("a method shorthand is read as the function it is; a getter or a class gives no answer", () => {
  const o = {
    m(x: number) {
      return x + k;
    },
    get g() {
      return 1;
    },
  };
  const k = 1;
  const reads = functionReads(String(o.m));
  assert.deepEqual(reads?.free, ["k"]);
  const compiled = new Function("k", `return ${reads!.expression}`)(10) as (x: number) => number;
  assert.equal(compiled(1), 11, "the expression compiles to the method");
  assert.equal(functionReads(String(Object.getOwnPropertyDescriptor(o, "g")!.get)), undefined);
  assert.equal(functionReads("class A {}"), undefined);
});

test("assignments to free names are found; to declared ones and to properties are not", () => {
  const assigned = (src: string) => [...(functionReads(src)?.assigned ?? ["<no parse>"])].sort();
  assert.deepEqual(assigned("(x) => { n += x; m++; [a, { b }] = [1, {}]; }"), ["a", "b", "m", "n"]);
  assert.deepEqual(assigned("(x) => { let n = 0; n += x; o.count++; o.k = 1; return n }"), []);
  assert.deepEqual(assigned("function (x) { var i; for (i = 0; i < x; i++); return i }"), []);
});
