import { describe, expect, it } from 'vitest';
import type { HostTensor } from '@crossrt/core';
import { computeMetrics } from './metrics.js';

const f32 = (values: number[], dims = [values.length]): HostTensor => ({
  dtype: 'float32',
  dims,
  data: new Float32Array(values),
});
const f64 = (values: number[], dims = [values.length]): HostTensor => ({
  dtype: 'float64',
  dims,
  data: new Float64Array(values),
});

describe('computeMetrics on hand-computed float64 pairs', () => {
  // a = [1, 2, 3, 4], r = [1, 2.5, 2, 4]: errors [0, 0.5, 1, 0]; values are exact in binary.
  const m = computeMetrics(f64([1, 2, 3, 4]), f64([1, 2.5, 2, 4]), 0.1, 0.1);

  it('abs and relative errors', () => {
    expect(m.maxAbsError).toBe(1);
    expect(m.meanAbsError).toBe(1.5 / 4);
    // rel = |a-r|/|r|: [0, 0.2, 0.5, 0]
    expect(m.maxRelError).toBe(0.5);
    expect(m.meanRelError).toBeCloseTo(0.7 / 4, 15);
    expect(m.worstIndex).toBe(2);
    expect(m.worstActual).toBe(3);
    expect(m.worstReference).toBe(2);
  });

  it('rmse, cosine and snr', () => {
    expect(m.rmse).toBeCloseTo(Math.sqrt(1.25 / 4), 15);
    // a·r = 1 + 5 + 6 + 16 = 28; |a|² = 30; |r|² = 1 + 6.25 + 4 + 16 = 27.25
    expect(m.cosineSimilarity).toBeCloseTo(28 / Math.sqrt(30 * 27.25), 12);
    // SNR = 10 log10(27.25 / 1.25)
    expect(m.snrDb).toBeCloseTo(10 * Math.log10(27.25 / 1.25), 12);
  });

  it('allclose count uses |a-r| <= atol + rtol*|r|', () => {
    // thresholds 0.1 + 0.1*|r|: [0.2, 0.35, 0.3, 0.5] → errors 0.5 > 0.35 and 1 > 0.3 fail
    expect(m.allcloseMismatches).toBe(2);
    expect(m.mismatchFraction).toBe(0.5);
  });

  it('log2 histogram of |a-r|: two zeros, 0.5 in [2^-1, 2^0), 1 in [2^0, 2^1)', () => {
    expect(m.histogram).toEqual({
      zero: 2,
      bins: [
        { log2: -1, count: 1 },
        { log2: 0, count: 1 },
      ],
    });
  });

  it('relative error floors a zero reference at 1e-12', () => {
    const z = computeMetrics(f64([1e-6]), f64([0]), 0, 0);
    expect(z.maxRelError).toBeCloseTo(1e6, 3);
  });

  it('defines cosine for zero vectors and leaves SNR null when identical', () => {
    expect(computeMetrics(f64([0, 0]), f64([0, 0]), 0, 0).cosineSimilarity).toBe(1);
    expect(computeMetrics(f64([0, 0]), f64([1, 0]), 0, 0).cosineSimilarity).toBe(0);
    expect(computeMetrics(f64([1, 2]), f64([1, 2]), 0, 0).snrDb).toBeNull();
    expect(computeMetrics(f64([-1, -2]), f64([1, 2]), 0, 0).cosineSimilarity).toBeCloseTo(-1, 15);
  });
});

describe('NaN and infinity rules', () => {
  it('NaN vs NaN and equal infinities agree and stay out of the error sums', () => {
    const m = computeMetrics(f32([NaN, Infinity, -Infinity, 1]), f32([NaN, Infinity, -Infinity, 1.5]), 0, 0);
    expect(m.nanInfMismatches).toBe(0);
    expect(m.maxAbsError).toBe(0.5);
    expect(m.meanAbsError).toBe(0.5); // one finite pair
    expect(m.nonFinite).toEqual({ actualNaN: 1, referenceNaN: 1, actualInf: 2, referenceInf: 2 });
  });

  it('NaN against a number, opposite infinities and Inf against NaN are position mismatches', () => {
    const m = computeMetrics(f32([NaN, 1, Infinity, Infinity, 2]), f32([1, NaN, -Infinity, NaN, 2]), 1, 1);
    expect(m.nanInfMismatches).toBe(4);
    expect(m.allcloseMismatches).toBe(0);
    expect(m.maxAbsError).toBe(0);
  });

  it('a float64 difference that overflows counts as the worst finite error', () => {
    const m = computeMetrics(f64([1.5e308]), f64([-1.5e308]), 0, 0);
    expect(m.maxAbsError).toBe(Number.MAX_VALUE);
    expect(m.allcloseMismatches).toBe(1);
    expect(m.nanInfMismatches).toBe(0);
  });
});

describe('ULP distance', () => {
  it('float32: ±0 are 0 apart, neighbours 1, across zero the subnormal steps add up', () => {
    const tiny = 2 ** -149; // smallest float32 subnormal
    expect(computeMetrics(f32([0]), f32([-0]), 0, 0).maxUlp).toBe(0);
    expect(computeMetrics(f32([1 + 2 ** -23]), f32([1]), 0, 0).maxUlp).toBe(1);
    expect(computeMetrics(f32([tiny]), f32([-tiny]), 0, 0).maxUlp).toBe(2);
    expect(computeMetrics(f32([3 * tiny]), f32([0]), 0, 0).maxUlp).toBe(3);
    // largest subnormal (0x007fffff) to smallest normal (0x00800000): 1
    expect(computeMetrics(f32([2 ** -126]), f32([2 ** -126 - tiny]), 0, 0).maxUlp).toBe(1);
    // 1.0 is 0x3f800000: from -1 to 1 is 2 * 0x3f800000
    expect(computeMetrics(f32([1]), f32([-1]), 0, 0).maxUlp).toBe(2 * 0x3f800000);
  });

  it('float16 counts in half-precision places, from the bits', () => {
    const f16 = (bits: number[]): HostTensor => ({
      dtype: 'float16',
      dims: [bits.length],
      data: new Uint16Array(bits),
    });
    expect(computeMetrics(f16([0x3c01]), f16([0x3c00]), 0, 0).maxUlp).toBe(1);
    expect(computeMetrics(f16([0x8000]), f16([0x0000]), 0, 0).maxUlp).toBe(0);
    expect(computeMetrics(f16([0x8001]), f16([0x0001]), 0, 0).maxUlp).toBe(2);
    expect(computeMetrics(f16([0x0400]), f16([0x03ff]), 0, 0).maxUlp).toBe(1); // smallest normal vs largest subnormal
    expect(computeMetrics(f16([0x3c00]), f16([0xbc00]), 0, 0).maxUlp).toBe(2 * 0x3c00);
  });

  it('float64 pairs carry no ULP figure', () => {
    expect(computeMetrics(f64([1]), f64([2]), 0, 0).maxUlp).toBeUndefined();
  });
});

describe('exact dtypes', () => {
  it('integers, bool and bigints count differences; strings compare by value', () => {
    const i8 = computeMetrics(
      { dtype: 'int8', dims: [3], data: new Int8Array([1, -128, 5]) },
      { dtype: 'int8', dims: [3], data: new Int8Array([1, 127, 5]) },
      1,
      1,
    );
    expect(i8).toMatchObject({ exact: true, allcloseMismatches: 1, maxAbsError: 255, worstIndex: 1 });
    const b = computeMetrics(
      { dtype: 'bool', dims: [2], data: new Uint8Array([1, 0]) },
      { dtype: 'bool', dims: [2], data: new Uint8Array([1, 1]) },
      0,
      0,
    );
    expect(b.allcloseMismatches).toBe(1);
    const u64 = computeMetrics(
      { dtype: 'uint64', dims: [1], data: new BigUint64Array([2n ** 64n - 1n]) },
      { dtype: 'uint64', dims: [1], data: new BigUint64Array([2n ** 64n - 2n]) },
      0,
      0,
    );
    expect(u64).toMatchObject({ allcloseMismatches: 1, maxAbsError: 1, worstActual: '18446744073709551615' });
    const s = computeMetrics(
      { dtype: 'string', dims: [2], data: ['x', 'y'] },
      { dtype: 'string', dims: [2], data: ['x', 'y'] },
      0,
      0,
    );
    expect(s.allcloseMismatches).toBe(0);
  });
});

describe('top-k agreement on class scores', () => {
  it('finds argmax and top-5 overlap row by row', () => {
    // 2 rows × 6 classes. Row 0: same order. Row 1: argmax differs (class 5 vs 0), top-5 sets share 4.
    const r = f32([0.1, 0.9, 0.3, 0.2, 0.5, 0.0, /* row 1 */ 0.9, 0.8, 0.7, 0.6, 0.5, 0.0]);
    const a = f32([0.1, 0.9, 0.3, 0.2, 0.5, 0.0, /* row 1 */ 0.9, 0.8, 0.7, 0.6, 0.0, 0.95]);
    const m = computeMetrics({ ...a, dims: [2, 6] }, { ...r, dims: [2, 6] }, 0, 0, { output: 'logits' });
    expect(m.topK).toEqual({ rows: 2, classes: 6, k: 5, top1: 0.5, topKOverlap: (1 + 4 / 5) / 2 });
  });

  it('is skipped for outputs that do not look like class scores', () => {
    expect(
      computeMetrics(f32([1, 2], [1, 1, 2]), f32([1, 2], [1, 1, 2]), 0, 0, { output: 'stateN' }).topK,
    ).toBeUndefined();
    expect(computeMetrics(f32([1], [1, 1]), f32([1], [1, 1]), 0, 0, { output: 'output' }).topK).toBeUndefined();
  });
});

describe('float32 histogram bins from bits', () => {
  it('matches floor(log2 |a-r|) taken from the float64 exponent, across signs, binades and subnormals', () => {
    const n = 20000;
    const a = new Float32Array(n),
      r = new Float32Array(n);
    let s = 12345;
    const rnd = () => {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      return s / 4294967296;
    };
    for (let i = 0; i < n; i++) {
      const scale = 2 ** Math.floor(rnd() * 60 - 150); // reaches float32 subnormals
      r[i] = (rnd() - 0.5) * scale * (i % 3 === 0 ? 1 : 2 ** 100);
      const k = i % 4;
      a[i] = k === 0 ? r[i]! : k === 1 ? r[i]! * (1 + (rnd() - 0.5) * 1e-6) : k === 2 ? -r[i]! : r[i]! * (1 + rnd());
    }
    const dv = new DataView(new ArrayBuffer(8));
    const want = new Map<number, number>();
    let zero = 0;
    for (let i = 0; i < n; i++) {
      const d = Math.abs(a[i]! - r[i]!);
      if (d === 0) {
        zero++;
        continue;
      }
      dv.setFloat64(0, d);
      const e = (dv.getUint16(0) >> 4) - 1023;
      want.set(e, (want.get(e) ?? 0) + 1);
    }
    const h = computeMetrics(f32([...a]), f32([...r]), 0, 0).histogram!;
    expect(h.zero).toBe(zero);
    expect(new Map(h.bins.map((b) => [b.log2, b.count]))).toEqual(want);
  });
});
