import assert from "node:assert/strict";
import { test } from "node:test";
import { parseCsv } from "../../src/util/formats/csv.js";

/** The records and the refused lines of `text`, for comparing with what was worked out by hand. */
function parse(text: string) {
  const refused: [number, string][] = [];
  const rows = parseCsv(text, (line, raw) => refused.push([line, raw]));
  return { rows: rows.map((r) => [r.line, ...r.fields]), refused };
}

test("CSV with quoting errors: each broken line is refused with its number, every other record is kept", () => {
  // a stray quote after a closing one, an unclosed quote, a quote inside an unquoted field
  const text = 'word,n\na,1\n"b"x,2\nc,3\n"d,4\ne,5\nf"q,6\ng,7\n';
  assert.deepEqual(parse(text), {
    rows: [
      [1, "word", "n"],
      [2, "a", 1],
      [4, "c", 3],
      [6, "e", 5],
      [8, "g", 7],
    ],
    refused: [
      [3, '"b"x,2'],
      [5, '"d,4'],
      [7, 'f"q,6'],
    ],
  });
});

test("a quoted field spanning lines stays one record with the line it starts on, errors or not", () => {
  const good = 'word,note\na,"one\ntwo"\nb,x\n';
  assert.deepEqual(parse(good), {
    rows: [
      [1, "word", "note"],
      [2, "a", "one\ntwo"],
      [4, "b", "x"],
    ],
    refused: [],
  });
  const mixed = 'word,note\n"z"q,1\na,"one\ntwo"\nb,x\n';
  assert.deepEqual(parse(mixed), {
    rows: [
      [1, "word", "note"],
      [3, "a", "one\ntwo"],
      [5, "b", "x"],
    ],
    refused: [[2, '"z"q,1']],
  });
});
