import { describe, expect, it } from 'vitest';
import type { Comparison, ExecutionPlacement, RunOutcome } from '@crossrt/core';
import { applyPlacementVerdicts, judgePlacement, withPlacementJudgement } from './placement-verdict.js';

const outcome = (
  target: string,
  placement: RunOutcome['placement'],
  kind: 'gpu' | 'cpu' | 'wasm' = 'gpu',
): RunOutcome => ({
  target,
  status: 'ok',
  outputs: [],
  logTail: [],
  ...(placement ? { placement } : {}),
  device: { kind, description: 'd', runtime: 'r', runtimeVersion: '1', details: {} },
});
const pass = (target: string): Comparison =>
  ({
    output: 'y',
    target,
    reference: 'oracle',
    verdict: 'pass',
    reason: 'all 4 elements within tolerance',
    tolerance: { rtol: 1e-3, atol: 1e-7, source: 'oracle-default' },
    dtype: {},
    dims: {},
  }) as Comparison;

const CPU = 'CPUExecutionProvider';
const GPU = 'WebGpuExecutionProvider';
type Node = ExecutionPlacement['fallbackNodes'][number];
const shapeNode = (node: string, opType: string): Node => ({ node, opType, ep: CPU, class: 'shape', classBy: 'graph' });
const computeNode = (node: string, opType: string): Node => ({
  node,
  opType,
  ep: CPU,
  class: 'compute',
  classBy: 'graph',
});
/** A silero-like split: shape bookkeeping on the CPU, the network on WebGPU. */
const shapeOnly: ExecutionPlacement = {
  source: 'verbose-log',
  fallbackNodes: [shapeNode('eq', 'Equal'), shapeNode('g0', 'Gather'), shapeNode('g1', 'Gather')],
  providers: [
    { ep: GPU, nodes: 10, shapeNodes: 2, computeNodes: 8 },
    { ep: CPU, nodes: 3, shapeNodes: 3, computeNodes: 0 },
  ],
};

describe('judgePlacement', () => {
  it('passes a GPU target whose nodes all ran on the GPU EP (copies included)', () => {
    const j = judgePlacement(
      outcome('ort-node:webgpu', { source: 'verbose-log', providers: [{ ep: GPU, nodes: 3 }], fallbackNodes: [] }),
    );
    expect(j).toMatchObject({ verdict: 'pass', proven: true });
  });

  it('calls a graph the WebGPU EP refused a fallback, naming the refused node, under every judging policy', () => {
    const p: ExecutionPlacement = {
      source: 'verbose-log',
      providers: [{ ep: CPU, nodes: 1 }],
      fallbackNodes: [computeNode('up', 'Upsample')],
    };
    for (const policy of ['strict', 'compute'] as const) {
      const j = judgePlacement(outcome('ort-node:webgpu', p), policy);
      expect(j.verdict).toBe('fallback');
      expect(j.reason).toContain('Upsample up');
    }
  });

  it('compute (default): only shape/control nodes on the CPU pass, with the ops tallied', () => {
    const j = judgePlacement(outcome('ort-node:webgpu', shapeOnly));
    expect(j).toMatchObject({ verdict: 'pass', policy: 'compute', proven: true });
    expect(j.reason).toBe(
      '3 shape/control node(s) on the CPU (Gather ×2, Equal ×1), as ORT intends; no compute node on the CPU; 10 node(s) on WebGpuExecutionProvider',
    );
  });

  it('strict: the same shape nodes on the CPU are a partial fallback', () => {
    expect(judgePlacement(outcome('ort-node:webgpu', shapeOnly), 'strict')).toMatchObject({
      verdict: 'partial-fallback',
      reason: expect.stringMatching(/^3 of 13 node\(s\) ran on the CPU: Equal eq, Gather g0, Gather g1; 10 on/),
    });
  });

  it('compute: a compute node on the CPU is a partial fallback; no compute left on the GPU is a fallback', () => {
    const some: ExecutionPlacement = {
      ...shapeOnly,
      fallbackNodes: [...shapeOnly.fallbackNodes, computeNode('conv', 'Conv')],
    };
    expect(judgePlacement(outcome('ort-web:webgpu@chromium', some))).toMatchObject({
      verdict: 'partial-fallback',
      reason: expect.stringMatching(
        /^1 compute node\(s\) ran on the CPU: Conv conv; also 3 shape\/control node\(s\) on the CPU/,
      ),
    });
    const none: ExecutionPlacement = {
      ...some,
      providers: [
        { ep: GPU, nodes: 2, shapeNodes: 2, computeNodes: 0 },
        { ep: CPU, nodes: 4 },
      ],
    };
    expect(judgePlacement(outcome('ort-node:webgpu', none))).toMatchObject({
      verdict: 'fallback',
      reason: expect.stringMatching(/^every compute node ran on the CPU: Conv conv/),
    });
  });

  it('a CPU node without a class (reports from before classes) counts as compute', () => {
    const old: ExecutionPlacement = {
      source: 'verbose-log',
      providers: [
        { ep: CPU, nodes: 1 },
        { ep: GPU, nodes: 5 },
      ],
      fallbackNodes: [{ node: 'c0', opType: 'Cast', ep: CPU }],
    };
    expect(judgePlacement(outcome('ort-node:webgpu', old)).verdict).toBe('partial-fallback');
  });

  it('off: never judged, the placement only noted', () => {
    expect(
      judgePlacement(
        outcome('ort-node:webgpu', {
          source: 'verbose-log',
          providers: [{ ep: CPU, nodes: 1 }],
          fallbackNodes: [computeNode('up', 'Upsample')],
        }),
        'off',
      ),
    ).toMatchObject({ verdict: 'pass', policy: 'off', reason: 'not judged (--placement off): CPUExecutionProvider 1' });
  });

  it('treats a graph folded to constants as a fallback, and ignores CPU targets', () => {
    expect(
      judgePlacement(outcome('ort-node:webgpu', { source: 'verbose-log', providers: [], fallbackNodes: [] })).verdict,
    ).toBe('fallback');
    expect(
      judgePlacement(
        outcome(
          'ort-node:cpu',
          { source: 'verbose-log', providers: [{ ep: CPU, nodes: 5 }], fallbackNodes: [] },
          'cpu',
        ),
      ),
    ).toMatchObject({ verdict: 'pass', reason: '', proven: true });
  });

  it('a lost placement log on a runtime that prints one is unproven, a failure', () => {
    const j = judgePlacement(
      outcome('ort-node:webgpu', { source: 'log-missing', providers: [{ ep: GPU, nodes: 4 }], fallbackNodes: [] }),
    );
    expect(j).toMatchObject({ verdict: 'unproven', proven: false });
    expect(j.warning).toBeUndefined();
    expect(judgePlacement(outcome('ort-node:webgpu', undefined)).verdict).toBe('unproven');
  });

  it('never upgrades requested placement into proof: engines without a log get an unproven warning', () => {
    expect(
      judgePlacement(
        outcome('ort-web:webgl@chromium', {
          source: 'requested',
          providers: [{ ep: 'webgl', nodes: 4 }],
          fallbackNodes: [],
        }),
      ),
    ).toMatchObject({
      verdict: 'unproven',
      warning: true,
      proven: false,
      reason: expect.stringContaining('prints no placement log'),
    });
  });
});

describe('applyPlacementVerdicts', () => {
  it("turns only the fallen-back GPU target's passes into fallback verdicts", () => {
    const outcomes = [
      outcome('ort-node:cpu', { source: 'verbose-log', providers: [{ ep: CPU, nodes: 1 }], fallbackNodes: [] }, 'cpu'),
      outcome('ort-node:webgpu', { source: 'verbose-log', providers: [{ ep: CPU, nodes: 1 }], fallbackNodes: [] }),
    ];
    const mismatch = {
      ...pass('ort-node:webgpu'),
      output: 'z',
      verdict: 'mismatch' as const,
      reason: '3 of 4 elements outside tolerance',
    };
    const out = applyPlacementVerdicts([pass('ort-node:cpu'), pass('ort-node:webgpu'), mismatch], outcomes);
    expect(out.map((c) => c.verdict)).toEqual(['pass', 'fallback', 'mismatch']);
    expect(out[2]!.reason).toMatch(/^3 of 4 elements outside tolerance; placement: all 1 node/);
  });

  it('an unproven GPU pass fails as `unproven`; an engine that never proves it keeps its pass with the warning', () => {
    const lost = withPlacementJudgement(
      outcome('ort-node:webgpu', { source: 'log-missing', providers: [{ ep: GPU, nodes: 4 }], fallbackNodes: [] }),
      'compute',
    );
    const webgl = withPlacementJudgement(
      outcome('ort-web:webgl@chromium', {
        source: 'requested',
        providers: [{ ep: 'webgl', nodes: 4 }],
        fallbackNodes: [],
      }),
      'compute',
    );
    const out = applyPlacementVerdicts([pass('ort-node:webgpu'), pass('ort-web:webgl@chromium')], [lost, webgl]);
    expect(out.map((c) => c.verdict)).toEqual(['unproven', 'pass']);
    expect(out[1]!.reason).toMatch(/; placement: GPU placement unproven \(warning\)/);
  });

  it("uses the judgement stored with the outcome (the run's own policy) over the default", () => {
    const strict = withPlacementJudgement(outcome('ort-node:webgpu', shapeOnly), 'strict');
    expect(strict.placement?.judgement?.policy).toBe('strict');
    expect(applyPlacementVerdicts([pass('ort-node:webgpu')], [strict])[0]!.verdict).toBe('partial-fallback');
    const relaxed = withPlacementJudgement(outcome('ort-node:webgpu', shapeOnly), 'compute');
    expect(applyPlacementVerdicts([pass('ort-node:webgpu')], [relaxed])[0]).toMatchObject({
      verdict: 'pass',
      reason: expect.stringContaining('placement: 3 shape/control node(s) on the CPU'),
    });
  });
});
