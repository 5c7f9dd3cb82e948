import { describe, expect, it } from 'vitest';
import { parsePlacementLog } from './placement-log.js';

// Excerpts of real verbose logs: onnxruntime-node 1.30 WebGPU EP on SwiftShader (stderr) and
// onnxruntime-web 1.30 JSEP in Chromium (console), for ONNX backend test cases.
const P = '2026-11-26 03:43:42.650298940 [V:onnxruntime:, session_state.cc:1377 VerifyEachNodeIsAssignedToAnEp]';
const Q = '2026-11-26 03:43:42.650301104 [V:onnxruntime:, session_state.cc:1383 VerifyEachNodeIsAssignedToAnEp]';

describe('parsePlacementLog', () => {
  it('reads a single-EP block', () => {
    const lines = [`${P} Node placements`, `${Q}  All nodes placed on [WebGpuExecutionProvider]. Number of nodes: 1`, '2026-11-26 [V:onnxruntime:, session_state.cc:186 CreateGraphInfo] SaveMLValueNameIndexMapping'];
    expect(parsePlacementLog(lines, 'WebGpuExecutionProvider')).toEqual({ source: 'verbose-log', providers: [{ ep: 'WebGpuExecutionProvider', nodes: 1 }], fallbackNodes: [] });
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
    expect(p.providers).toEqual([{ ep: 'CPUExecutionProvider', nodes: 2 }, { ep: 'WebGpuExecutionProvider', nodes: 3 }]);
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
      providers: [{ ep: 'CPUExecutionProvider', nodes: 1 }, { ep: 'JsExecutionProvider', nodes: 1 }],
      fallbackNodes: [{ node: 'c0', opType: 'Cast', ep: 'CPUExecutionProvider' }],
    });
  });

  it('reports an empty placement when the graph was folded to constants, and undefined without a block', () => {
    expect(parsePlacementLog([`${P} Node placements`, '2026-11-26 [V:onnxruntime:, session_state.cc:186 CreateGraphInfo] x'], 'CPUExecutionProvider'))
      .toEqual({ source: 'verbose-log', providers: [], fallbackNodes: [] });
    expect(parsePlacementLog(['nothing here'], 'CPUExecutionProvider')).toBeUndefined();
  });
});
