import { describe, expect, it } from 'vitest';
import { buildModel } from '@crossrt/model';
import { onnxTensorForLayer } from './format-pair-localize.js';

describe('onnxTensorForLayer', () => {
  // Keras-style numbered layers and a tf2onnx-style scoped name.
  const proto = buildModel({
    opset: 13,
    inputs: [{ name: 'x', dtype: 'float32', dims: [1, 4] }],
    outputs: [{ name: 'y', dtype: 'float32', dims: [1, 4] }],
    nodes: [
      { op: 'Relu', name: 'dense', inputs: ['x'], outputs: ['t0'] },
      { op: 'Relu', name: 'dense_relu', inputs: ['t0'], outputs: ['t1'] },
      { op: 'Relu', name: 'dense_1', inputs: ['t1'], outputs: ['t2'] },
      { op: 'Relu', name: 'dense_1_sigmoid', inputs: ['t2'], outputs: ['t3'] },
      { op: 'Relu', name: 'model/head/BiasAdd', inputs: ['t3'], outputs: ['y'] },
    ],
  });
  const layers = ['dense', 'dense_1', 'head', 'missing'];

  it('takes the last node named after the layer, never a longer-numbered sibling', () => {
    expect(onnxTensorForLayer(proto, 'dense', layers)).toBe('t1');
    expect(onnxTensorForLayer(proto, 'dense_1', layers)).toBe('t3');
  });

  it('finds scoped names by path segment and reports layers no node names', () => {
    expect(onnxTensorForLayer(proto, 'head', layers)).toBe('y');
    expect(onnxTensorForLayer(proto, 'missing', layers)).toBeUndefined();
  });
});
