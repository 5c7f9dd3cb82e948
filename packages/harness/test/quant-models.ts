/**
 * Small fp32 models for the quantization tests, built with graph-builder from seeded weights:
 * `convChain` — Conv(3→4, 3x3) → Relu → Conv(4→4, 3x3) → Relu → Conv(4→2, 1x1) → GlobalAveragePool →
 * Flatten → Gemm(2→3); every op is one crossrt's quantizer handles, so every tensor gets a Q/DQ pair.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTensor, type HostTensor } from '@crossrt/core';
import { buildModel, encodeModel, type ModelProto } from '@crossrt/model';

/** xorshift32 in [-1, 1): weights only need to be seeded and spread, not anything in particular. */
export function seededValues(n: number, seed: number, scale = 1): Float32Array {
  let s = seed >>> 0 || 1;
  return Float32Array.from({ length: n }, () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return ((s / 2 ** 32) * 2 - 1) * scale;
  });
}

const t = (dims: number[], seed: number, scale: number): HostTensor => makeTensor('float32', dims, seededValues(dims.reduce((a, b) => a * b, 1), seed, scale));

export function convChain(): ModelProto {
  return buildModel({
    opset: 13,
    inputs: [{ name: 'x', dtype: 'float32', dims: [1, 3, 8, 8] }],
    outputs: [{ name: 'y', dtype: 'float32', dims: [1, 3] }],
    initializers: {
      w1: t([4, 3, 3, 3], 1, 0.4), b1: t([4], 2, 0.1),
      w2: t([4, 4, 3, 3], 3, 0.3), b2: t([4], 4, 0.1),
      w3: t([2, 4, 1, 1], 5, 0.8), b3: t([2], 6, 0.1),
      wg: t([3, 2], 7, 1), bg: t([3], 8, 0.1),
    },
    nodes: [
      { op: 'Conv', name: 'conv1', inputs: ['x', 'w1', 'b1'], outputs: ['c1'], attrs: { pads: [1, 1, 1, 1] } },
      { op: 'Relu', name: 'relu1', inputs: ['c1'], outputs: ['r1'] },
      { op: 'Conv', name: 'conv2', inputs: ['r1', 'w2', 'b2'], outputs: ['c2'], attrs: { pads: [1, 1, 1, 1] } },
      { op: 'Relu', name: 'relu2', inputs: ['c2'], outputs: ['r2'] },
      { op: 'Conv', name: 'conv3', inputs: ['r2', 'w3', 'b3'], outputs: ['c3'] },
      { op: 'GlobalAveragePool', name: 'gap', inputs: ['c3'], outputs: ['g'] },
      { op: 'Flatten', name: 'flatten', inputs: ['g'], outputs: ['f'] },
      { op: 'Gemm', name: 'fc', inputs: ['f', 'wg', 'bg'], outputs: ['y'], attrs: { transB: 1 } },
    ],
  });
}

export function writeModel(dir: string, name: string, proto: ModelProto): string {
  const path = join(dir, name);
  writeFileSync(path, encodeModel(proto));
  return path;
}

/**
 * `singleConv` — y = Conv(x, w, b), 3→4 channels, 3x3, pad 1: one layer whose int8 error can be
 * bounded by hand. `channelScales` multiplies each output channel's weights (uneven channels).
 */
export function singleConv(channelScales: readonly number[] = [1, 1, 1, 1]): ModelProto {
  const w = seededValues(4 * 27, 11, 0.5).map((v, i) => v * channelScales[Math.floor(i / 27)]!);
  return buildModel({
    opset: 13,
    inputs: [{ name: 'x', dtype: 'float32', dims: [1, 3, 8, 8] }],
    outputs: [{ name: 'y', dtype: 'float32', dims: [1, 4, 8, 8] }],
    initializers: { w: makeTensor('float32', [4, 3, 3, 3], w), b: t([4], 12, 0.2) },
    nodes: [{ op: 'Conv', name: 'conv', inputs: ['x', 'w', 'b'], outputs: ['y'], attrs: { pads: [1, 1, 1, 1] } }],
  });
}
