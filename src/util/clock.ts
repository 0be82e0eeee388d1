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

/** The real clock (`Date.now`, `setTimeout`). */
export class SystemClock implements Clock {
  now(): number {
    return Date.now();
  }

  schedule(time: number, callback: () => void): () => void {
    const handle = setTimeout(callback, Math.max(0, time - Date.now()));
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
      this.arm();
      this.callback(time);
    });
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
