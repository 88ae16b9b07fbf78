import { createHash } from 'node:crypto';

/**
 * A seeded stream of pseudo-random numbers (SHA-256 in counter mode): the same seed gives the
 * same keys and voiceprints on every machine, so tests and the demo are reproducible.
 * Not for secrets.
 */
export class SeededRandom {
  private counter = 0;
  private block = Buffer.alloc(0);
  private offset = 0;

  constructor(private readonly seed: string) {}

  bytes(n: number): Buffer {
    const out = Buffer.alloc(n);
    for (let i = 0; i < n; i++) {
      if (this.offset >= this.block.length) this.refill();
      out[i] = this.block[this.offset++];
    }
    return out;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.bytes(6).readUIntBE(0, 6) / 2 ** 48;
  }

  /** Standard normal (Box-Muller). */
  gaussian(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  private refill(): void {
    this.block = createHash('sha256').update(`${this.seed}\u0000${this.counter++}`).digest();
    this.offset = 0;
  }
}
