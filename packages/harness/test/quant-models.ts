/**
 * Small fp32 models for the quantization tests, built with graph-builder from seeded weights:
 * `convChain` — Conv(3→4, 3x3) → Relu → Conv(4→4, 3x3) → Relu → Conv(4→2, 1x1) → GlobalAveragePool →
 * Flatten → Gemm(2→3); every op is one crossrt's quantizer handles, so every tensor gets a Q/DQ pair.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTensor, type HostTensor } from '@crossrt/core';
import { buildModel, encodeModel, tensorFromProto, type ModelProto } from '@crossrt/model';

/** xorshift32 in [-1, 1): weights only need to be seeded and spread, not anything in particular. */
export function seededValues(n: number, seed: number, scale = 1): Float32Array {
  let s = seed >>> 0 || 1;
  return Float32Array.from({ length: n }, () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return ((s / 2 ** 32) * 2 - 1) * scale;
  });
}

const t = (dims: number[], seed: number, scale: number): HostTensor =>
  makeTensor(
    'float32',
    dims,
    seededValues(
      dims.reduce((a, b) => a * b, 1),
      seed,
      scale,
    ),
  );

export function convChain(): ModelProto {
  return buildModel({
    opset: 13,
    inputs: [{ name: 'x', dtype: 'float32', dims: [1, 3, 8, 8] }],
    outputs: [{ name: 'y', dtype: 'float32', dims: [1, 3] }],
    initializers: {
      w1: t([4, 3, 3, 3], 1, 0.4),
      b1: t([4], 2, 0.1),
      w2: t([4, 4, 3, 3], 3, 0.3),
      b2: t([4], 4, 0.1),
      w3: t([2, 4, 1, 1], 5, 0.8),
      b3: t([2], 6, 0.1),
      wg: t([3, 2], 7, 1),
      bg: t([3], 8, 0.1),
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

/** fp32 twin of the QOperator model: Conv(3→4, 3x3) → Relu → Conv(4→4, 3x3) → y. */
export function convReluConv(): ModelProto {
  return buildModel({
    opset: 13,
    inputs: [{ name: 'x', dtype: 'float32', dims: [1, 3, 8, 8] }],
    outputs: [{ name: 'y', dtype: 'float32', dims: [1, 4, 8, 8] }],
    initializers: {
      w1: t([4, 3, 3, 3], 21, 0.4),
      b1: t([4], 22, 0.1),
      w2: t([4, 4, 3, 3], 23, 0.3),
      b2: t([4], 24, 0.1),
    },
    nodes: [
      { op: 'Conv', name: 'conv1', inputs: ['x', 'w1', 'b1'], outputs: ['c1'], attrs: { pads: [1, 1, 1, 1] } },
      { op: 'Relu', name: 'relu1', inputs: ['c1'], outputs: ['r1'] },
      { op: 'Conv', name: 'conv2', inputs: ['r1', 'w2', 'b2'], outputs: ['y'], attrs: { pads: [1, 1, 1, 1] } },
    ],
  });
}

/**
 * The same network in QOperator form, as onnxruntime's QOperator quantizer writes it, parameters chosen
 * here with plain arithmetic (not crossrt's quantizer): x → QuantizeLinear (uint8, [-1, 1]) →
 * QLinearConv with the Relu folded in (output zero point 0 clips negatives) → QLinearConv with
 * per-channel w2 → DequantizeLinear → y. Intermediate names differ from the fp32 model's.
 * `r1Max` and `yRange` are the fp32 ranges of r1 and y (measured by the caller). Weights are 7-bit,
 * [-64, 64] (onnxruntime's reduce_range): with full-range int8 weights, onnxruntime's QLinearConv on an
 * x86 CPU without VNNI adds u8 × s8 product pairs in saturating int16 (VPMADDUBSW) and computes other
 * numbers than these parameters define (measured: r1 at 16 dB instead of > 25 dB on an AVX2-only EPYC).
 * That would be a true finding about the runtime; these tests are about crossrt's pairing.
 */
export function convReluConvQOperator(
  fp32: ModelProto,
  r1Max: number,
  yRange: { min: number; max: number },
): ModelProto {
  const init = new Map(fp32.graph!.initializer.map((x) => [x.name, x]));
  const values = (name: string) => tensorFromProto(init.get(name)!).data as Float32Array;
  const w1 = values('w1'),
    b1 = values('b1'),
    w2 = values('w2'),
    b2 = values('b2');
  const xs = 2 / 255,
    xzp = 128;
  const qmax = 64;
  const w1s = Math.max(...w1.map(Math.abs)) / qmax;
  const w2s = [0, 1, 2, 3].map((c) => Math.max(...w2.slice(c * 36, (c + 1) * 36).map(Math.abs)) / qmax);
  const r1s = r1Max / 255;
  const lo = Math.min(yRange.min, 0),
    hi = Math.max(yRange.max, 0);
  const ys = (hi - lo) / 255,
    yzp = Math.round(-lo / ys);
  const i8 = (xs_: Float32Array, s: (i: number) => number) =>
    Int8Array.from(xs_, (v, i) => Math.max(-qmax, Math.min(qmax, Math.round(v / s(i)))));
  const f = (v: number | number[]) =>
    makeTensor('float32', Array.isArray(v) ? [v.length] : [], Float32Array.from(Array.isArray(v) ? v : [v]));
  return buildModel({
    opset: 13,
    inputs: [{ name: 'x', dtype: 'float32', dims: [1, 3, 8, 8] }],
    outputs: [{ name: 'y', dtype: 'float32', dims: [1, 4, 8, 8] }],
    initializers: {
      x_scale: f(xs),
      x_zero_point: makeTensor('uint8', [], Uint8Array.of(xzp)),
      w1_quantized: makeTensor(
        'int8',
        [4, 3, 3, 3],
        i8(w1, () => w1s),
      ),
      w1_scale: f(w1s),
      w1_zero_point: makeTensor('int8', [], Int8Array.of(0)),
      b1_quantized: makeTensor(
        'int32',
        [4],
        Int32Array.from(b1, (v) => Math.round(v / (xs * w1s))),
      ),
      r1_scale: f(r1s),
      r1_zero_point: makeTensor('uint8', [], Uint8Array.of(0)),
      w2_quantized: makeTensor(
        'int8',
        [4, 4, 3, 3],
        i8(w2, (i) => w2s[Math.floor(i / 36)]!),
      ),
      w2_scale: f(w2s),
      w2_zero_point: makeTensor('int8', [4], new Int8Array(4)),
      b2_quantized: makeTensor(
        'int32',
        [4],
        Int32Array.from(b2, (v, c) => Math.round(v / (r1s * w2s[c]!))),
      ),
      y_scale: f(ys),
      y_zero_point: makeTensor('uint8', [], Uint8Array.of(yzp)),
    },
    nodes: [
      {
        op: 'QuantizeLinear',
        name: 'x_QuantizeLinear',
        inputs: ['x', 'x_scale', 'x_zero_point'],
        outputs: ['x_quantized'],
      },
      {
        op: 'QLinearConv',
        name: 'conv1_quant',
        inputs: [
          'x_quantized',
          'x_scale',
          'x_zero_point',
          'w1_quantized',
          'w1_scale',
          'w1_zero_point',
          'r1_scale',
          'r1_zero_point',
          'b1_quantized',
        ],
        outputs: ['conv1_out_q'],
        attrs: { pads: [1, 1, 1, 1] },
      },
      {
        op: 'QLinearConv',
        name: 'conv2_quant',
        inputs: [
          'conv1_out_q',
          'r1_scale',
          'r1_zero_point',
          'w2_quantized',
          'w2_scale',
          'w2_zero_point',
          'y_scale',
          'y_zero_point',
          'b2_quantized',
        ],
        outputs: ['y_q'],
        attrs: { pads: [1, 1, 1, 1] },
      },
      {
        op: 'DequantizeLinear',
        name: 'y_DequantizeLinear',
        inputs: ['y_q', 'y_scale', 'y_zero_point'],
        outputs: ['y'],
      },
    ],
  });
}
