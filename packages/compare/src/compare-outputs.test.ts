import { describe, expect, it } from 'vitest';
import type { HostTensor, Tolerance } from '@crossrt/core';
import { compareOutput } from './compare-outputs.js';

const tol: Tolerance = { rtol: 1e-3, atol: 1e-5, source: 'cli' };
const f32 = (values: number[], dims = [values.length]): HostTensor => ({
  dtype: 'float32',
  dims,
  data: new Float32Array(values),
});
const cmp = (actual: HostTensor | undefined, expected: HostTensor | undefined, t = tol) =>
  compareOutput({ output: 'y', target: 'b', reference: 'a', actual, expected, tolerance: t });

describe('compareOutput', () => {
  it('computes max/mean abs, max rel and allclose count by hand', () => {
    // errors: |1.5-1|=0.5 (rel 0.5), |2-2|=0, |-4-(-3.9)|=0.1 (rel 0.1/3.9), |0.00001-0|=1e-5 (rel 1e-5/1e-12)
    const r = cmp(f32([1.5, 2, -4, 0.00001]), f32([1, 2, -3.9, 0]));
    expect(r.verdict).toBe('mismatch');
    const m = r.metrics!;
    expect(m.maxAbsError).toBeCloseTo(0.5, 6);
    expect(m.meanAbsError).toBeCloseTo((0.5 + 0 + 0.1 + 0.00001) / 4, 6);
    expect(m.maxRelError).toBeCloseTo(1e-5 / 1e-12, -3);
    // allclose: 0.5 > 1e-5 + 1e-3*1 (fail); 0 (ok); 0.1 > 1e-5 + 3.9e-3 (fail); 1e-5 <= 1e-5 + 0 (ok, float32 rounding aside)
    expect(m.allcloseMismatches).toBe(2);
    expect(m.mismatchFraction).toBe(0.5);
    expect(m.worstIndex).toBe(0);
    expect(r.reason).toMatch(/2\/4 element\(s\) fail/);
  });

  it('passes identical tensors and equal specials (NaN vs NaN, same-sign Inf)', () => {
    const r = cmp(f32([NaN, Infinity, -Infinity, 0]), f32([NaN, Infinity, -Infinity, -0]));
    expect(r.verdict).toBe('pass');
    expect(r.metrics!.nanInfMismatches).toBe(0);
  });

  it('flags NaN/Inf positions that differ, before any tolerance', () => {
    const r = cmp(f32([NaN, 1, Infinity]), f32([1, 1, -Infinity]), { rtol: 1, atol: 1, source: 'cli' });
    expect(r.verdict).toBe('nan-inf');
    expect(r.metrics!.nanInfMismatches).toBe(2);
  });

  it('decides missing, dtype and shape before metrics', () => {
    expect(cmp(undefined, f32([1])).verdict).toBe('missing');
    expect(cmp(f32([1]), { dtype: 'float64', dims: [1], data: new Float64Array([1]) }).verdict).toBe('dtype');
    expect(cmp(f32([1, 2], [2, 1]), f32([1, 2], [1, 2])).verdict).toBe('shape');
  });

  it('compares integers, int64 and strings exactly, ignoring tolerance', () => {
    const loose: Tolerance = { rtol: 1, atol: 100, source: 'cli' };
    const i32 = cmp(
      { dtype: 'int32', dims: [3], data: new Int32Array([1, 2, 3]) },
      { dtype: 'int32', dims: [3], data: new Int32Array([1, 2, 4]) },
      loose,
    );
    expect(i32.verdict).toBe('mismatch');
    expect(i32.metrics!.allcloseMismatches).toBe(1);
    expect(i32.metrics!.maxAbsError).toBe(1);
    const i64 = cmp(
      { dtype: 'int64', dims: [2], data: new BigInt64Array([5n, -7n]) },
      { dtype: 'int64', dims: [2], data: new BigInt64Array([5n, -7n]) },
      loose,
    );
    expect(i64.verdict).toBe('pass');
    const s = cmp({ dtype: 'string', dims: [2], data: ['a', 'b'] }, { dtype: 'string', dims: [2], data: ['a', 'c'] });
    expect(s.verdict).toBe('mismatch');
    expect(s.metrics!.worstActual).toBe('b');
  });

  it('decodes float16 bits before comparing', () => {
    // 0x3c00 = 1.0, 0x3c01 = 1 + 2^-10; abs error 2^-10 ≈ 9.77e-4
    const a: HostTensor = { dtype: 'float16', dims: [1], data: new Uint16Array([0x3c01]) };
    const b: HostTensor = { dtype: 'float16', dims: [1], data: new Uint16Array([0x3c00]) };
    const r = cmp(a, b, { rtol: 0, atol: 1e-3, source: 'cli' });
    expect(r.verdict).toBe('pass');
    expect(r.metrics!.maxAbsError).toBe(2 ** -10);
  });
});

describe('compareOutput with tolerance policies', () => {
  const ramp = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));

  it('resolves per-dtype defaults when no fixed tolerance is given', () => {
    const r = compareOutput({
      output: 'y',
      target: 'b:x',
      reference: 'a:x',
      actual: f32([1.000015]),
      expected: f32([1]),
    });
    expect(r.tolerance).toMatchObject({ rtol: 1e-5, atol: 1e-5, source: 'dtype-default' });
    expect(r.verdict).toBe('pass'); // float32(1.000015) - 1 ≈ 1.5e-5 <= 1e-5 + 1e-5*1
    expect(r.reason).toMatch(/\(float32-default\)$/);
  });

  it('an output override decides for that output only, and the reason names it', () => {
    const policy = { outputs: { y: { rtol: 0, atol: 1e-6 } } };
    const r = compareOutput({
      output: 'y',
      target: 'b:x',
      reference: 'a:x',
      actual: f32([1.000015]),
      expected: f32([1]),
      policy,
    });
    expect(r.verdict).toBe('mismatch');
    expect(r.reason).toMatch(/\(output:y\)/);
    expect(
      compareOutput({
        output: 'z',
        target: 'b:x',
        reference: 'a:x',
        actual: f32([1.000015]),
        expected: f32([1]),
        policy,
      }).verdict,
    ).toBe('pass');
  });

  it('a statistical variant policy passes small spread-out fp16-like noise that fails element-wise', () => {
    // reference sin(i), actual with relative noise 1e-3: SNR = 60 dB, cosine ≈ 1 - 5e-7.
    const ref = ramp(1000, (i) => Math.sin(i));
    const act = ref.map((v, i) => v * (1 + (i % 2 ? 1e-3 : -1e-3)));
    const r = compareOutput({
      output: 'y',
      target: 'b.onnx@a:x',
      reference: 'a.onnx@a:x',
      actual: f32(act),
      expected: f32(ref),
      variantKind: 'fp16',
    });
    expect(r.metrics!.allcloseMismatches).toBeGreaterThan(0);
    expect(r.metrics!.snrDb).toBeCloseTo(60, 1);
    expect(r.verdict).toBe('pass');
    expect(r.reason).toMatch(/SNR 60\.0 dB >= 30 dB \(variant:fp16\)/);
  });

  it('the statistical policy fails on low SNR and on top-1 disagreement, naming each rule', () => {
    const ref = ramp(20, (i) => (i % 10) / 10); // 2 rows × 10 classes, argmax 9
    const act = [...ref];
    act[0] = 0.95; // row 0: argmax moves to class 0
    const r = compareOutput({
      output: 'logits',
      target: 'b.onnx@a:x',
      reference: 'a.onnx@a:x',
      actual: { ...f32(act), dims: [2, 10] },
      expected: { ...f32(ref), dims: [2, 10] },
      variantKind: 'int8',
    });
    expect(r.metrics!.topK!.top1).toBe(0.5);
    expect(r.verdict).toBe('mismatch');
    expect(r.reason).toMatch(/top-1 agreement 50\.00% < 95\.00%/);
    expect(r.reason).toMatch(/\(variant:int8\)/);
  });

  it('variant comparisons compare an fp16 output with an fp32 one by value; others refuse the dtype pair', () => {
    const half: HostTensor = { dtype: 'float16', dims: [2], data: new Uint16Array([0x3c00, 0x4000]) }; // 1, 2
    const single = f32([1, 2]);
    expect(cmp(half, single).verdict).toBe('dtype');
    const v = compareOutput({
      output: 'y',
      target: 'b.onnx@a:x',
      reference: 'a.onnx@a:x',
      actual: half,
      expected: single,
      variantKind: 'fp16',
      allowFloatDtypeMix: true,
    });
    expect(v.verdict).toBe('pass');
    expect(v.reason).toMatch(/float16 compared by value against float32/);
  });

  it('an opt-in ULP bound fails values that are within rtol/atol', () => {
    const r = compareOutput({
      output: 'y',
      target: 'b:x',
      reference: 'a:x',
      actual: f32([1 + 2 ** -22]),
      expected: f32([1]),
      policy: { base: { maxUlp: 1 } },
    });
    expect(r.metrics!.maxUlp).toBe(2);
    expect(r.verdict).toBe('mismatch');
    expect(r.reason).toMatch(/max ULP distance 2 > 1/);
  });
});
