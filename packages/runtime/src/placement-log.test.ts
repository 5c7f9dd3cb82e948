import { describe, expect, it } from 'vitest';
import { parsePlacementLog, readPlacementLog } from './placement-log.js';

// Excerpts of real verbose logs: onnxruntime-node 1.30 WebGPU EP on SwiftShader (stderr) and
// onnxruntime-web 1.30 JSEP in Chromium (console), for ONNX backend test cases.
const P = '2026-11-26 03:43:42.650298940 [V:onnxruntime:, session_state.cc:1377 VerifyEachNodeIsAssignedToAnEp]';
const Q = '2026-11-26 03:43:42.650301104 [V:onnxruntime:, session_state.cc:1383 VerifyEachNodeIsAssignedToAnEp]';

describe('parsePlacementLog', () => {
  it('reads a single-EP block', () => {
    const lines = [
      `${P} Node placements`,
      `${Q}  All nodes placed on [WebGpuExecutionProvider]. Number of nodes: 1`,
      '2026-11-26 [V:onnxruntime:, session_state.cc:186 CreateGraphInfo] SaveMLValueNameIndexMapping',
    ];
    expect(parsePlacementLog(lines, 'WebGpuExecutionProvider')).toEqual({
      source: 'verbose-log',
      providers: [{ ep: 'WebGpuExecutionProvider', nodes: 1 }],
      fallbackNodes: [],
    });
  });

  it('reads the multi-EP form with unnamed nodes (test_range_float_type_positive_delta_expanded)', () => {
    const lines = [
      `${P} Node placements`,
      `${Q}  Node(s) placed on [CPUExecutionProvider]. Number of nodes: 2`,
      `${Q}   Loop ()`,
      `${Q}   Identity ()`,
      `${Q}  Node(s) placed on [WebGpuExecutionProvider]. Number of nodes: 3`,
      `${Q}   Sub ()`,
      `${Q}   MemcpyFromHost (Memcpy)`,
      `${Q}   MemcpyToHost (Memcpy_token_0)`,
      '\u001b[0;93m2026-11-26 [W:onnxruntime:, session_state.cc:1397 VerifyEachNodeIsAssignedToAnEp] Some nodes were not assigned to the preferred execution providers',
    ];
    const p = parsePlacementLog(lines, 'WebGpuExecutionProvider')!;
    expect(p.providers).toEqual([
      { ep: 'CPUExecutionProvider', nodes: 2 },
      { ep: 'WebGpuExecutionProvider', nodes: 3 },
    ]);
    expect(p.fallbackNodes).toEqual([
      { node: '(unnamed Loop)', opType: 'Loop', ep: 'CPUExecutionProvider' },
      { node: '(unnamed Identity)', opType: 'Identity', ep: 'CPUExecutionProvider' },
    ]);
  });

  it('names refused nodes when the whole graph went to the CPU (test_upsample_nearest, opset 9)', () => {
    const lines = [
      '2026-11-26 03:45:41.523699942 [I:onnxruntime:, webgpu_execution_provider.cc:665 GetCapability] webgpu kernel not found in registries for Op type: Upsample node name: up',
      `${P} Node placements`,
      `${Q}  All nodes placed on [CPUExecutionProvider]. Number of nodes: 1`,
    ];
    const p = parsePlacementLog(lines, 'WebGpuExecutionProvider')!;
    expect(p.providers).toEqual([{ ep: 'CPUExecutionProvider', nodes: 1 }]);
    expect(p.fallbackNodes).toEqual([{ node: 'up', opType: 'Upsample', ep: 'CPUExecutionProvider' }]);
  });

  it('reads browser console lines (JSEP) the same way', () => {
    const lines = [
      '[page] 2026-11-26 03:44:11.140319 [V:onnxruntime:, session_state.cc:1377 VerifyEachNodeIsAssignedToAnEp] Node placements',
      '[page] 2026-11-26 03:44:11.140849 [V:onnxruntime:, session_state.cc:1383 VerifyEachNodeIsAssignedToAnEp]  Node(s) placed on [CPUExecutionProvider]. Number of nodes: 1',
      '[page] 2026-11-26 03:44:11.141254 [V:onnxruntime:, session_state.cc:1385 VerifyEachNodeIsAssignedToAnEp]   Cast (c0)',
      '[page] 2026-11-26 03:44:11.142764 [V:onnxruntime:, session_state.cc:1383 VerifyEachNodeIsAssignedToAnEp]  Node(s) placed on [JsExecutionProvider]. Number of nodes: 1',
      '[page] 2026-11-26 03:44:11.143049 [V:onnxruntime:, session_state.cc:1385 VerifyEachNodeIsAssignedToAnEp]   Sub (s0)',
    ];
    expect(parsePlacementLog(lines, 'JsExecutionProvider')).toEqual({
      source: 'verbose-log',
      providers: [
        { ep: 'CPUExecutionProvider', nodes: 1 },
        { ep: 'JsExecutionProvider', nodes: 1 },
      ],
      fallbackNodes: [{ node: 'c0', opType: 'Cast', ep: 'CPUExecutionProvider' }],
    });
  });

  it('reports an empty placement when the graph was folded to constants, and undefined without a block', () => {
    expect(
      parsePlacementLog(
        [`${P} Node placements`, '2026-11-26 [V:onnxruntime:, session_state.cc:186 CreateGraphInfo] x'],
        'CPUExecutionProvider',
      ),
    ).toEqual({ source: 'verbose-log', providers: [], fallbackNodes: [] });
    expect(parsePlacementLog(['nothing here'], 'CPUExecutionProvider')).toBeUndefined();
  });
});

describe('readPlacementLog', () => {
  it("keeps every EP's listed nodes and the nodes ORT moved to the CPU as shape work (silero VAD, ort-node:webgpu)", () => {
    const lines = [
      '2026-12-02 06:43:14.27 [I:onnxruntime:, fallback_cpu_capability.cc:167 GetCpuPreferredNodes] ORT optimization- Force fallback to CPU execution for node: If_0_else_branch__Inline_0__/decoder/rnn/Not because the CPU execution path is deemed faster than overhead involved with execution on other EPs  capable of executing this node',
      '2026-12-02 06:43:14.28 [I:onnxruntime:, webgpu_execution_provider.cc:665 GetCapability] webgpu kernel not found in registries for Op type: Equal node name: Equal_0',
      `${P} Node placements`,
      `${Q}  Node(s) placed on [WebGpuExecutionProvider]. Number of nodes: 2`,
      `${Q}   If (If_0)`,
      `${Q}   Not (If_0_else_branch__Inline_0__/decoder/rnn/Not)`,
      `${Q}  Node(s) placed on [CPUExecutionProvider]. Number of nodes: 1`,
      `${Q}   Equal (Equal_0)`,
    ];
    const log = readPlacementLog(lines, 'WebGpuExecutionProvider')!;
    expect(log.listed).toEqual([
      {
        ep: 'WebGpuExecutionProvider',
        all: false,
        nodes: [
          { node: 'If_0', opType: 'If' },
          { node: 'If_0_else_branch__Inline_0__/decoder/rnn/Not', opType: 'Not' },
        ],
      },
      { ep: 'CPUExecutionProvider', all: false, nodes: [{ node: 'Equal_0', opType: 'Equal' }] },
    ]);
    expect([...log.cpuPreferred]).toEqual(['If_0_else_branch__Inline_0__/decoder/rnn/Not']);
    expect(log.refused).toEqual([{ node: 'Equal_0', opType: 'Equal' }]);
    expect(log.placement).toEqual(parsePlacementLog(lines, 'WebGpuExecutionProvider'));
    expect(log.placement.fallbackNodes).toEqual([{ node: 'Equal_0', opType: 'Equal', ep: 'CPUExecutionProvider' }]);
  });
});
