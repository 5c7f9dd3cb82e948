import { describe, expect, it } from 'vitest';
import { buildModel } from './graph-builder.js';
import { inferElemTypes } from './elem-type-inference.js';

describe('inferElemTypes with an untyped data input', () => {
  // `q` comes out of a custom-domain op, so its type is unknown; int64 axes/pads/shape inputs must
  // not stand in for it (the silero-vad decoder case: Unsqueeze after an untyped If).
  const g = buildModel({
    opset: 13,
    inputs: [{ name: 'x', dtype: 'float32', dims: [4] }],
    outputs: [{ name: 'out', dtype: 'float32', dims: [4] }],
    initializers: {
      axes: { dtype: 'int64', dims: [1], data: new BigInt64Array([0n]) },
      bias: { dtype: 'float32', dims: [4], data: new Float32Array(4) },
    },
    nodes: [
      { op: 'Mystery', domain: 'com.example', inputs: ['x'], outputs: ['q'] },
      { op: 'Unsqueeze', inputs: ['q', 'axes'], outputs: ['u'] },
      { op: 'ReduceSum', inputs: ['q', 'axes'], outputs: ['r'] },
      { op: 'Add', inputs: ['q', 'bias'], outputs: ['sum'] },
      { op: 'Identity', inputs: ['sum'], outputs: ['out'] },
    ],
  }).graph!;
  const t = inferElemTypes(g);

  it('leaves ops whose later inputs are axes unknown instead of guessing int64', () => {
    expect(t.get('u')).toBeUndefined();
    expect(t.get('r')).toBeUndefined();
  });
  it('still takes the type from any input of ops whose inputs all share it', () => {
    expect(t.get('sum')).toBe(1); // Add(T, T): the float bias tells it
  });
});
