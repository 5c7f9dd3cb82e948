import { xoroshiro128plus } from 'pure-rand';

/**
 * Each input gets its own xoroshiro128+ stream (pure-rand) seeded from the run seed mixed with a
 * 32-bit FNV-1a hash of the input name. Values for an input therefore depend only on (seed, name,
 * plan), never on input order or on other inputs — the same bytes on any machine.
 */
export function fnv1a32(text: string): number {
  let h = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

export class SeededStream {
  private readonly gen;
  constructor(seed: number, name: string) {
    this.gen = xoroshiro128plus((seed ^ fnv1a32(name)) | 0);
  }
  /** Uniform in [0, 1) with 32 bits of resolution. */
  unit(): number {
    return (this.gen.unsafeNext() >>> 0) / 4294967296;
  }
  /** Uniform integer in [lo, hi] inclusive (hi - lo < 2^32). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.unit() * (hi - lo + 1));
  }
  /** Standard normal by Box–Muller (one value per call, deterministic). */
  normal(): number {
    const u1 = 1 - this.unit();
    const u2 = this.unit();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }
}
