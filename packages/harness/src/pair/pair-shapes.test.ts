import { describe, expect, it } from 'vitest';
import type { ModelSignature } from '@crossrt/model';
import { shapesFromTfjs } from './pair-shapes.js';

describe('shapesFromTfjs', () => {
  const onnx: ModelSignature = {
    inputs: [
      { name: 'image', kind: 'tensor', dtype: 'float32', dims: ['N', 3, 'H', 'W'] },
      { name: 'fixed', kind: 'tensor', dtype: 'float32', dims: [1, 4] },
      { name: 'open', kind: 'tensor', dtype: 'float32', dims: ['N', 'T'] },
    ],
    outputs: [],
  };
  const tfjs: ModelSignature = {
    inputs: [
      { name: 'image_in', kind: 'tensor', dtype: 'float32', dims: [1, 224, 160, 3] },
      { name: 'fixed_in', kind: 'tensor', dtype: 'float32', dims: [1, 4] },
      { name: 'open_in', kind: 'tensor', dtype: 'float32', dims: ['batch', 'open_in_dim1'] },
    ],
    outputs: [],
  };
  const mappings = [
    { onnx: 'image', tfjs: 'image_in', perm: [0, 2, 3, 1], source: 'inferred' as const, rule: '' },
    { onnx: 'fixed', tfjs: 'fixed_in', perm: [0, 1], source: 'inferred' as const, rule: '' },
    { onnx: 'open', tfjs: 'open_in', perm: [0, 1], source: 'inferred' as const, rule: '' },
  ];

  it('binds symbolic ONNX dims from the TF.js side through the permutation (NHWC [1,224,160,3] → NCHW [1,3,224,160])', () => {
    expect(shapesFromTfjs(onnx, tfjs, mappings, {})).toEqual({ image: [1, 3, 224, 160] });
  });

  it('leaves inputs the user shaped, fully fixed inputs, and inputs unknown on both sides alone', () => {
    expect(shapesFromTfjs(onnx, tfjs, mappings, { image: [2, 3, 8, 8] })).toEqual({});
  });
});
