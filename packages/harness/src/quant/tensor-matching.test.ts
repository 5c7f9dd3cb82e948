import { describe, expect, it } from 'vitest';
import { makeTensor } from '@crossrt/core';
import { buildModel, type NodeSpec } from '@crossrt/model';
import { matchQuantizedTensors } from './tensor-matching.js';

const f32 = (dims: number[], v = 0.5) =>
  makeTensor('float32', dims, new Float32Array(dims.reduce((a, b) => a * b, 1)).fill(v));
const io = {
  opset: 13,
  inputs: [{ name: 'x', dtype: 'float32' as const, dims: [1, 4] }],
  outputs: [{ name: 'y', dtype: 'float32' as const, dims: [1, 4] }],
};
const qdq = (t: string, out: string): NodeSpec[] => [
  { op: 'QuantizeLinear', inputs: [t, 's', 'z'], outputs: [`${out}_q`] },
  { op: 'DequantizeLinear', inputs: [`${out}_q`, 's', 'z'], outputs: [out] },
];
const params = { s: makeTensor('float32', [], Float32Array.of(0.01)), z: makeTensor('uint8', [], Uint8Array.of(128)) };

/** fp32: y = Relu(x·W) + x, two ops deep with a branch. */
const fp32 = buildModel({
  ...io,
  initializers: { W: f32([4, 4]) },
  nodes: [
    { op: 'MatMul', inputs: ['x', 'W'], outputs: ['m'] },
    { op: 'Relu', inputs: ['m'], outputs: ['r'] },
    { op: 'Add', inputs: ['r', 'x'], outputs: ['y'] },
  ],
});

describe('matchQuantizedTensors', () => {
  it('pairs renamed tensors by structure: same op reading the same paired tensors at the same positions', () => {
    const renamed = buildModel({
      ...io,
      initializers: { W_q: makeTensor('int8', [4, 4], new Int8Array(16).fill(50)), ...params },
      nodes: [
        ...qdq('x', 'x_dq'),
        { op: 'DequantizeLinear', inputs: ['W_q', 's', 'z'], outputs: ['W_dq'] },
        { op: 'MatMul', inputs: ['x_dq', 'W_dq'], outputs: ['mm_0'] },
        { op: 'Relu', inputs: ['mm_0'], outputs: ['relu_0'] },
        ...qdq('relu_0', 'relu_0_dq'),
        { op: 'Add', inputs: ['relu_0_dq', 'x_dq'], outputs: ['y'] },
      ],
    });
    const m = matchQuantizedTensors(fp32, renamed);
    expect(m.format).toBe('qdq');
    expect(m.activations.map((a) => [a.fp32, a.variant, a.match])).toEqual([
      ['x', 'x_dq', 'dequantize-linear'],
      ['m', 'mm_0', 'structure'],
      ['r', 'relu_0_dq', 'dequantize-linear'],
      ['y', 'y', 'name'],
    ]);
    expect(m.weights.map((w) => [w.fp32, w.variant, w.kind, w.quant.scale])).toEqual([['W', 'W_q', 'weight', 's']]);
    expect(m.unmatched).toEqual([]);
  });

  it('a model without Q/DQ or QOperator nodes is MODEL_NOT_QUANTIZED', () => {
    expect(() => matchQuantizedTensors(fp32, fp32)).toThrow(expect.objectContaining({ code: 'MODEL_NOT_QUANTIZED' }));
  });

  it('different graph inputs are QUANT_MODELS_MISMATCHED', () => {
    const other = buildModel({
      ...io,
      inputs: [
        { name: 'a', dtype: 'float32', dims: [1, 4] },
        { name: 'b', dtype: 'float32', dims: [1, 4] },
      ],
      initializers: params,
      nodes: [...qdq('a', 'y')],
    });
    expect(() => matchQuantizedTensors(fp32, other)).toThrow(
      expect.objectContaining({ code: 'QUANT_MODELS_MISMATCHED' }),
    );
  });

  it('an int8 graph computing something else shares only its input: QUANT_NO_MATCHED_TENSORS', () => {
    const other = buildModel({
      ...io,
      initializers: params,
      nodes: [{ op: 'Sigmoid', inputs: ['x'], outputs: ['sg'] }, ...qdq('sg', 'y')],
    });
    expect(() => matchQuantizedTensors(fp32, other)).toThrow(
      expect.objectContaining({ code: 'QUANT_NO_MATCHED_TENSORS' }),
    );
  });
});
