#!/usr/bin/env node
/**
 * Regenerates fixtures/model-io/ deterministically: models with external data (a valid one and every
 * way a reference can be unsafe or broken), truncated/garbage .onnx and .pb files, and NumPy arrays
 * written by NumPy itself (python3 + numpy, when present) so the .npy/.npz reader is checked against an
 * independent writer. Needs `npm run build` first. Expected values live in the tests, derived by hand.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildModel, encodeModel, pointToExternalData } from '@crossrt/model';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'model-io');
const f32 = (dims, values) => ({ dtype: 'float32', dims, data: new Float32Array(values) });
const bytesOf = (ta) => new Uint8Array(ta.buffer, ta.byteOffset, ta.byteLength);

// y = x · W + b with W = [[1, 2], [3, 4]] and b = [10, 20]: both stored in weights.bin
// (W at offset 0, 16 bytes; b at offset 16, 8 bytes). x: [N, 2] → y: [N, 2].
function externalModel(wLocation, bLocation = wLocation) {
  const model = buildModel({
    name: 'external_affine',
    opset: 13,
    inputs: [{ name: 'x', dtype: 'float32', dims: ['N', 2] }],
    outputs: [{ name: 'y', dtype: 'float32', dims: ['N', 2] }],
    initializers: { W: f32([2, 2], [1, 2, 3, 4]), b: f32([2], [10, 20]) },
    nodes: [
      { op: 'MatMul', inputs: ['x', 'W'], outputs: ['xw'], name: 'matmul' },
      { op: 'Add', inputs: ['xw', 'b'], outputs: ['y'], name: 'bias' },
    ],
  });
  const places = { W: [wLocation, 0, 16], b: [bLocation, 16, 8] };
  for (const t of model.graph.initializer) {
    const [location, offset, length] = places[t.name];
    pointToExternalData(t, location, offset, length);
  }
  return encodeModel(model);
}
const weights = new Uint8Array([...bytesOf(new Float32Array([1, 2, 3, 4])), ...bytesOf(new Float32Array([10, 20]))]);

// arrays/ is left alone: it is rewritten below only when numpy is present.
for (const sub of ['external', 'broken']) await rm(join(root, sub), { recursive: true, force: true });
const write = async (rel, data) => {
  const path = join(root, rel);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, data);
  console.log(`wrote ${path}`);
};

// The valid one, and one per failure class.
await write('external/ok/model.onnx', externalModel('weights.bin'));
await write('external/ok/weights.bin', weights);
await write('external/subdir-ok/model.onnx', externalModel('data/weights.bin'));
await write('external/subdir-ok/data/weights.bin', weights);
await write('external/absolute/model.onnx', externalModel('/etc/passwd'));
await write('external/dotdot/model.onnx', externalModel('../secret.bin'));
await write('external/dotdot-inner/model.onnx', externalModel('data/../../secret.bin'));
await write('external/secret.bin', new Uint8Array(64).fill(0x41));
await write('external/symlink/model.onnx', externalModel('weights.bin'));
await symlink('../secret.bin', join(root, 'external/symlink/weights.bin'));
await write('external/missing/model.onnx', externalModel('weights.bin'));
await write('external/short/model.onnx', externalModel('weights.bin'));
await write('external/short/weights.bin', weights.subarray(0, 20));

// Broken files: a model cut in half, text posing as a model, and the same for a TensorProto.
const good = encodeModel(
  buildModel({
    name: 'relu',
    opset: 13,
    inputs: [{ name: 'x', dtype: 'float32', dims: [2, 3] }],
    outputs: [{ name: 'y', dtype: 'float32', dims: [2, 3] }],
    nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['y'], name: 'relu' }],
  }),
);
await write('broken/truncated.onnx', good.subarray(0, Math.floor(good.length / 2)));
await write(
  'broken/garbage.onnx',
  new TextEncoder().encode('this is not an ONNX model, just a text file with a wrong extension\n'),
);
await write('broken/empty.onnx', new Uint8Array(0));
// TensorProto float32 dims [4] raw_data = 16 bytes, cut to 12 bytes in the middle of raw_data.
const pb = new Uint8Array([0x08, 0x04, 0x10, 0x01, 0x4a, 0x10, ...bytesOf(new Float32Array([1, 2, 3, 4]))]);
await write('broken/truncated.pb', pb.subarray(0, 6 + 12));
await write('broken/garbage.pb', new TextEncoder().encode('not a tensor\n'));

// NumPy-written arrays (skipped with a note when numpy is missing; the committed files stay).
const py = String.raw`
import numpy as np, sys
out = sys.argv[1]
np.save(out + '/f32_2x3.npy', np.arange(6, dtype=np.float32).reshape(2, 3) / 4)
np.save(out + '/f16_3.npy', np.array([1.0, -2.5, 65504.0], dtype=np.float16))
np.save(out + '/f64_be.npy', np.array([0.5, -1.25], dtype='>f8'))
np.save(out + '/i64_2x2_fortran.npy', np.asfortranarray(np.array([[1, 2], [3, 4]], dtype=np.int64)))
np.save(out + '/u8_4.npy', np.array([0, 1, 254, 255], dtype=np.uint8))
np.save(out + '/i8_3.npy', np.array([-128, 0, 127], dtype=np.int8))
np.save(out + '/u64_2.npy', np.array([0, 2**64 - 1], dtype=np.uint64))
np.save(out + '/bool_2x2.npy', np.array([[True, False], [False, True]]))
np.save(out + '/str_2.npy', np.array(['ab', 'héllo']))
np.save(out + '/scalar_i32.npy', np.array(7, dtype=np.int32))
np.save(out + '/object.npy', np.array([{'a': 1}], dtype=object), allow_pickle=True)
np.savez(out + '/pair.npz', x=np.array([1.5, 2.5], dtype=np.float32), mask=np.array([True, False]))
np.savez_compressed(out + '/pair_compressed.npz', x=np.array([1.5, 2.5], dtype=np.float32), ids=np.array([[1, 2, 3]], dtype=np.int32))
`;
await mkdir(join(root, 'arrays'), { recursive: true });
try {
  execFileSync('python3', ['-c', py, join(root, 'arrays')], { stdio: ['ignore', 'inherit', 'pipe'] });
  console.log(`wrote ${join(root, 'arrays')}/*.npy, *.npz (numpy)`);
} catch (e) {
  console.log(
    `numpy not available (${String(e.stderr ?? e)
      .split('\n')
      .filter(Boolean)
      .pop()}); arrays/ left as committed`,
  );
}
