#!/usr/bin/env node
/**
 * Regenerates fixtures/bad/ — the robustness corpus: inputs that must each end in a documented error
 * code and exit code (see README "Robustness corpus"), never an unhandled exception. Deterministic.
 * External-data traversal cases live in fixtures/model-io/external (tools/make-model-io-fixtures.mjs).
 */
import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { create, toBinary } from '@bufbuild/protobuf';
import {
  TensorProtoSchema,
  TypeProto_MapSchema,
  TypeProto_SequenceSchema,
  TypeProto_TensorSchema,
  TypeProtoSchema,
} from 'onnx-buf';
import { buildModel, encodeModel } from '@crossrt/model';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'bad');
await rm(root, { recursive: true, force: true });
await mkdir(root, { recursive: true });
const write = (name, bytes) => writeFile(join(root, name), bytes);
const relu = (extra = {}) =>
  buildModel({
    name: 'relu',
    opset: 13,
    inputs: [{ name: 'x', dtype: 'float32', dims: [4] }],
    outputs: [{ name: 'y', dtype: 'float32', dims: [4] }],
    nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['y'] }],
    ...extra,
  });

// 1. zero bytes
await write('zero-byte.onnx', new Uint8Array(0));
// 2. random bytes (xorshift32, seed 1): not a protobuf at all
let s = 1;
await write(
  'random-bytes.onnx',
  Uint8Array.from({ length: 4096 }, () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return s & 0xff;
  }),
);
// 3. a real model cut in half
const good = encodeModel(relu());
await write('truncated.onnx', good.subarray(0, Math.floor(good.length / 2)));
// 4. valid protobuf, but a TensorProto, not a ModelProto
await write(
  'not-a-model.onnx',
  toBinary(TensorProtoSchema, create(TensorProtoSchema, { name: 'w', dataType: 1, dims: [2n], floatData: [1, 2] })),
);
// 5. input dims that would need petabytes (float32 [1e9, 1e9] = 4 EB)
await write(
  'petabyte-input.onnx',
  encodeModel(
    buildModel({
      name: 'huge',
      opset: 13,
      inputs: [{ name: 'x', dtype: 'float32', dims: [1_000_000_000, 1_000_000_000] }],
      outputs: [{ name: 'y', dtype: 'float32', dims: [1_000_000_000, 1_000_000_000] }],
      nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['y'] }],
    }),
  ),
);
// 6. an op from a custom domain no runtime knows
await write(
  'unknown-domain.onnx',
  encodeModel(
    buildModel({
      name: 'custom',
      opset: 13,
      inputs: [{ name: 'x', dtype: 'float32', dims: [4] }],
      outputs: [{ name: 'y', dtype: 'float32', dims: [4] }],
      nodes: [{ op: 'FancyActivation', domain: 'com.example.custom', inputs: ['x'], outputs: ['y'] }],
    }),
  ),
);
// 7. string IO: a supported case (Identity on strings) that must simply work
await write(
  'string-io.onnx',
  encodeModel(
    buildModel({
      name: 'strings',
      opset: 13,
      inputs: [{ name: 's', dtype: 'string', dims: [3] }],
      outputs: [{ name: 't', dtype: 'string', dims: [3] }],
      nodes: [{ op: 'Identity', inputs: ['s'], outputs: ['t'] }],
    }),
  ),
);
// 8. a run config with wrong types
await write(
  'wrong-types.config.json',
  `${JSON.stringify({ inputs: { x: { range: 'wide' } }, tolerance: { rtol: '1e-3' } }, null, 2)}\n`,
);
// 9. a suite file with wrong types
await write('wrong-types.suite.yaml', 'name: 7\ntargets: ort-node:cpu\nmodels: [{ path: 3 }]\n');
// 10. sequence and map IO (declared types crossrt cannot feed): a tensor wrapped by SequenceConstruct,
// and a map<int64, float> input; both rejected before any runtime runs them
const tensorType = (elemType) =>
  create(TypeProtoSchema, { value: { case: 'tensorType', value: create(TypeProto_TensorSchema, { elemType }) } });
const seqModel = buildModel({
  name: 'seq',
  opset: 13,
  inputs: [{ name: 'x', dtype: 'float32', dims: [4] }],
  outputs: [{ name: 'seq', dtype: 'float32', dims: [4] }],
  nodes: [{ op: 'SequenceConstruct', inputs: ['x'], outputs: ['seq'] }],
});
seqModel.graph.output[0].type = create(TypeProtoSchema, {
  value: { case: 'sequenceType', value: create(TypeProto_SequenceSchema, { elemType: tensorType(1) }) },
});
await write('sequence-io.onnx', encodeModel(seqModel));
const mapModel = buildModel({
  name: 'map',
  opset: 13,
  inputs: [{ name: 'm', dtype: 'float32', dims: [4] }],
  outputs: [{ name: 'y', dtype: 'float32', dims: [4] }],
  nodes: [{ op: 'Identity', inputs: ['m'], outputs: ['y'] }],
});
mapModel.graph.input[0].type = create(TypeProtoSchema, {
  value: { case: 'mapType', value: create(TypeProto_MapSchema, { keyType: 7, valueType: tensorType(1) }) },
});
await write('map-io.onnx', encodeModel(mapModel));
// 11. a symlinked model that points at nothing
await symlink('does-not-exist.onnx', join(root, 'dangling-link.onnx'));
console.log(`wrote fixtures/bad/`);
