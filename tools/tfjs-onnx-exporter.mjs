/**
 * A small TF.js layers → ONNX exporter for crossrt's conversion-pair fixtures. It reads a Sequential
 * model.json + weights.bin (what tfjs-layers' save() writes) and emits an ONNX graph in NCHW, the way
 * tf2onnx-style converters do. `faults` injects the mistakes real converters make, so the harness can
 * prove it catches them:
 *   pad-wrong-side       asymmetric 'same' padding put at the start instead of the end (TF pads the end)
 *   bn-epsilon-dropped   BatchNormalization exported without its epsilon (ONNX default 1e-5 instead of Keras' 1e-3)
 *   kernel-layout-slip   conv kernels reinterpreted HWIO → OIHW by reshape, without the transpose
 *   activation-swapped   sigmoid exported as HardSigmoid (the Keras hard_sigmoid, alpha 0.2 beta 0.5)
 *   flatten-order        Flatten of an NCHW tensor without transposing to NHWC first (channel-major order)
 * Supported layers: Conv2D, DepthwiseConv2D, BatchNormalization, Dense, MaxPooling2D, AveragePooling2D,
 * GlobalAveragePooling2D, Flatten, Activation, ReLU (activations: linear, relu, relu6, sigmoid, tanh, softmax, elu).
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { buildModel } from '@crossrt/model';

export const FAULTS = [
  'pad-wrong-side',
  'bn-epsilon-dropped',
  'kernel-layout-slip',
  'activation-swapped',
  'flatten-order',
];

const f32 = (dims, data) => ({ dtype: 'float32', dims, data: Float32Array.from(data) });
const i64 = (values) => ({ dtype: 'int64', dims: [values.length], data: BigInt64Array.from(values.map(BigInt)) });

/** Read every weight of a layers model.json as Float32Array by name. */
async function readWeights(modelJsonPath, json) {
  const weights = new Map();
  for (const group of json.weightsManifest) {
    const chunks = await Promise.all(group.paths.map((p) => readFile(join(dirname(modelJsonPath), p))));
    const buf = Buffer.concat(chunks);
    let at = 0;
    for (const w of group.weights) {
      if (w.dtype !== 'float32') throw new Error(`exporter handles float32 weights only (${w.name} is ${w.dtype})`);
      const n = w.shape.reduce((a, b) => a * b, 1);
      weights.set(w.name, {
        shape: w.shape,
        data: new Float32Array(buf.buffer.slice(buf.byteOffset + at, buf.byteOffset + at + 4 * n)),
      });
      at += 4 * n;
    }
  }
  return weights;
}

/** data of a [d0,d1,...] tensor permuted so out[i...] = in[perm-applied]: generic N-d transpose. */
function transpose(data, dims, perm) {
  const outDims = perm.map((p) => dims[p]);
  const inStrides = dims.map((_, i) => dims.slice(i + 1).reduce((a, b) => a * b, 1));
  const out = new Float32Array(data.length);
  const idx = new Array(dims.length).fill(0);
  for (let o = 0; o < out.length; o++) {
    let src = 0;
    for (let k = 0; k < perm.length; k++) src += idx[k] * inStrides[perm[k]];
    out[o] = data[src];
    for (let k = perm.length - 1; k >= 0; k--) {
      if (++idx[k] < outDims[k]) break;
      idx[k] = 0;
    }
  }
  return { dims: outDims, data: out };
}

/** TF 'same': out = ceil(in/stride); the odd padding element goes at the end. */
function samePads(size, kernel, stride, dilation) {
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + (kernel - 1) * dilation + 1 - size, 0);
  const begin = Math.floor(total / 2);
  return { begin, end: total - begin, out };
}

/**
 * `ioLayout: 'nchw'` (default) gives the graph NCHW inputs/outputs, like PyTorch-style exports;
 * `'nhwc'` keeps TF's NHWC at the graph boundary with Transposes inside, like tf2onnx does.
 */
export async function exportLayersModelToOnnx(
  modelJsonPath,
  { faults = [], inputName = 'input', outputName = 'output', opset = 13, ioLayout = 'nchw' } = {},
) {
  for (const f of faults) if (!FAULTS.includes(f)) throw new Error(`unknown fault ${f}`);
  const has = (f) => faults.includes(f);
  const json = JSON.parse(await readFile(modelJsonPath, 'utf8'));
  const topology = json.modelTopology.model_config ?? json.modelTopology;
  if (topology.class_name !== 'Sequential') throw new Error('exporter handles Sequential models only');
  const layers = topology.config.layers;
  const weights = await readWeights(modelJsonPath, json);
  const w = (layer, name) => {
    const v = weights.get(`${layer}/${name}`);
    if (!v) throw new Error(`weight ${layer}/${name} missing`);
    return v;
  };

  const batchShape = layers[0].config.batch_input_shape;
  // NHWC [N,H,W,C] in TF.js ↔ NCHW [N,C,H,W] in ONNX; rank-2 tensors keep their layout.
  let shape =
    batchShape.length === 4
      ? [batchShape[0] ?? 1, batchShape[3], batchShape[1], batchShape[2]]
      : batchShape.map((d) => d ?? 1);
  const nodes = [];
  const initializers = {};
  let current = inputName;
  let counter = 0;
  const nhwcIo = ioLayout === 'nhwc' && batchShape.length === 4;
  const fresh = (base) => `${base}_${counter++}`;
  const emit = (op, inputs, attrs, name) => {
    const out = fresh(name);
    nodes.push({ op, inputs: [current, ...inputs], outputs: [out], name, ...(attrs ? { attrs } : {}) });
    current = out;
  };
  const activation = (act, name) => {
    switch (act ?? 'linear') {
      case 'linear':
        return;
      case 'relu':
        return emit('Relu', [], undefined, `${name}_relu`);
      case 'relu6': {
        initializers[`${name}_min`] = f32([], [0]);
        initializers[`${name}_max`] = f32([], [6]);
        return emit('Clip', [`${name}_min`, `${name}_max`], undefined, `${name}_relu6`);
      }
      case 'sigmoid':
        return has('activation-swapped')
          ? emit('HardSigmoid', [], { alpha: { float: 0.2 }, beta: { float: 0.5 } }, `${name}_sigmoid`)
          : emit('Sigmoid', [], undefined, `${name}_sigmoid`);
      case 'tanh':
        return emit('Tanh', [], undefined, `${name}_tanh`);
      case 'softmax':
        return emit('Softmax', [], { axis: -1 }, `${name}_softmax`);
      case 'elu':
        return emit('Elu', [], { alpha: { float: 1.0 } }, `${name}_elu`);
      default:
        throw new Error(`activation ${act} not supported`);
    }
  };
  const convPads = (cfg, kh, kw) => {
    const [sh, sw] = cfg.strides;
    const [dh, dw] = cfg.dilation_rate ?? [1, 1];
    if (cfg.padding === 'valid') {
      return {
        pads: [0, 0, 0, 0],
        out: [Math.floor((shape[2] - (kh - 1) * dh - 1) / sh) + 1, Math.floor((shape[3] - (kw - 1) * dw - 1) / sw) + 1],
      };
    }
    const ph = samePads(shape[2], kh, sh, dh);
    const pw = samePads(shape[3], kw, sw, dw);
    const pads = has('pad-wrong-side') ? [ph.end, pw.end, ph.begin, pw.begin] : [ph.begin, pw.begin, ph.end, pw.end];
    return { pads, out: [ph.out, pw.out] };
  };

  if (nhwcIo) emit('Transpose', [], { perm: [0, 3, 1, 2] }, 'input_to_nchw');
  for (const layer of layers) {
    const cfg = layer.config;
    const name = cfg.name;
    if (cfg.data_format && cfg.data_format !== 'channels_last')
      throw new Error(`${name}: only channels_last is supported`);
    switch (layer.class_name) {
      case 'Conv2D': {
        const k = w(name, 'kernel'); // HWIO [kh, kw, in, out]
        const [kh, kw, cin, cout] = k.shape;
        const W = has('kernel-layout-slip')
          ? { dims: [cout, cin, kh, kw], data: k.data }
          : transpose(k.data, k.shape, [3, 2, 0, 1]);
        initializers[`${name}_W`] = f32(W.dims, W.data);
        const inputs = [`${name}_W`];
        if (cfg.use_bias) {
          initializers[`${name}_B`] = f32([cout], w(name, 'bias').data);
          inputs.push(`${name}_B`);
        }
        const { pads, out } = convPads(cfg, kh, kw);
        emit(
          'Conv',
          inputs,
          { kernel_shape: [kh, kw], strides: cfg.strides, pads, dilations: cfg.dilation_rate ?? [1, 1] },
          name,
        );
        shape = [shape[0], cout, ...out];
        activation(cfg.activation, name);
        break;
      }
      case 'DepthwiseConv2D': {
        const k = w(name, 'depthwise_kernel'); // [kh, kw, in, multiplier]
        const [kh, kw, cin, mult] = k.shape;
        // ONNX grouped conv: output channel c*mult+m reads input channel c: W[c*mult+m, 0, y, x] = K[y, x, c, m].
        const W = has('kernel-layout-slip')
          ? { dims: [cin * mult, 1, kh, kw], data: k.data }
          : (() => {
              const t = transpose(k.data, k.shape, [2, 3, 0, 1]);
              return { dims: [cin * mult, 1, kh, kw], data: t.data };
            })();
        initializers[`${name}_W`] = f32(W.dims, W.data);
        const inputs = [`${name}_W`];
        if (cfg.use_bias) {
          initializers[`${name}_B`] = f32([cin * mult], w(name, 'bias').data);
          inputs.push(`${name}_B`);
        }
        const { pads, out } = convPads(cfg, kh, kw);
        emit(
          'Conv',
          inputs,
          { kernel_shape: [kh, kw], strides: cfg.strides, pads, group: cin, dilations: cfg.dilation_rate ?? [1, 1] },
          name,
        );
        shape = [shape[0], cin * mult, ...out];
        activation(cfg.activation, name);
        break;
      }
      case 'BatchNormalization': {
        const c = shape[1];
        const ones = new Float32Array(c).fill(1);
        initializers[`${name}_scale`] = f32([c], cfg.scale ? w(name, 'gamma').data : ones);
        initializers[`${name}_bias`] = f32([c], cfg.center ? w(name, 'beta').data : new Float32Array(c));
        initializers[`${name}_mean`] = f32([c], w(name, 'moving_mean').data);
        initializers[`${name}_var`] = f32([c], w(name, 'moving_variance').data);
        emit(
          'BatchNormalization',
          [`${name}_scale`, `${name}_bias`, `${name}_mean`, `${name}_var`],
          has('bn-epsilon-dropped') ? undefined : { epsilon: { float: cfg.epsilon } },
          name,
        );
        break;
      }
      case 'MaxPooling2D':
      case 'AveragePooling2D': {
        if (cfg.padding !== 'valid') throw new Error(`${name}: only 'valid' pooling is supported`);
        const [kh, kw] = cfg.pool_size;
        const [sh, sw] = cfg.strides ?? cfg.pool_size;
        emit(
          layer.class_name === 'MaxPooling2D' ? 'MaxPool' : 'AveragePool',
          [],
          { kernel_shape: [kh, kw], strides: [sh, sw] },
          name,
        );
        shape = [shape[0], shape[1], Math.floor((shape[2] - kh) / sh) + 1, Math.floor((shape[3] - kw) / sw) + 1];
        break;
      }
      case 'GlobalAveragePooling2D': {
        emit('GlobalAveragePool', [], undefined, name);
        initializers[`${name}_shape`] = i64([0, -1]);
        emit('Reshape', [`${name}_shape`], undefined, `${name}_squeeze`);
        shape = [shape[0], shape[1]];
        break;
      }
      case 'Flatten': {
        // Keras flattens NHWC (channel fastest); the NCHW graph must transpose first to match.
        if (shape.length === 4 && !has('flatten-order'))
          emit('Transpose', [], { perm: [0, 2, 3, 1] }, `${name}_to_nhwc`);
        emit('Flatten', [], { axis: 1 }, name);
        shape = [shape[0], shape.slice(1).reduce((a, b) => a * b, 1)];
        break;
      }
      case 'Dense': {
        const k = w(name, 'kernel'); // [in, out]
        initializers[`${name}_W`] = f32(k.shape, k.data);
        initializers[`${name}_B`] = f32(
          [k.shape[1]],
          cfg.use_bias ? w(name, 'bias').data : new Float32Array(k.shape[1]),
        );
        emit('Gemm', [`${name}_W`, `${name}_B`], undefined, name);
        shape = [shape[0], k.shape[1]];
        activation(cfg.activation, name);
        break;
      }
      case 'Activation':
        activation(cfg.activation, name);
        break;
      case 'ReLU':
        activation(cfg.max_value === 6 ? 'relu6' : 'relu', name);
        break;
      default:
        throw new Error(`layer ${layer.class_name} not supported by the fixture exporter`);
    }
  }
  if (nhwcIo && shape.length === 4) {
    emit('Transpose', [], { perm: [0, 2, 3, 1] }, 'output_to_nhwc');
    shape = [shape[0], shape[2], shape[3], shape[1]];
  }
  // Rename the last value to the graph output name.
  nodes[nodes.length - 1].outputs = [outputName];
  const inDims =
    batchShape.length === 4 && !nhwcIo
      ? [batchShape[0] ?? 1, batchShape[3], batchShape[1], batchShape[2]]
      : batchShape.map((d) => d ?? 1);
  return buildModel({
    name: topology.config.name,
    opset,
    producer: `crossrt-tfjs-exporter${faults.length ? ` (faults: ${faults.join(',')})` : ''}`,
    inputs: [{ name: inputName, dtype: 'float32', dims: inDims }],
    outputs: [{ name: outputName, dtype: 'float32', dims: shape }],
    initializers,
    nodes,
  });
}
