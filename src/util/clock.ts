import { log } from "./log.js";

/**
 * Time as the streaming engine sees it. Everything time-based (batch ticks, block cuts,
 * receiver restarts) goes through a `Clock`, so tests drive a `ManualClock` instead of sleeping.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls `callback` once the clock reaches `time`; returns a function that cancels it. */
  schedule(time: number, callback: () => void): () => void;
}

/** Where a `SystemClock` reads the wall time and a steady (monotonic) time, both in ms. */
export interface TimeSources {
  wall(): number;
  steady(): number;
}

const REAL_TIME: TimeSources = { wall: () => Date.now(), steady: () => performance.now() };

/** A wall-clock change of more than this is reported as a jump. */
const JUMP_MS = 1000;

/**
 * The real clock: the wall time at start, moved on by the steady (monotonic) clock, so a change
 * of the system clock while a job runs (an NTP step, a manual change) neither skips batch times
 * nor runs one twice; such a jump is logged once, with its size. Timers are `setTimeout`s.
 */
export class SystemClock implements Clock {
  private readonly wallAtStart: number;
  private readonly steadyAtStart: number;
  /** How far the wall clock is from this clock's time, as last seen (0 at start). */
  private drift = 0;

  constructor(private readonly sources: TimeSources = REAL_TIME) {
    this.wallAtStart = sources.wall();
    this.steadyAtStart = sources.steady();
  }

  now(): number {
    const now = this.wallAtStart + Math.round(this.sources.steady() - this.steadyAtStart);
    const drift = this.sources.wall() - now;
    if (Math.abs(drift - this.drift) > JUMP_MS) {
      const by = (drift - this.drift) / 1000;
      log.warn(
        `the system clock jumped ${by > 0 ? "forward" : "back"} by ${Math.abs(by).toFixed(1)} s; batch times ` +
          `follow the steady clock, so none is skipped or run twice (a restart takes the new time)`,
      );
      this.drift = drift;
    }
    return now;
  }

  schedule(time: number, callback: () => void): () => void {
    const handle = setTimeout(callback, Math.max(0, time - this.now()));
    return () => clearTimeout(handle);
  }
}

interface Timer {
  readonly time: number;
  readonly seq: number;
  readonly callback: () => void;
}

/**
 * A clock that moves only when told: `advance(ms)` runs every timer that falls due, in time
 * order (ties in the order they were scheduled), setting `now()` to each timer's time.
 * @example const clock = new ManualClock(); clock.advance(1000);
 */
export class ManualClock implements Clock {
  private timers: Timer[] = [];
  private seq = 0;

  constructor(private time = 0) {}

  now(): number {
    return this.time;
  }

  schedule(time: number, callback: () => void): () => void {
    const timer = { time, seq: this.seq++, callback };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  /** Moves time forward by `ms`, firing due timers along the way. */
  advance(ms: number): void {
    this.setTime(this.time + ms);
  }

  /** Moves time forward to `target`, firing due timers along the way. */
  setTime(target: number): void {
    if (target < this.time) throw new RangeError(`ManualClock cannot go back from ${this.time} to ${target}`);
    for (;;) {
      let next: Timer | undefined;
      for (const t of this.timers) {
        if (t.time <= target && (!next || t.time < next.time || (t.time === next.time && t.seq < next.seq))) next = t;
      }
      if (!next) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.time = Math.max(this.time, next.time);
      next.callback();
    }
    this.time = target;
  }
}

/**
 * Calls `callback(time)` at every multiple of `period` from `start` on, until stopped.
 * Ticks are never skipped: a late tick still fires with its own time.
 */
export class RecurringTimer {
  private cancel: (() => void) | undefined;
  private nextTime = 0;
  private running = false;

  constructor(
    private readonly clock: Clock,
    readonly period: number,
    private readonly callback: (time: number) => void,
  ) {}

  /** The first multiple of the period strictly after now. */
  startTime(): number {
    return (Math.floor(this.clock.now() / this.period) + 1) * this.period;
  }

  start(first = this.startTime()): number {
    this.running = true;
    this.nextTime = first;
    this.arm();
    return first;
  }

  /** Stops ticking; returns the time of the last tick that fired. */
  stop(): number {
    this.running = false;
    this.cancel?.();
    this.cancel = undefined;
    return this.nextTime - this.period;
  }

  private arm(): void {
    this.cancel = this.clock.schedule(this.nextTime, () => {
      if (!this.running) return;
      const time = this.nextTime;
      this.nextTime += this.period;
      this.noteLateness(time);
      this.arm();
      this.callback(time);
    });
  }

  /** Whether ticks are late (a paused process, a clock that moved on): said once per such stretch. */
  private behind = false;

  private noteLateness(time: number): void {
    const late = this.clock.now() - time;
    if (late > 2 * this.period && !this.behind) {
      log.warn(
        `batch ${new Date(time).toISOString()} starts ${(late / 1000).toFixed(1)} s late (the process was paused, ` +
          `or the clock moved on): the ${Math.floor(late / this.period)} batch times since run in order, none skipped`,
      );
    }
    this.behind = late > 2 * this.period;
  }
}

/** Whether `work` settles before `clock` reaches `deadline` (a rejection counts as settled: it is thrown). */
export async function beforeDeadline(clock: Clock, deadline: number, work: Promise<unknown>): Promise<boolean> {
  let cancel: () => void = () => {};
  const late = new Promise<false>((resolve) => {
    cancel = clock.schedule(deadline, () => resolve(false));
  });
  try {
    return await Promise.race([work.then(() => true), late]);
  } finally {
    cancel();
  }
}

/**
 * `f`, tried again after a wait of 100 ms doubling to 2 s while it fails, until it succeeds, `retriable` says an
 * error is final, or the next try would come after `deadline` on `clock` (the last error is then thrown); `onRetry`
 * hears each failure that is tried again, with the wait before the next try.
 */
export async function withRetries<R>(
  clock: Clock,
  deadline: number,
  f: () => Promise<R>,
  retriable: (err: unknown) => boolean,
  onRetry: (err: unknown, delayMs: number) => void,
): Promise<R> {
  for (let delay = 100; ; delay = Math.min(2 * delay, 2000)) {
    try {
      return await f();
    } catch (err) {
      if (!retriable(err) || clock.now() + delay > deadline) throw err;
      onRetry(err, delay);
      await new Promise<void>((resolve) => clock.schedule(clock.now() + delay, resolve));
    }
  }
}
