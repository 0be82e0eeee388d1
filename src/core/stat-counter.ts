/**
 * Count, mean, variance, max and min of numbers in one pass (Welford), mergeable across
 * partitions: PySpark's `StatCounter`.
 */
export class StatCounter {
  n = 0;
  mu = 0;
  m2 = 0;
  maxValue = -Infinity;
  minValue = Infinity;

  constructor(values: Iterable<number> = []) {
    for (const v of values) this.merge(v);
  }

  /** Adds one value. */
  merge(value: number): this {
    const delta = value - this.mu;
    this.n += 1;
    this.mu += delta / this.n;
    this.m2 += delta * (value - this.mu);
    if (value > this.maxValue) this.maxValue = value;
    if (value < this.minValue) this.minValue = value;
    return this;
  }

  /** Adds everything another counter has seen. */
  mergeStats(other: StatCounter): this {
    if (other.n === 0) return this;
    if (this.n === 0) {
      Object.assign(this, {
        n: other.n,
        mu: other.mu,
        m2: other.m2,
        maxValue: other.maxValue,
        minValue: other.minValue,
      });
      return this;
    }
    const delta = other.mu - this.mu;
    const n = this.n + other.n;
    this.mu =
      other.n * 10 < this.n
        ? this.mu + (delta * other.n) / n
        : this.n * 10 < other.n
          ? other.mu - (delta * this.n) / n
          : (this.mu * this.n + other.mu * other.n) / n;
    this.m2 += other.m2 + (delta * delta * this.n * other.n) / n;
    this.n = n;
    this.maxValue = Math.max(this.maxValue, other.maxValue);
    this.minValue = Math.min(this.minValue, other.minValue);
    return this;
  }

  count(): number {
    return this.n;
  }
  mean(): number {
    return this.mu;
  }
  sum(): number {
    return this.n * this.mu;
  }
  max(): number {
    return this.maxValue;
  }
  min(): number {
    return this.minValue;
  }
  /** Population variance; NaN when empty. */
  variance(): number {
    return this.n === 0 ? NaN : this.m2 / this.n;
  }
  /** Sample variance (divides by n - 1); NaN below two values. */
  sampleVariance(): number {
    return this.n <= 1 ? NaN : this.m2 / (this.n - 1);
  }
  stdev(): number {
    return Math.sqrt(this.variance());
  }
  sampleStdev(): number {
    return Math.sqrt(this.sampleVariance());
  }

  toString(): string {
    return `(count: ${this.n}, mean: ${this.mu}, stdev: ${this.stdev()}, max: ${this.maxValue}, min: ${this.minValue})`;
  }
}
