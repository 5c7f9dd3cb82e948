import { describe, expect, it } from 'vitest';
import type { Comparison, RunOutcome } from '@crossrt/core';
import { applyPlacementVerdicts, judgePlacement } from './placement-verdict.js';

const outcome = (target: string, placement: RunOutcome['placement'], kind: 'gpu' | 'cpu' | 'wasm' = 'gpu'): RunOutcome => ({
  target, status: 'ok', outputs: [], logTail: [], ...(placement ? { placement } : {}),
  device: { kind, description: 'd', runtime: 'r', runtimeVersion: '1', details: {} },
});
const pass = (target: string): Comparison => ({
  output: 'y', target, reference: 'oracle', verdict: 'pass', reason: 'all 4 elements within tolerance',
  tolerance: { rtol: 1e-3, atol: 1e-7, source: 'oracle-default' }, dtype: {}, dims: {},
} as Comparison);

describe('judgePlacement', () => {
  it('passes a GPU target whose nodes all ran on the GPU EP (copies included)', () => {
    const j = judgePlacement(outcome('ort-node:webgpu', { source: 'verbose-log', providers: [{ ep: 'WebGpuExecutionProvider', nodes: 3 }], fallbackNodes: [] }));
    expect(j).toMatchObject({ verdict: 'pass', proven: true });
  });
  it('calls a graph the WebGPU EP refused a fallback, naming the refused node', () => {
    const j = judgePlacement(outcome('ort-node:webgpu', { source: 'verbose-log', providers: [{ ep: 'CPUExecutionProvider', nodes: 1 }], fallbackNodes: [{ node: 'up', opType: 'Upsample', ep: 'CPUExecutionProvider' }] }));
    expect(j.verdict).toBe('fallback');
    expect(j.reason).toContain('Upsample up');
  });
  it('calls CPU nodes next to GPU nodes a partial fallback with the nodes listed', () => {
    const j = judgePlacement(outcome('ort-web:webgpu@chromium', {
      source: 'verbose-log', providers: [{ ep: 'CPUExecutionProvider', nodes: 2 }, { ep: 'JsExecutionProvider', nodes: 10 }],
      fallbackNodes: [{ node: '(unnamed Loop)', opType: 'Loop', ep: 'CPUExecutionProvider' }, { node: 'id0', opType: 'Identity', ep: 'CPUExecutionProvider' }],
    }));
    expect(j.verdict).toBe('partial-fallback');
    expect(j.reason).toMatch(/^2 of 12 node\(s\) ran on the CPU: \(unnamed Loop\), Identity id0; 10 on JsExecutionProvider/);
  });
  it('treats a graph folded to constants as a fallback, and ignores CPU targets', () => {
    expect(judgePlacement(outcome('ort-node:webgpu', { source: 'verbose-log', providers: [], fallbackNodes: [] })).verdict).toBe('fallback');
    expect(judgePlacement(outcome('ort-node:cpu', { source: 'verbose-log', providers: [{ ep: 'CPUExecutionProvider', nodes: 5 }], fallbackNodes: [] }, 'cpu'))).toEqual({ verdict: 'pass', reason: '', proven: true });
  });
  it('never upgrades requested placement into proof', () => {
    expect(judgePlacement(outcome('ort-web:webgl@chromium', { source: 'requested', providers: [{ ep: 'webgl', nodes: 4 }], fallbackNodes: [] }))).toMatchObject({ verdict: 'pass', proven: false });
  });
});

describe('applyPlacementVerdicts', () => {
  it('turns only the fallen-back GPU target\'s passes into fallback verdicts', () => {
    const outcomes = [
      outcome('ort-node:cpu', { source: 'verbose-log', providers: [{ ep: 'CPUExecutionProvider', nodes: 1 }], fallbackNodes: [] }, 'cpu'),
      outcome('ort-node:webgpu', { source: 'verbose-log', providers: [{ ep: 'CPUExecutionProvider', nodes: 1 }], fallbackNodes: [] }),
    ];
    const mismatch = { ...pass('ort-node:webgpu'), output: 'z', verdict: 'mismatch' as const, reason: '3 of 4 elements outside tolerance' };
    const out = applyPlacementVerdicts([pass('ort-node:cpu'), pass('ort-node:webgpu'), mismatch], outcomes);
    expect(out.map((c) => c.verdict)).toEqual(['pass', 'fallback', 'mismatch']);
    expect(out[2]!.reason).toMatch(/^3 of 4 elements outside tolerance; placement: all 1 node/);
  });
});
