#!/usr/bin/env node
/**
 * Regenerates fixtures/placement/*.onnx (deterministic; needs `npm run build`): old-opset graphs the
 * WebGPU execution providers refuse, wholly or in part, so a WebGPU target must report `fallback` or
 * `partial-fallback` instead of a pass. Outputs are derivable by hand:
 *   upsample-opset9.onnx   y = Upsample(x, scales [1,1,2,2], nearest): each element becomes a 2×2 block.
 *                          Upsample left ONNX in opset 10 and no WebGPU EP implements it → all on CPU.
 *   scale-upsample-relu-opset9.onnx
 *                          y = Relu(Upsample(2·x - 1)): Mul/Sub/Relu run on WebGPU, Upsample on the CPU.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildModel } from '@crossrt/model';
import { writeModelFixtures } from './write-model-fixtures.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'placement');
const f32 = (dims, values) => ({ dtype: 'float32', dims, data: new Float32Array(values) });
const scales = f32([4], [1, 1, 2, 2]);

const fixtures = {
  'upsample-opset9.onnx': buildModel({
    name: 'upsample_opset9',
    opset: 9,
    inputs: [{ name: 'x', dtype: 'float32', dims: [1, 1, 2, 2] }],
    outputs: [{ name: 'y', dtype: 'float32', dims: [1, 1, 4, 4] }],
    initializers: { scales },
    nodes: [{ op: 'Upsample', inputs: ['x', 'scales'], outputs: ['y'], attrs: { mode: 'nearest' }, name: 'upsample' }],
  }),
  'scale-upsample-relu-opset9.onnx': buildModel({
    name: 'scale_upsample_relu_opset9',
    opset: 9,
    inputs: [{ name: 'x', dtype: 'float32', dims: [1, 1, 2, 2] }],
    outputs: [{ name: 'y', dtype: 'float32', dims: [1, 1, 4, 4] }],
    initializers: { scales, two: f32([], [2]), one: f32([], [1]) },
    nodes: [
      { op: 'Mul', inputs: ['x', 'two'], outputs: ['x2'], name: 'double' },
      { op: 'Sub', inputs: ['x2', 'one'], outputs: ['pre'], name: 'minus_one' },
      { op: 'Upsample', inputs: ['pre', 'scales'], outputs: ['up'], attrs: { mode: 'nearest' }, name: 'upsample' },
      { op: 'Relu', inputs: ['up'], outputs: ['y'], name: 'relu' },
    ],
  }),
};

await writeModelFixtures(root, fixtures);
