// T16 in CI: a socket and a reliable receiver offered 10x what the job's sink keeps, under
// --max-old-space-size=64, without backpressure (the default). Before receivers were bounded by
// what batches had not finished with and by the heap, both died of a V8 abort within 2-3 s.
import assert from "node:assert/strict";
import { test } from "node:test";
import { runMemoryTrial } from "./memory.js";

for (const source of ["socket", "reliable"] as const) {
  test(`T16: a ${source} source at 10x overload under --max-old-space-size=64 keeps the job alive below 80% of the heap, and loses nothing`, async () => {
    const r = await runMemoryTrial({ source, overload: 10, backpressure: false, heapMb: 64, seconds: 6 });
    assert.equal(r.ended, "alive", JSON.stringify(r));
    assert.ok(r.peakHeapPct < 80, JSON.stringify(r));
    assert.ok(r.offered > 0);
    assert.equal(r.processed, r.offered, "every record offered (socket) or acknowledged (reliable) was processed");
  });
}
