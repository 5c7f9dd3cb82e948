import { describe, expect, it } from 'vitest';
import { float32SimdPass, simdKernelStatus } from './float32-simd-kernel.js';
import { floatPass } from './float-metrics.js';

/** Deterministic float32 pairs that hit every path: equal, tiny and large errors, sign flips, zeros, subnormals, extremes. */
function pairs(n: number, seed: number): [Float32Array, Float32Array] {
  let s = seed >>> 0;
  const rnd = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  const a = new Float32Array(n),
    r = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const mag = 2 ** Math.floor(rnd() * 260 - 160); // 2^-160 (subnormal) .. 2^100: finite even when doubled
    r[i] = (rnd() - 0.5) * mag;
    switch (i % 7) {
      case 0:
        a[i] = r[i]!;
        break;
      case 1:
        a[i] = r[i]! * (1 + (rnd() - 0.5) * 1e-6);
        break;
      case 2:
        a[i] = -r[i]!;
        break;
      case 3:
        a[i] = 0;
        break;
      case 4:
        a[i] = r[i]! + (rnd() - 0.5) * 1e-3;
        break;
      case 5:
        a[i] = i % 2 ? -0 : 3.4e38;
        break;
      default:
        a[i] = r[i]! * 2;
        break;
    }
  }
  return [a, r];
}

// The compile target's libs carry no WebAssembly types; the one member used here is declared.
declare const WebAssembly: { validate: (bytes: Uint8Array) => boolean };

/**
 * The smallest module using a SIMD opcode (a function returning `v128.const 0`), assembled by hand
 * here: the platform's SIMD support is witnessed independently of the kernel under test.
 */
const SIMD_PROBE = new Uint8Array([
  0x00,
  0x61,
  0x73,
  0x6d,
  0x01,
  0x00,
  0x00,
  0x00,
  0x01,
  0x05,
  0x01,
  0x60,
  0x00,
  0x01,
  0x7b, // type: () -> v128
  0x03,
  0x02,
  0x01,
  0x00, // one function of that type
  0x0a,
  0x16,
  0x01,
  0x14,
  0x00,
  0xfd,
  0x0c,
  ...new Array<number>(16).fill(0),
  0x0b, // v128.const 0; end
]);

describe('WebAssembly SIMD float32 kernel', () => {
  it('instantiates wherever the platform has WebAssembly SIMD (every Node crossrt supports)', () => {
    expect(WebAssembly.validate(SIMD_PROBE), `this Node (${process.version}) has no WebAssembly SIMD`).toBe(true);
    const status = simdKernelStatus();
    expect(status, status.available ? '' : `the kernel did not instantiate: ${status.reason}`).toEqual({
      available: true,
    });
  });

  it('agrees with the JS kernel on every figure (sums up to summation order), across chunks and odd lengths', () => {
    for (const [n, seed] of [
      [1, 1],
      [7, 2],
      [8192, 3],
      [8193, 4],
      [50_001, 5],
    ] as const) {
      const [a, r] = pairs(n, seed);
      const simd = float32SimdPass(a, r, 1e-3, 1e-5)!;
      const js = floatPass(
        a,
        r,
        1e-3,
        1e-5,
        { kind: 'float32', a: new Int32Array(a.buffer), r: new Int32Array(r.buffer) },
        { simd: false },
      );
      for (const key of [
        'elements',
        'finite',
        'maxAbs',
        'maxRel',
        'maxUlp',
        'allcloseMismatches',
        'worstIndex',
        'zeroErrors',
      ] as const) {
        expect(simd[key], `${key} (n=${n})`).toBe(js[key]);
      }
      expect([...simd.exponentCounts]).toEqual([...js.exponentCounts]);
      for (const key of ['sumAbs', 'sumRel', 'sumSqErr', 'sumSqA', 'sumSqR', 'dot'] as const) {
        expect(Math.abs(simd[key] - js[key]), `${key} (n=${n})`).toBeLessThanOrEqual(
          1e-12 * Math.max(1, Math.abs(js[key])),
        );
      }
    }
  });

  it('hands pairs with NaN or Inf back to the JS kernel', () => {
    expect(float32SimdPass(new Float32Array([1, NaN]), new Float32Array([1, 2]), 0, 0)).toBeUndefined();
    expect(float32SimdPass(new Float32Array([Infinity, 1]), new Float32Array([Infinity, 1]), 0, 0)).toBeUndefined();
    const viaFloatPass = floatPass(new Float32Array([NaN, 1]), new Float32Array([1, 1]), 0, 0, { kind: 'none' });
    expect(viaFloatPass.nanInfMismatches).toBe(1);
  });
});
