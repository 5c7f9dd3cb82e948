import { describe, expect, it } from 'vitest';
import {
  activationParams,
  biasParams,
  dequantizeValues,
  quantizeValues,
  roundHalfEven,
  weightParams,
} from './quant-params.js';

describe('quantization parameters (values worked out by hand)', () => {
  it('rounds half to even, as QuantizeLinear does', () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4, 2.6].map(roundHalfEven)).toEqual([0, 2, 2, -0, -2, -2, 2, 3]);
  });

  it('uint8 activations over [-1, 3]: scale 4/255, zero point round(255/4) = 64', () => {
    const p = activationParams(-1, 3, 'uint8');
    expect(p.scale[0]).toBeCloseTo(4 / 255, 7);
    expect(p.zeroPoint[0]).toBe(64);
    // 0 is exact; 3 → 64 + 3·255/4 = 255.25 → 255; -2 saturates at 0.
    expect([...quantizeValues([0, 3, -2], [3], p)]).toEqual([64, 255, 0]);
  });

  it('a range not holding 0 is widened to hold it; int8 zero point = -128 - min/scale', () => {
    const p = activationParams(2, 4, 'uint8');
    expect(p.scale[0]).toBeCloseTo(4 / 255, 7);
    expect(p.zeroPoint[0]).toBe(0);
    const q = activationParams(-2, 2, 'int8');
    expect(q.scale[0]).toBeCloseTo(4 / 255, 7);
    expect(q.zeroPoint[0]).toBe(0);
  });

  it('symmetric int8 weights per output channel: scale max|w_c|/127, zero point 0', () => {
    const w = [1.27, -0.5, 0.01, -2.54];
    const p = weightParams(w, [2, 2], 0);
    expect([...p.scale]).toEqual([Math.fround(0.01), Math.fround(0.02)]);
    expect([...quantizeValues(w, [2, 2], p)]).toEqual([127, -50, 1, -127]);
    const back = dequantizeValues(quantizeValues(w, [2, 2], p), [2, 2], p);
    // Half a step at most: 0.005 on channel 0, 0.01 on channel 1.
    expect(Math.abs(back[2]! - 0.01)).toBeLessThanOrEqual(0.01);
  });

  it('reduce_range weights use 7 bits: max|w| 0.64 → scale 0.01, values within [-64, 64]', () => {
    const w = [0.64, -0.32, 0.016, -0.64];
    const p = weightParams(w, [4], undefined, true);
    expect([...p.scale]).toEqual([Math.fround(0.01)]);
    expect([...quantizeValues(w, [4], p)]).toEqual([64, -32, 2, -64]);
  });

  it('bias scale is input scale × weight scale, per channel', () => {
    const b = biasParams(0.5, weightParams([1.27, 2.54], [2, 1], 0));
    expect([...b.scale]).toEqual([Math.fround(0.005), Math.fround(0.01)]);
    expect(b.type).toBe('int32');
  });
});
