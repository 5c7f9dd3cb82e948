import { describe, expect, it } from 'vitest';
import { fnv1a32, SeededStream } from './seeded-stream.js';

/**
 * Independent reference: xoroshiro128+ (Blackman & Vigna, rotations 24/16/37) on 64-bit BigInts,
 * seeded as pure-rand documents it: s0 = (0xffffffff, ~seed), s1 = (seed, 0) as (high, low) words.
 */
function* referenceXoroshiro(seed: number): Generator<number> {
  const M = (1n << 64n) - 1n;
  const rotl = (x: bigint, k: bigint) => ((x << k) | (x >> (64n - k))) & M;
  let s0 = (0xffffffffn << 32n) | BigInt(~seed >>> 0);
  let s1 = BigInt(seed >>> 0) << 32n;
  for (;;) {
    const out = (s0 + s1) & 0xffffffffn;
    s1 ^= s0;
    s0 = rotl(s0, 24n) ^ s1 ^ ((s1 << 16n) & M);
    s1 = rotl(s1, 37n);
    yield Number(out);
  }
}

describe('SeededStream', () => {
  it('FNV-1a 32 matches the published test vectors', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });

  it('draws the documented xoroshiro128+ stream seeded with seed ^ fnv1a32(name)', () => {
    for (const [seed, name, sample] of [
      [0, 'x', 0],
      [42, 'input_ids', 0],
      [7, 'state', 3],
    ] as const) {
      const s = new SeededStream(seed, name, sample);
      const ref = referenceXoroshiro((seed ^ fnv1a32(sample ? `${name}#${sample}` : name)) | 0);
      for (let i = 0; i < 1000; i++) expect(s.unit()).toBe(ref.next().value / 4294967296);
    }
  });

  it('keeps integers in range, including spans wider than 2^32', () => {
    const s = new SeededStream(1, 'r');
    for (let i = 0; i < 2000; i++) {
      const v = s.int(-3, 3);
      expect(v).toBeGreaterThanOrEqual(-3);
      expect(v).toBeLessThanOrEqual(3);
      const w = s.int(0, 2 ** 40);
      expect(Number.isInteger(w) && w >= 0 && w <= 2 ** 40).toBe(true);
    }
  });
});
