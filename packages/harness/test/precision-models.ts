import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildModel, encodeModel } from '@crossrt/model';

/** Models for the precision tests, with the float64 math they compute. */

const GAIN = 300;
const W = Array.from({ length: 16 * 16 }, (_, i) => Math.sin(i) * 0.3);

/**
 * h = tanh(x @ W); y = sigmoid(h); energy = sum over the row of (300·h)². With |h| near 1 over 16
 * columns, energy reaches 16·300² ≈ 1.4e6 > 65504: the ReduceSumSquare's result cannot be float16,
 * everything before it can (|300·h| ≤ 300).
 */
export function overflowModel(dir: string): string {
  const f32 = (values: number[], dims: number[]) => ({
    dtype: 'float32' as const,
    dims,
    data: Float32Array.from(values),
  });
  const path = join(dir, 'energy.onnx');
  writeFileSync(
    path,
    encodeModel(
      buildModel({
        opset: 17,
        inputs: [{ name: 'x', dtype: 'float32', dims: [4, 16] }],
        outputs: [
          { name: 'y', dtype: 'float32', dims: [4, 16] },
          { name: 'energy', dtype: 'float32', dims: [4] },
        ],
        initializers: { w: f32(W, [16, 16]), gain: f32([GAIN], []) },
        nodes: [
          { op: 'MatMul', inputs: ['x', 'w'], outputs: ['h'], name: 'proj' },
          { op: 'Tanh', inputs: ['h'], outputs: ['t'], name: 'tanh' },
          { op: 'Sigmoid', inputs: ['t'], outputs: ['y'], name: 'sigmoid' },
          { op: 'Mul', inputs: ['t', 'gain'], outputs: ['e'], name: 'gain' },
          {
            op: 'ReduceSumSquare',
            inputs: ['e'],
            outputs: ['energy'],
            name: 'energy',
            attrs: { axes: [1], keepdims: 0 },
          },
        ],
      }),
    ),
  );
  return path;
}

/** The same math in float64 for one x. */
export function energyByHand(x: readonly number[]): number[] {
  return [0, 1, 2, 3].map((r) => {
    let sum = 0;
    for (let j = 0; j < 16; j++) {
      let acc = 0;
      for (let k = 0; k < 16; k++) acc += x[r * 16 + k]! * W[k * 16 + j]!;
      sum += (GAIN * Math.tanh(acc)) ** 2;
    }
    return sum;
  });
}
