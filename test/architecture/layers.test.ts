import assert from "node:assert/strict";
import { test } from "node:test";
import { checkLayers, sourceFiles } from "./layers.js";

test("every file of src/ imports only from its own layer or the layers below it", () => {
  const violations = checkLayers(sourceFiles("src"));
  assert.deepEqual(
    violations.map((v) => `${v.file} -> ${v.imports}: ${v.why}`),
    [],
  );
});

test("the layer check finds an upward import, a type exception and an unknown layer", () => {
  const files = new Map([
    ["receiver/bad.ts", 'import { DStream } from "../streaming/dstream.js";\nimport type { X } from "../sql/x.js";'],
    ["scheduler/ok.ts", 'import type { RDD } from "../core/rdd.js";\nexport type { Y } from "../core/y.js";'],
    ["scheduler/bad.ts", 'import { RDD, type Z } from "../core/rdd.js";\nconst m = await import("../streaming/x.js");'],
    ["util/ok.ts", 'import { a } from "./a.js";'],
    ["sinks/old.ts", "export {};"],
  ]);
  assert.deepEqual(
    checkLayers(files).map((v) => `${v.file} -> ${v.imports}`),
    [
      "receiver/bad.ts -> streaming/dstream.js",
      "receiver/bad.ts -> sql/x.js",
      "scheduler/bad.ts -> core/rdd.js",
      "scheduler/bad.ts -> streaming/x.js",
      "sinks/old.ts -> ",
    ],
  );
});
