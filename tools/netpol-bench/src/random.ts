/** A small seeded generator: the same seed gives the same sequence on every machine and Node version. */
export class Random {
  private state: number;

  constructor(seed: number) {
    // Spread the seed so that neighbouring seeds start far apart; never a zero state.
    this.state = Math.imul((seed | 0) ^ 0x5bd1e995, 0x27d4eb2d) >>> 0 || 0x9e3779b9;
  }

  /** A 32-bit unsigned integer (xorshift32, output scrambled by a multiply). */
  next(): number {
    let x = this.state;
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    this.state = x;
    return Math.imul(x, 0x2545f491) >>> 0;
  }

  /** A number in [0, 1). */
  float(): number {
    return this.next() / 0x1_0000_0000;
  }

  /** An integer from min to max, both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.float() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.float() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[Math.floor(this.float() * items.length)] as T;
  }

  /** Up to `count` distinct items, in a random order. */
  sample<T>(items: readonly T[], count: number): T[] {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = Math.floor(this.float() * (i + 1));
      [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
    }
    return copy.slice(0, Math.min(count, copy.length));
  }
}
