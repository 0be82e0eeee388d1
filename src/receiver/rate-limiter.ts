import type { Clock } from "../util/clock.js";

/**
 * A token bucket of `rate` records per second (unlimited when the rate is <= 0 or infinite),
 * holding at most one second of tokens. `take(n)` spends tokens and returns how long (ms) the
 * caller should wait before more records are welcome: 0 while under the rate.
 */
export class RateLimiter {
  private tokens: number;
  private last: number;

  constructor(
    private readonly clock: Clock,
    private rate: number,
  ) {
    this.tokens = this.limited() ? rate : Infinity;
    this.last = clock.now();
  }

  private limited(): boolean {
    return Number.isFinite(this.rate) && this.rate > 0;
  }

  /** The current rate in records per second (Infinity when unlimited). */
  get currentRate(): number {
    return this.limited() ? this.rate : Infinity;
  }

  /** Changes the rate (backpressure does this every batch). */
  setRate(rate: number): void {
    this.refill();
    this.rate = rate;
    this.tokens = this.limited() ? Math.min(this.tokens, rate) : Infinity;
  }

  private refill(): void {
    const now = this.clock.now();
    if (this.limited()) this.tokens = Math.min(this.rate, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
  }

  /** Spends `n` tokens; the result is the wait (ms) until the bucket is back to zero. */
  take(n: number): number {
    if (!this.limited()) return 0;
    this.refill();
    this.tokens -= n;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.rate) * 1000);
  }
}

/**
 * Spark's PID rate estimator for backpressure: from each finished batch (its records,
 * processing delay and scheduling delay) it proposes the rate (records/s) the receivers
 * should take so that processing keeps up with the batch interval. The first batch only
 * calibrates; the rate never drops below `minRate`.
 */
export class PIDRateEstimator {
  private firstRun = true;
  private latestTime = -1;
  private latestRate = -1;
  private latestError = -1;

  constructor(
    private readonly batchIntervalMs: number,
    private readonly proportional = 1.0,
    private readonly integral = 0.2,
    private readonly derivative = 0.0,
    private readonly minRate = 100,
  ) {}

  /** A new rate, or undefined when this batch says nothing (first batch, no records, no time). */
  compute(time: number, numElements: number, processingDelayMs: number, schedulingDelayMs: number): number | undefined {
    if (time <= this.latestTime || numElements <= 0 || processingDelayMs <= 0) return undefined;
    const delaySinceUpdate = (time - this.latestTime) / 1000;
    const processingRate = (numElements / processingDelayMs) * 1000;
    // how far the last rate was above what processing managed
    const error = this.latestRate - processingRate;
    // records waiting because of scheduling delay, as a rate over one batch interval
    const historicalError = (schedulingDelayMs * processingRate) / this.batchIntervalMs;
    const dError = (error - this.latestError) / delaySinceUpdate;
    const newRate = Math.max(
      this.latestRate - this.proportional * error - this.integral * historicalError - this.derivative * dError,
      this.minRate,
    );
    this.latestTime = time;
    if (this.firstRun) {
      this.latestRate = processingRate;
      this.latestError = 0;
      this.firstRun = false;
      return undefined;
    }
    this.latestRate = newRate;
    this.latestError = error;
    return newRate;
  }
}
