import assert from "node:assert/strict";
import { test } from "node:test";
import { RecurringTimer, SystemClock, type Clock } from "../../src/util/clock.js";
import { warningsDuring } from "../helpers/log.js";

test("the system clock jumping an hour forward, back, and by a second follows the steady clock, with a warning per jump", async () => {
  let wall = 1_800_000_000_000;
  let steady = 5_000;
  const clock = new SystemClock({ wall: () => wall, steady: () => steady });
  const times: number[] = [];
  const warnings = await warningsDuring(() => {
    const tick = (ms: number, jump = 0) => {
      steady += ms;
      wall += ms + jump;
      times.push(clock.now());
    };
    tick(1000);
    tick(1000, 3_600_000); // NTP steps an hour forward
    tick(1000);
    tick(1000, -3_600_000); // and back
    tick(1000, 1_500); // and a second and a half
    tick(1000, -200); // jitter below the threshold
  });
  // this clock moves with the steady clock only: 1 s per step, whatever the wall clock did
  assert.deepEqual(
    times.map((t) => t - 1_800_000_000_000),
    [1000, 2000, 3000, 4000, 5000, 6000],
  );
  assert.equal(warnings.length, 3, warnings.join(""));
  assert.match(warnings[0]!, /jumped forward by 3600\.0 s/);
  assert.match(warnings[1]!, /jumped back by 3600\.0 s/);
  assert.match(warnings[2]!, /jumped forward by 1\.5 s/);
});

/** A clock whose time is set by the test; due timers fire at the time it says (as a real one's do, late). */
class JumpingClock implements Clock {
  private timers: { time: number; callback: () => void }[] = [];
  constructor(public time: number) {}
  now(): number {
    return this.time;
  }
  schedule(time: number, callback: () => void): () => void {
    const timer = { time, callback };
    this.timers.push(timer);
    return () => void (this.timers = this.timers.filter((t) => t !== timer));
  }
  /** Sets the time and fires what fell due, in order; a fired timer may schedule the next. */
  set(time: number): void {
    this.time = time;
    for (let due = this.timers.find((t) => t.time <= time); due; due = this.timers.find((t) => t.time <= time)) {
      this.timers = this.timers.filter((t) => t !== due);
      due.callback();
    }
  }
}

test("batch ticks after the clock moved far ahead: every batch time in order, each exactly one interval apart, one warning", async () => {
  const clock = new JumpingClock(0);
  const ticks: number[] = [];
  const timer = new RecurringTimer(clock, 1000, (t) => ticks.push(t));
  const warnings = await warningsDuring(() => {
    timer.start(1000);
    for (let t = 1000; t <= 3000; t += 1000) clock.set(t);
    clock.set(63_000); // a paused process, or a clock that moved on: 60 batch times fall due at once
    for (let t = 64_000; t <= 65_000; t += 1000) clock.set(t);
  });
  timer.stop();
  assert.deepEqual(
    ticks,
    Array.from({ length: 65 }, (_, i) => (i + 1) * 1000),
  );
  assert.equal(warnings.length, 1, warnings.join(""));
  assert.match(warnings[0]!, /starts 59\.0 s late .* the 59 batch times since run in order, none skipped/);
});
