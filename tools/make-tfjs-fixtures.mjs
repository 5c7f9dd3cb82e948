#!/usr/bin/env node
/**
 * Regenerates fixtures/tfjs/<model>/ deterministically: a small TF.js layers model with seeded weights
 * (tfjs/model.json + tfjs/weights.bin, written by tfjs-layers' own save() through a file handler), the
 * equivalent ONNX model from tools/tfjs-onnx-exporter.mjs (model.onnx, NCHW), deliberately wrong
 * exports (wrong/<fault>.onnx) and the pair config (crossrt-pair.json). Needs `npm run build` first.
 *
 * Weights come from a seeded mulberry32 stream, never from tfjs initializers, so the bytes are the same
 * on every machine. BatchNorm variances are small (0.004–0.04) so a dropped epsilon (1e-3 vs 1e-5)
 * moves outputs by several percent, as it does in real models with small variances.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeModel } from '@crossrt/model';
import { exportLayersModelToOnnx } from './tfjs-onnx-exporter.mjs';

const require = createRequire(import.meta.url);
const tf = require('@tensorflow/tfjs-core');
require('@tensorflow/tfjs-backend-cpu');
const tfl = require('@tensorflow/tfjs-layers');

const root = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'tfjs');

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Seeded values per weight, by role: kernels ±0.5, gamma [0.5,1.5), variance [0.004,0.04). */
function seededWeights(model, seed) {
  const rand = mulberry32(seed);
  return model.weights.map((v) => {
    const n = v.shape.reduce((a, b) => a * b, 1);
    const role = v.name.split('/').pop();
    const draw =
      {
        gamma: () => 0.5 + rand(),
        moving_variance: () => 0.004 + 0.036 * rand(),
        moving_mean: () => 0.4 * (rand() - 0.5),
        beta: () => 0.4 * (rand() - 0.5),
        bias: () => 0.4 * (rand() - 0.5),
      }[role] ?? (() => rand() - 0.5);
    return tf.tensor(Float32Array.from({ length: n }, draw), v.shape, 'float32');
  });
}

/** tfjs-layers' save() through a handler that writes model.json + one weights.bin. */
async function saveLayersModel(model, dir) {
  await mkdir(dir, { recursive: true });
  await model.save({
    async save(artifacts) {
      const parts = Array.isArray(artifacts.weightData) ? artifacts.weightData : [artifacts.weightData];
      const bin = Buffer.concat(parts.map((b) => Buffer.from(b)));
      await writeFile(join(dir, 'weights.bin'), bin);
      const json = {
        format: 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
      };
      await writeFile(join(dir, 'model.json'), `${JSON.stringify(json, null, 1)}\n`);
      return { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: 'JSON' } };
    },
  });
}

const MODELS = {
  // One 2x2 all-ones kernel, no bias, 'same' on 3x3: each output is the sum of a 2x2 window with the
  // zero padding at the bottom/right (TF's rule), so tests can state the outputs by hand.
  'same-pad-even': {
    weights: () => [tf.ones([2, 2, 1, 1])],
    faults: ['pad-wrong-side'],
    build: () =>
      tfl.sequential({
        name: 'same_pad_even',
        layers: [
          tfl.layers.conv2d({
            name: 'conv',
            inputShape: [3, 3, 1],
            batchSize: 1,
            filters: 1,
            kernelSize: 2,
            strides: 1,
            padding: 'same',
            useBias: false,
          }),
        ],
      }),
    pair: { name: 'same-pad-even', onnx: 'model.onnx', tfjs: 'tfjs/model.json' },
  },
  // Even 2x2 kernel with 'same' padding (TF pads bottom/right only), BN with Keras epsilon 1e-3,
  // max pooling, then a stride-2 3x3 'same' conv (again asymmetric) with a sigmoid.
  'conv-bn-pool': {
    seed: 1,
    faults: ['pad-wrong-side', 'bn-epsilon-dropped', 'kernel-layout-slip', 'activation-swapped'],
    build: () =>
      tfl.sequential({
        name: 'conv_bn_pool',
        layers: [
          tfl.layers.conv2d({
            name: 'conv_a',
            inputShape: [8, 8, 3],
            batchSize: 1,
            filters: 4,
            kernelSize: 2,
            strides: 1,
            padding: 'same',
          }),
          tfl.layers.batchNormalization({ name: 'bn_a', epsilon: 1e-3 }),
          tfl.layers.activation({ name: 'relu_a', activation: 'relu' }),
          tfl.layers.maxPooling2d({ name: 'pool_a', poolSize: 2, strides: 2, padding: 'valid' }),
          tfl.layers.conv2d({
            name: 'conv_b',
            filters: 6,
            kernelSize: 3,
            strides: 2,
            padding: 'same',
            activation: 'sigmoid',
          }),
        ],
      }),
    // No mapping given: crossrt infers input ↔ input and output ↔ conv_b with NCHW↔NHWC.
    pair: { name: 'conv-bn-pool', onnx: 'model.onnx', tfjs: 'tfjs/model.json' },
    // tf2onnx-style export that keeps NHWC at the graph boundary: the inferred layout is identity.
    nhwc: true,
  },
  // 1x1 conv with ELU, global average pooling, Dense + tanh: layout-free head after the pooling.
  'gap-dense': {
    seed: 3,
    faults: ['kernel-layout-slip'],
    build: () =>
      tfl.sequential({
        name: 'gap_dense',
        layers: [
          tfl.layers.conv2d({
            name: 'pointwise',
            inputShape: [5, 5, 3],
            batchSize: 1,
            filters: 8,
            kernelSize: 1,
            padding: 'valid',
            activation: 'elu',
          }),
          tfl.layers.globalAveragePooling2d({ name: 'gap' }),
          tfl.layers.dense({ name: 'head', units: 4, activation: 'tanh' }),
        ],
      }),
    pair: { name: 'gap-dense', onnx: 'model.onnx', tfjs: 'tfjs/model.json' },
  },
  // Depthwise 3x3 (multiplier 2, 'same'), relu6, average pooling, Flatten (NHWC order), Dense + softmax.
  'depthwise-dense': {
    seed: 2,
    faults: ['flatten-order', 'kernel-layout-slip', 'pad-wrong-side'],
    build: () =>
      tfl.sequential({
        name: 'depthwise_dense',
        layers: [
          tfl.layers.depthwiseConv2d({
            name: 'dw',
            inputShape: [6, 6, 2],
            batchSize: 1,
            kernelSize: 4,
            depthMultiplier: 2,
            strides: 1,
            padding: 'same',
          }),
          tfl.layers.reLU({ name: 'relu6', maxValue: 6 }),
          tfl.layers.averagePooling2d({ name: 'avg', poolSize: 3, strides: 1, padding: 'valid' }),
          tfl.layers.flatten({ name: 'flat' }),
          tfl.layers.dense({ name: 'fc', units: 5, activation: 'softmax' }),
        ],
      }),
    // Given mapping (names differ; rank-2 IO needs no permutation on the output).
    pair: {
      name: 'depthwise-dense',
      onnx: 'model.onnx',
      tfjs: 'tfjs/model.json',
      inputs: [{ onnx: 'input', tfjs: 'dw_input', perm: [0, 2, 3, 1] }],
      outputs: [{ onnx: 'output', tfjs: 'fc' }],
    },
  },
};

await tf.setBackend('cpu');
for (const [name, spec] of Object.entries(MODELS)) {
  const dir = join(root, name);
  await rm(dir, { recursive: true, force: true });
  const model = spec.build();
  model.setWeights(spec.weights ? spec.weights() : seededWeights(model, spec.seed));
  await saveLayersModel(model, join(dir, 'tfjs'));
  const modelJson = join(dir, 'tfjs', 'model.json');
  await writeFile(join(dir, 'model.onnx'), encodeModel(await exportLayersModelToOnnx(modelJson)));
  if (spec.nhwc)
    await writeFile(
      join(dir, 'model.nhwc.onnx'),
      encodeModel(await exportLayersModelToOnnx(modelJson, { ioLayout: 'nhwc' })),
    );
  await mkdir(join(dir, 'wrong'), { recursive: true });
  for (const fault of spec.faults) {
    await writeFile(
      join(dir, 'wrong', `${fault}.onnx`),
      encodeModel(await exportLayersModelToOnnx(modelJson, { faults: [fault] })),
    );
  }
  await writeFile(join(dir, 'crossrt-pair.json'), `${JSON.stringify(spec.pair, null, 2)}\n`);
  console.log(`wrote ${dir} (model.onnx, tfjs/, wrong/{${spec.faults.join(',')}}.onnx)`);
}
