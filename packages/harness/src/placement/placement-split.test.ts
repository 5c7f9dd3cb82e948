import { describe, expect, it } from 'vitest';
import type { HostTensor } from '@crossrt/core';
import { buildModel } from '@crossrt/model';
import { readPlacementLog } from '@crossrt/runtime';
import { classifyGraph } from './placement-classes.js';
import { splitPlacement } from './placement-split.js';

const i64 = (values: number[]): HostTensor => ({
  dtype: 'int64',
  dims: [values.length],
  data: BigInt64Array.from(values.map(BigInt)),
});

/** shape_x → dim → dim_1d → target_shape feed flatten's shape (shape work); conv and flatten are compute. */
const model = buildModel({
  name: 'split',
  opset: 17,
  inputs: [{ name: 'x', dtype: 'float32', dims: [1, 3, 4, 4] }],
  outputs: [{ name: 'out', dtype: 'float32', dims: [1, null] }],
  initializers: {
    W: { dtype: 'float32', dims: [8, 3, 1, 1], data: new Float32Array(24).fill(0.5) },
    idx0: i64([0]),
    axes0: i64([0]),
    minus1: i64([-1]),
  },
  nodes: [
    { op: 'Shape', inputs: ['x'], outputs: ['s'], name: 'shape_x' },
    { op: 'Gather', inputs: ['s', 'idx0'], outputs: ['n'], name: 'dim' },
    { op: 'Unsqueeze', inputs: ['n', 'axes0'], outputs: ['n1'], name: 'dim_1d' },
    { op: 'Concat', inputs: ['n1', 'minus1'], outputs: ['t'], name: 'target_shape', attrs: { axis: 0 } },
    { op: 'Conv', inputs: ['x', 'W'], outputs: ['y'], name: 'conv' },
    { op: 'Reshape', inputs: ['y', 't'], outputs: ['out'], name: 'flatten' },
  ],
});

// The shape of onnxruntime 1.30's verbose log (session_state.cc, fallback_cpu_capability.cc, the WebGPU EP).
const P = '2026-12-02 06:43:14.30 [V:onnxruntime:, session_state.cc:1383 VerifyEachNodeIsAssignedToAnEp]';
const log = [
  '2026-12-02 06:43:14.28 [I:onnxruntime:, webgpu_execution_provider.cc:665 GetCapability] webgpu kernel not found in registries for Op type: Gather node name: Gather_token_3',
  '2026-12-02 06:43:14.28 [I:onnxruntime:, fallback_cpu_capability.cc:167 GetCpuPreferredNodes] ORT optimization- Force fallback to CPU execution for node: Cast_token_9 because the CPU execution path is deemed faster than overhead involved with execution on other EPs  capable of executing this node',
  `${P} Node placements`,
  `${P}  Node(s) placed on [CPUExecutionProvider]. Number of nodes: 6`,
  `${P}   Gather (dim)`,
  `${P}   Unsqueeze (dim_1d)`,
  `${P}   Concat (target_shape)`,
  `${P}   Gather (Gather_token_3)`,
  `${P}   Cast (Cast_token_9)`,
  `${P}   Mul (mystery)`,
  `${P}  Node(s) placed on [WebGpuExecutionProvider]. Number of nodes: 5`,
  `${P}   Shape (shape_x)`,
  `${P}   Conv (conv_token_5)`,
  `${P}   Reshape (flatten)`,
  `${P}   Gather (gpu_gather)`,
  `${P}   MemcpyToHost (Memcpy)`,
  '2026-12-02 06:43:14.31 [V:onnxruntime:, session_state.cc:186 CreateGraphInfo] SaveMLValueNameIndexMapping',
];

describe('splitPlacement', () => {
  const parsed = readPlacementLog(log, 'WebGpuExecutionProvider')!;
  const placement = splitPlacement(parsed, classifyGraph(model));

  it('classes every CPU node: by the graph, and for nodes ORT made, by what its log says', () => {
    expect(placement.fallbackNodes.map((n) => [n.node, n.class, n.classBy])).toEqual([
      ['dim', 'shape', 'graph'],
      ['dim_1d', 'shape', 'graph'],
      ['target_shape', 'shape', 'graph'],
      // Refused by the WebGPU EP although it ran a Gather (gpu_gather): a tensor-type refusal.
      ['Gather_token_3', 'shape', 'log'],
      // ORT's GetCpuPreferredNodes put it there as shape work.
      ['Cast_token_9', 'shape', 'log'],
      // Neither in the model nor explained by the log: never excused.
      ['mystery', 'compute', 'unmatched'],
    ]);
  });

  it("splits each EP's nodes by class (copies are neither) and attributes weight bytes", () => {
    expect(placement.providers).toEqual([
      // idx0, axes0 and minus1 (8 bytes each) are read by the CPU's shape nodes.
      { ep: 'CPUExecutionProvider', nodes: 6, shapeNodes: 5, computeNodes: 1, weightBytes: 24 },
      // conv_token_5 is ORT's NHWC copy of conv: it reads W (24 float32).
      { ep: 'WebGpuExecutionProvider', nodes: 5, shapeNodes: 1, computeNodes: 3, weightBytes: 96 },
    ]);
    expect(placement.weightBytes).toBe(120);
  });

  it('without the model every node is judged from the log alone', () => {
    const blind = splitPlacement(parsed, undefined);
    expect(blind.fallbackNodes.filter((n) => n.class === 'shape').map((n) => n.node)).toEqual([
      'Gather_token_3',
      'Cast_token_9',
    ]);
    expect(blind.providers[0]).toEqual({ ep: 'CPUExecutionProvider', nodes: 6, shapeNodes: 2, computeNodes: 4 });
  });

  it('an EP that ran everything ("All nodes placed on") gets the model graph\'s own split', () => {
    const all = readPlacementLog(
      [`${P} Node placements`, `${P}  All nodes placed on [WebGpuExecutionProvider]. Number of nodes: 7`],
      'WebGpuExecutionProvider',
    )!;
    expect(splitPlacement(all, classifyGraph(model)).providers).toEqual([
      { ep: 'WebGpuExecutionProvider', nodes: 7, shapeNodes: 4, computeNodes: 2, weightBytes: 120 },
    ]);
  });
});
