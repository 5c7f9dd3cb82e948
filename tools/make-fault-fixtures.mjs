#!/usr/bin/env node
/**
 * Regenerates fixtures/faults/*.onnx deterministically (weights from sin(), no randomness): a small
 * two-output MLP-like chain with a residual branch, and copies of it with exactly one node changed at
 * several depths. `crossrt localize chain.onnx --variant chain-fault-<x>.onnx` must name that node;
 * `crossrt reduce` must shrink each to a model of at most 3 nodes. faults.json lists each injected node.
 *
 * conv-chain.onnx wraps the Conv of the ONNX backend case test_conv_with_strides_padding (strides 2,
 * pads 1) between exact ops: ort-node:cpu and ort-web:wasm disagree in the last bits of that Conv only.
 * Needs `npm run build` first.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { create } from '@bufbuild/protobuf';
import { AttributeProto_AttributeType, AttributeProtoSchema, NodeProtoSchema } from 'onnx-buf';
import { buildModel, encodeModel } from '@crossrt/model';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'faults');
const f32 = (dims, values) => ({ dtype: 'float32', dims, data: new Float32Array(values) });
const wave = (n, phase, scale) => Array.from({ length: n }, (_, i) => Math.sin(phase + i * 1.7) * scale);

const D = 8;
const baseInitializers = {
  W1: f32([D, D], wave(D * D, 0.3, 0.6)),
  b1: f32([D], wave(D, 1.1, 0.2)),
  s1: f32([], [1]),
  W2: f32([D, D], wave(D * D, 2.9, 0.5)),
  b2: f32([D], wave(D, 0.7, 0.1)),
  half: f32([], [0.5]),
  W3: f32([D, 4], wave(D * 4, 4.2, 0.7)),
  s3: f32([], [1]),
};

// Topological order = file order; depth = index in this list.
const baseNodes = [
  { op: 'MatMul', inputs: ['x', 'W1'], outputs: ['h0'], name: 'dense1' },
  { op: 'Add', inputs: ['h0', 'b1'], outputs: ['h1'], name: 'bias1' },
  { op: 'Relu', inputs: ['h1'], outputs: ['h2'], name: 'act1' },
  { op: 'Mul', inputs: ['h2', 's1'], outputs: ['h3'], name: 'scale1' },
  { op: 'MatMul', inputs: ['h3', 'W2'], outputs: ['h4'], name: 'dense2' },
  { op: 'Add', inputs: ['h4', 'b2'], outputs: ['h5'], name: 'bias2' },
  { op: 'Tanh', inputs: ['h5'], outputs: ['h6'], name: 'act2' },
  { op: 'Add', inputs: ['h6', 'h3'], outputs: ['h7'], name: 'residual' },
  { op: 'Mul', inputs: ['h7', 'half'], outputs: ['h8'], name: 'halve' },
  { op: 'MatMul', inputs: ['h8', 'W3'], outputs: ['h9'], name: 'dense3' },
  { op: 'Sigmoid', inputs: ['h9'], outputs: ['h10'], name: 'act3' },
  { op: 'Mul', inputs: ['h10', 's3'], outputs: ['y'], name: 'scale3' },
  { op: 'ReduceSum', inputs: ['h6'], outputs: ['z'], name: 'pool', attrs: { keepdims: 1 } },
];

function chain(name, { nodes = baseNodes, initializers = {} } = {}) {
  return buildModel({
    name,
    opset: 13,
    inputs: [{ name: 'x', dtype: 'float32', dims: ['N', D] }],
    outputs: [
      { name: 'y', dtype: 'float32', dims: ['N', 4] },
      { name: 'z', dtype: 'float32', dims: ['N', 1] },
    ],
    initializers: { ...baseInitializers, ...initializers },
    nodes,
  });
}

const replaceNode = (nodeName, change) => baseNodes.map((n) => (n.name === nodeName ? { ...n, ...change } : n));
const b2Shifted = wave(D, 0.7, 0.1);
b2Shifted[3] += 0.01;

const faults = [
  {
    file: 'chain-fault-act1.onnx',
    node: 'act1',
    depth: 2,
    change: 'Relu → LeakyRelu(alpha 0.1)',
    model: chain('chain_fault_act1', {
      nodes: replaceNode('act1', { op: 'LeakyRelu', attrs: { alpha: { float: 0.1 } } }),
    }),
  },
  {
    file: 'chain-fault-scale1.onnx',
    node: 'scale1',
    depth: 3,
    change: 'Mul constant s1 1.0 → 1.001',
    model: chain('chain_fault_scale1', { initializers: { s1: f32([], [1.001]) } }),
  },
  {
    file: 'chain-fault-bias2.onnx',
    node: 'bias2',
    depth: 5,
    change: 'Add bias b2[3] shifted by +0.01',
    model: chain('chain_fault_bias2', { initializers: { b2: f32([D], b2Shifted) } }),
  },
  {
    file: 'chain-fault-scale3.onnx',
    node: 'scale3',
    depth: 11,
    change: 'Mul constant s3 1.0 → 1.001 (last node)',
    model: chain('chain_fault_scale3', { initializers: { s3: f32([], [1.001]) } }),
  },
];

// x·2 (exact) → Conv(strides 2, pads 1) → + 0.5 → ·0.25 (exact scaling): only the Conv can round differently.
const convChain = buildModel({
  name: 'conv_chain',
  opset: 11,
  inputs: [{ name: 'x', dtype: 'float32', dims: [1, 1, 7, 5] }],
  outputs: [{ name: 'y', dtype: 'float32', dims: [1, 1, 4, 3] }],
  initializers: {
    two: f32([], [2]),
    W: f32([1, 1, 3, 3], wave(9, 0.5, 1)),
    bias: f32([], [0.5]),
    quarter: f32([], [0.25]),
  },
  nodes: [
    { op: 'Mul', inputs: ['x', 'two'], outputs: ['x2'], name: 'double' },
    {
      op: 'Conv',
      inputs: ['x2', 'W'],
      outputs: ['c'],
      name: 'conv',
      attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [2, 2] },
    },
    { op: 'Add', inputs: ['c', 'bias'], outputs: ['c1'], name: 'shift' },
    { op: 'Mul', inputs: ['c1', 'quarter'], outputs: ['y'], name: 'quarter_scale' },
  ],
});

// Control flow: x → Abs → If(ReduceSum(x) > 0 ... always true for |x|) { then: ·k } { else: ·-1 } → Add 1.
// The If node holds the multiplication in a subgraph: localize can only name the If as a unit.
function branchModel(name, thenScale) {
  const branch = (bname, scale) =>
    buildModel({
      name: bname,
      opset: 13,
      inputs: [],
      outputs: [{ name: `${bname}_out`, dtype: 'float32', dims: [] }],
      initializers: { [`${bname}_k`]: f32([], [scale]) },
      nodes: [{ op: 'Mul', inputs: ['a', `${bname}_k`], outputs: [`${bname}_out`], name: `${bname}_mul` }],
    }).graph;
  const m = buildModel({
    name,
    opset: 13,
    inputs: [{ name: 'x', dtype: 'float32', dims: [2, 4] }],
    outputs: [{ name: 'y', dtype: 'float32', dims: [2, 4] }],
    initializers: { zero: f32([], [0]), one: f32([], [1]) },
    nodes: [
      { op: 'Abs', inputs: ['x'], outputs: ['a'], name: 'abs' },
      { op: 'ReduceSum', inputs: ['a'], outputs: ['total'], name: 'total', attrs: { keepdims: 0 } },
      { op: 'Greater', inputs: ['total', 'zero'], outputs: ['cond'], name: 'positive' },
      { op: 'Add', inputs: ['b', 'one'], outputs: ['y'], name: 'plus_one' },
    ],
  });
  const T = AttributeProto_AttributeType;
  const ifNode = create(NodeProtoSchema, {
    name: 'gate',
    opType: 'If',
    input: ['cond'],
    output: ['b'],
    attribute: [
      create(AttributeProtoSchema, { name: 'then_branch', type: T.GRAPH, g: branch('then', thenScale) }),
      create(AttributeProtoSchema, { name: 'else_branch', type: T.GRAPH, g: branch('else', -1) }),
    ],
  });
  m.graph.node.splice(3, 0, ifNode);
  return m;
}

// onnxruntime-node 1.30's WebGPU EP (Dawn on SwiftShader here) computes this Conv1d wrong when the
// input has exactly 129 channels (128, 130, 127, 131, 193, 257 are fine): found by `crossrt localize`
// on silero_vad_16k_op15.onnx (/model/encoder/0/reparam_conv/Conv, [1,129,3] ⊛ [128,129,3]), then
// shrunk by hand to 4 output channels. Exact ops around it keep the culprit alone.
const webgpuConv129 = buildModel({
  name: 'webgpu_conv129',
  opset: 13,
  inputs: [{ name: 'x', dtype: 'float32', dims: [1, 129, 3] }],
  outputs: [{ name: 'y', dtype: 'float32', dims: [1, 4, 3] }],
  initializers: {
    two: f32([], [2]),
    W: f32([4, 129, 3], wave(4 * 129 * 3, 0.3, 0.1)),
    B: f32([4], wave(4, 1, 0.1)),
    half: f32([], [0.5]),
  },
  nodes: [
    { op: 'Mul', inputs: ['x', 'two'], outputs: ['x2'], name: 'double' },
    {
      op: 'Conv',
      inputs: ['x2', 'W', 'B'],
      outputs: ['c'],
      name: 'conv129',
      attrs: { kernel_shape: [3], pads: [1, 1], strides: [1] },
    },
    { op: 'Mul', inputs: ['c', 'half'], outputs: ['y'], name: 'halve' },
  ],
});

// A run failure on one side only: onnxruntime-node's StringNormalizer builds a C++ locale from the
// `locale` attribute and fails session creation when it does not exist (xx_XX never does), while
// onnxruntime-web's WASM build ignores it. Exact numeric ops around it.
const strnormLocale = buildModel({
  name: 'strnorm_locale',
  opset: 13,
  inputs: [{ name: 'x', dtype: 'float32', dims: [4] }],
  outputs: [
    { name: 'y', dtype: 'string', dims: [4] },
    { name: 'z', dtype: 'float32', dims: [4] },
  ],
  nodes: [
    { op: 'Neg', inputs: ['x'], outputs: ['n'], name: 'neg' },
    { op: 'Abs', inputs: ['n'], outputs: ['a'], name: 'abs' },
    { op: 'Cast', inputs: ['a'], outputs: ['s'], name: 'to_string', attrs: { to: 8 } },
    {
      op: 'StringNormalizer',
      inputs: ['s'],
      outputs: ['y'],
      name: 'normalize',
      attrs: { case_change_action: 'UPPER', locale: 'xx_XX.UTF-8' },
    },
    { op: 'Add', inputs: ['a', 'a'], outputs: ['z'], name: 'twice' },
  ],
});

await mkdir(root, { recursive: true });
const files = {
  'strnorm-locale.onnx': strnormLocale,
  'webgpu-conv129.onnx': webgpuConv129,
  'chain.onnx': chain('chain'),
  ...Object.fromEntries(faults.map((f) => [f.file, f.model])),
  'conv-chain.onnx': convChain,
  'branch.onnx': branchModel('branch', 2),
  'branch-fault-then.onnx': branchModel('branch_fault_then', 2.002),
};
for (const [file, model] of Object.entries(files)) {
  await writeFile(join(root, file), encodeModel(model));
  console.log(`wrote ${join(root, file)}`);
}
const manifest = {
  base: 'chain.onnx',
  faults: faults.map(({ file, node, depth, change }) => ({ file, node, depth, change })),
  conv: { file: 'conv-chain.onnx', culprit: 'conv', note: 'ort-node:cpu vs ort-web:wasm, --rtol 0 --atol 0' },
  webgpu: {
    file: 'webgpu-conv129.onnx',
    culprit: 'conv129',
    note: 'ort-node:cpu vs ort-node:webgpu (SwiftShader): max abs error ~10 at default tolerance',
  },
  runFailure: {
    file: 'strnorm-locale.onnx',
    culprit: 'normalize',
    note: 'ort-node:cpu load-error (locale xx_XX.UTF-8), ort-web:wasm runs it',
  },
  controlFlow: {
    base: 'branch.onnx',
    file: 'branch-fault-then.onnx',
    node: 'gate',
    change: 'then_branch Mul constant 2 → 2.002 inside the If',
  },
};
await writeFile(join(root, 'faults.json'), `${JSON.stringify(manifest, null, 2)}\n`);
console.log(`wrote ${join(root, 'faults.json')}`);
