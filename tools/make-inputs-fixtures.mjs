#!/usr/bin/env node
/**
 * Regenerates fixtures/inputs/*.onnx deterministically (weights from closed-form formulas, fixed producer
 * fields). Needs `npm run build` first. Used by the inputs/compare CLI tests:
 * - tiny-bert.onnx: input_ids → Gather over a [30, 4] word table, token_type_ids → [2, 4], position_ids
 *   → [16, 4], attention_mask multiplies the sum; outputs `hidden` [batch, seq, 4] and `logits`
 *   [batch, seq, 5]. Triggers the token-ids (vocabulary 30), attention-mask, token-type-ids and
 *   position-ids heuristics.
 * - classifier-fp32.onnx / classifier-fp16.onnx / classifier-int8.onnx: logits = x · W + b for
 *   x [N, 16] float32 and W [16, 10]. The fp16 variant stores W and b as float16 and computes in fp16
 *   (Cast in, Cast out); the int8 variant stores W as int8 with a per-tensor scale (DequantizeLinear).
 *   Same float32 I/O, so `crossrt compare` feeds all three the same tensor.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeFloat16Array } from '@crossrt/core';
import { buildModel } from '@crossrt/model';
import { writeModelFixtures } from './write-model-fixtures.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'inputs');
const f32 = (dims, values) => ({ dtype: 'float32', dims, data: new Float32Array(values) });
const table = (rows, cols, salt) =>
  f32(
    [rows, cols],
    Array.from({ length: rows * cols }, (_, k) => Math.sin(k * 0.37 + salt) * 0.5),
  );

const W = Array.from({ length: 16 * 10 }, (_, k) => Math.sin(k * 1.7) * Math.cos(k * 0.3));
const B = Array.from({ length: 10 }, (_, k) => (k - 4.5) / 10);
const scale = Math.max(...W.map(Math.abs)) / 127;
const Wq = W.map((w) => Math.max(-127, Math.min(127, Math.round(w / scale))));

const classifierIo = {
  inputs: [{ name: 'x', dtype: 'float32', dims: ['N', 16] }],
  outputs: [{ name: 'logits', dtype: 'float32', dims: ['N', 10] }],
};

const fixtures = {
  'tiny-bert.onnx': buildModel({
    name: 'tiny_bert_embeddings',
    opset: 13,
    inputs: [
      { name: 'input_ids', dtype: 'int64', dims: ['batch', 'seq'] },
      { name: 'attention_mask', dtype: 'int64', dims: ['batch', 'seq'] },
      { name: 'token_type_ids', dtype: 'int64', dims: ['batch', 'seq'] },
      { name: 'position_ids', dtype: 'int64', dims: ['batch', 'seq'] },
    ],
    outputs: [
      { name: 'hidden', dtype: 'float32', dims: ['batch', 'seq', 4] },
      { name: 'logits', dtype: 'float32', dims: ['batch', 'seq', 5] },
    ],
    initializers: {
      'word_embeddings.weight': table(30, 4, 0.1),
      'token_type_embeddings.weight': table(2, 4, 0.2),
      'position_embeddings.weight': table(16, 4, 0.3),
      axes: { dtype: 'int64', dims: [1], data: new BigInt64Array([2n]) },
      'classifier.weight': table(4, 5, 0.4),
    },
    nodes: [
      { op: 'Gather', inputs: ['word_embeddings.weight', 'input_ids'], outputs: ['w'], name: 'embeddings/word' },
      {
        op: 'Gather',
        inputs: ['token_type_embeddings.weight', 'token_type_ids'],
        outputs: ['t'],
        name: 'embeddings/token_type',
      },
      {
        op: 'Gather',
        inputs: ['position_embeddings.weight', 'position_ids'],
        outputs: ['p'],
        name: 'embeddings/position',
      },
      { op: 'Add', inputs: ['w', 't'], outputs: ['wt'] },
      { op: 'Add', inputs: ['wt', 'p'], outputs: ['sum'] },
      { op: 'Cast', inputs: ['attention_mask'], outputs: ['maskf'], attrs: { to: 1 } },
      { op: 'Unsqueeze', inputs: ['maskf', 'axes'], outputs: ['mask3'] },
      { op: 'Mul', inputs: ['sum', 'mask3'], outputs: ['hidden'] },
      { op: 'MatMul', inputs: ['hidden', 'classifier.weight'], outputs: ['logits'] },
    ],
  }),
  'classifier-fp32.onnx': buildModel({
    name: 'classifier_fp32',
    opset: 13,
    ...classifierIo,
    initializers: { W: f32([16, 10], W), b: f32([10], B) },
    nodes: [
      { op: 'MatMul', inputs: ['x', 'W'], outputs: ['xw'] },
      { op: 'Add', inputs: ['xw', 'b'], outputs: ['logits'] },
    ],
  }),
  'classifier-fp16.onnx': buildModel({
    name: 'classifier_fp16',
    opset: 13,
    ...classifierIo,
    initializers: {
      W: { dtype: 'float16', dims: [16, 10], data: encodeFloat16Array(W) },
      b: { dtype: 'float16', dims: [10], data: encodeFloat16Array(B) },
    },
    nodes: [
      { op: 'Cast', inputs: ['x'], outputs: ['x16'], attrs: { to: 10 } },
      { op: 'MatMul', inputs: ['x16', 'W'], outputs: ['xw'] },
      { op: 'Add', inputs: ['xw', 'b'], outputs: ['y16'] },
      { op: 'Cast', inputs: ['y16'], outputs: ['logits'], attrs: { to: 1 } },
    ],
  }),
  'classifier-int8.onnx': buildModel({
    name: 'classifier_int8',
    opset: 13,
    ...classifierIo,
    initializers: {
      Wq: { dtype: 'int8', dims: [16, 10], data: new Int8Array(Wq) },
      scale: f32([], [scale]),
      zero: { dtype: 'int8', dims: [], data: new Int8Array([0]) },
      b: f32([10], B),
    },
    nodes: [
      { op: 'DequantizeLinear', inputs: ['Wq', 'scale', 'zero'], outputs: ['W'] },
      { op: 'MatMul', inputs: ['x', 'W'], outputs: ['xw'] },
      { op: 'Add', inputs: ['xw', 'b'], outputs: ['logits'] },
    ],
  }),
};

await writeModelFixtures(root, fixtures);
