// The generator's own module (a public subpath export): the package index loads all 20 of its files.
import { xoroshiro128plus } from 'pure-rand/generator/XoroShiro';

/**
 * Deterministic values: each (input, sample) gets its own xoroshiro128+ stream (pure-rand 7) seeded
 * with `seed ^ fnv1a32(name)` for sample 0 and `seed ^ fnv1a32(name + "#" + k)` for sample k (32-bit
 * FNV-1a over the UTF-8 bytes). Values depend only on (seed, name, sample, plan) — never on input
 * order, other inputs, the machine or the Node version: generation uses only 32-bit integer steps,
 * exact float arithmetic and Math.log/sqrt/cos (Box–Muller), which V8 computes with its own
 * fdlibm port on every platform.
 */
export const PRNG_DESCRIPTION =
  'xoroshiro128+ (pure-rand 7), one stream per input and sample seeded with seed ^ fnv1a32(name[#sample])';

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
  constructor(seed: number, name: string, sample = 0) {
    this.gen = xoroshiro128plus((seed ^ fnv1a32(sample === 0 ? name : `${name}#${sample}`)) | 0);
  }
  /** Uniform in [0, 1) with 32 bits of resolution. */
  unit(): number {
    return (this.gen.unsafeNext() >>> 0) / 4294967296;
  }
  /** Uniform integer in [lo, hi] inclusive; spans wider than 2^32 use two draws. */
  int(lo: number, hi: number): number {
    const span = hi - lo + 1;
    if (span <= 4294967296) return lo + Math.floor(this.unit() * span);
    return lo + Math.floor((this.unit() + this.unit() / 4294967296) * span);
  }
  /** Standard normal by Box–Muller (one value per call, deterministic). */
  normal(): number {
    const u1 = 1 - this.unit();
    const u2 = this.unit();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }
}
