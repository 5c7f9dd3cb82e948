#!/usr/bin/env node
/**
 * Regenerates fixtures/models/*.onnx deterministically (no randomness, fixed producer fields), so
 * `git diff` after running it shows nothing unless the generator changed. Needs `npm run build` first.
 *
 * Each fixture's outputs are derivable by hand; the expected values live in the tests, computed from
 * the formulas below, not by running this code.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildModel } from '@crossrt/model';
import { writeModelFixtures } from './write-model-fixtures.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'models');
const f32 = (dims, values) => ({ dtype: 'float32', dims, data: new Float32Array(values) });

const fixtures = {
  // y = Relu(2x - 1) element-wise; z = x · W with W = [[1, 2], [3, 4]] (x: [N, 2] → z: [N, 2]).
  'affine-relu.onnx': buildModel({
    name: 'affine_relu',
    opset: 13,
    inputs: [{ name: 'x', dtype: 'float32', dims: ['N', 2] }],
    outputs: [
      { name: 'y', dtype: 'float32', dims: ['N', 2] },
      { name: 'z', dtype: 'float32', dims: ['N', 2] },
    ],
    initializers: { two: f32([], [2]), one: f32([], [1]), W: f32([2, 2], [1, 2, 3, 4]) },
    nodes: [
      { op: 'Mul', inputs: ['x', 'two'], outputs: ['x2'], name: 'double' },
      { op: 'Sub', inputs: ['x2', 'one'], outputs: ['pre'], name: 'minus_one' },
      { op: 'Relu', inputs: ['pre'], outputs: ['y'], name: 'relu' },
      { op: 'MatMul', inputs: ['x', 'W'], outputs: ['z'], name: 'matmul' },
    ],
  }),
  // count = ReduceSum(Cast(mask, int64)) over all axes; flipped = Not(mask). Integer/bool exactness.
  'mask-count.onnx': buildModel({
    name: 'mask_count',
    opset: 13,
    inputs: [{ name: 'mask', dtype: 'bool', dims: [2, 3] }],
    outputs: [
      { name: 'count', dtype: 'int64', dims: [] },
      { name: 'flipped', dtype: 'bool', dims: [2, 3] },
    ],
    nodes: [
      { op: 'Cast', inputs: ['mask'], outputs: ['mask_i64'], attrs: { to: 7 }, name: 'cast' },
      { op: 'ReduceSum', inputs: ['mask_i64'], outputs: ['count'], attrs: { keepdims: 0 }, name: 'sum' },
      { op: 'Not', inputs: ['mask'], outputs: ['flipped'], name: 'not' },
    ],
  }),
};

await writeModelFixtures(root, fixtures);
