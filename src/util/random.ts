/** A small seeded generator (mulberry32): the same seed gives the same sequence everywhere. */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = (Math.floor(seed) ^ 0x9e3779b9) >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** A Poisson-distributed count with mean `lambda` (Knuth's method; lambda is small here). */
  poisson(lambda: number): number {
    const limit = Math.exp(-lambda);
    let k = 0;
    let p = this.next();
    while (p > limit) {
      k++;
      p *= this.next();
    }
    return k;
  }
}

/** A seed for one partition of a sampled RDD, derived from the user's seed. */
export function partitionSeed(seed: number, partition: number): number {
  return (Math.imul(seed | 0, 0x2c1b3c6d) ^ Math.imul(partition + 1, 0x297a2d39)) >>> 0;
}
