/**
 * Placement findings in every reporter, on a report with three GPU runs whose numbers all match:
 *   a.onnx on ort-node:webgpu   only shape nodes on the CPU → pass, the split and note shown;
 *   b.onnx on ort-node:webgpu   the log held no placement → `unproven`, a failure everywhere;
 *   c.onnx on tfjs:webgl@chromium  an engine that never prints placement → pass with a labelled warning.
 */
import { describe, expect, it } from 'vitest';
import type { CaseResult, Comparison, ExecutionPlacement, Report, RunOutcome } from '@crossrt/core';
import { buildConformanceMatrix, renderConformanceMatrix } from './conformance-matrix.js';
import { renderConsole } from './console-reporter.js';
import { renderGithubAnnotations } from './github-annotations.js';
import { renderHtml } from './html-reporter.js';
import { renderJunit } from './junit-reporter.js';
import { renderMarkdown } from './markdown-reporter.js';

const REF = 'ort-node:cpu';
const tol = { rtol: 1e-5, atol: 1e-5, source: 'default' as const };
const gpu = (target: string, placement: ExecutionPlacement): RunOutcome => ({
  target,
  status: 'ok',
  timings: { loadMs: 5, runMs: 1, wallMs: 9 },
  placement,
  outputs: [{ name: 'y', dtype: 'float32', dims: [2] }],
  logTail: [],
  device: { kind: 'gpu', description: 'SwiftShader', runtime: 'r', runtimeVersion: '1', details: {} },
});
const cpu: RunOutcome = {
  target: REF,
  status: 'ok',
  outputs: [{ name: 'y', dtype: 'float32', dims: [2] }],
  logTail: [],
  placement: { source: 'single-ep', providers: [{ ep: 'CPUExecutionProvider', nodes: 9 }], fallbackNodes: [] },
};
const cmp = (target: string, verdict: Comparison['verdict'], reason: string): Comparison => ({
  output: 'y',
  target,
  reference: REF,
  verdict,
  reason,
  tolerance: tol,
  dtype: {},
  dims: {},
});

const SHAPE_NOTE =
  '3 shape/control node(s) on the CPU (Gather ×2, Equal ×1), as ORT intends; no compute node on the CPU; 6 node(s) on WebGpuExecutionProvider';
const LOST =
  "GPU placement unproven: ort-node:webgpu prints its node placement for every session, and this session's log held none";
const NEVER =
  'GPU placement unproven (warning): tfjs:webgl@chromium prints no placement log, so where its nodes ran is only what was requested';
const shapeOnly: ExecutionPlacement = {
  source: 'verbose-log',
  weightBytes: 1000,
  providers: [
    { ep: 'WebGpuExecutionProvider', nodes: 6, shapeNodes: 1, computeNodes: 5, weightBytes: 990 },
    { ep: 'CPUExecutionProvider', nodes: 3, shapeNodes: 3, computeNodes: 0, weightBytes: 10 },
  ],
  fallbackNodes: [
    { node: 'eq', opType: 'Equal', ep: 'CPUExecutionProvider', class: 'shape', classBy: 'graph' },
    { node: 'g0', opType: 'Gather', ep: 'CPUExecutionProvider', class: 'shape', classBy: 'graph' },
    { node: 'Gather_token_3', opType: 'Gather', ep: 'CPUExecutionProvider', class: 'shape', classBy: 'log' },
  ],
  judgement: { verdict: 'pass', policy: 'compute', reason: SHAPE_NOTE },
};
const lost: ExecutionPlacement = {
  source: 'log-missing',
  providers: [{ ep: 'WebGpuExecutionProvider', nodes: 4 }],
  fallbackNodes: [],
  judgement: { verdict: 'unproven', policy: 'compute', reason: LOST },
};
const never: ExecutionPlacement = {
  source: 'requested',
  providers: [{ ep: 'tfjs-webgl', nodes: 4 }],
  fallbackNodes: [],
  judgement: { verdict: 'unproven', policy: 'compute', reason: NEVER, warning: true },
};

const caseOf = (id: string, outcome: RunOutcome, c: Comparison): CaseResult => ({
  id,
  model: {
    path: id,
    sha256: 'ab'.repeat(32),
    bytes: 10,
    irVersion: 8,
    opsets: { 'ai.onnx': 17 },
    producer: 'hand',
    nodes: 9,
  },
  inputs: [],
  dims: [],
  outcomes: [cpu, outcome],
  comparisons: [c],
  verdict: c.verdict === 'pass' ? 'pass' : 'fail',
});
const cases = [
  caseOf(
    'models/a.onnx',
    gpu('ort-node:webgpu', shapeOnly),
    cmp('ort-node:webgpu', 'pass', `all 2 element(s) within tolerance; placement: ${SHAPE_NOTE}`),
  ),
  caseOf(
    'models/b.onnx',
    gpu('ort-node:webgpu', lost),
    cmp('ort-node:webgpu', 'unproven', `${LOST}; numbers: all 2 element(s) within tolerance`),
  ),
  caseOf(
    'models/c.onnx',
    gpu('tfjs:webgl@chromium', never),
    cmp('tfjs:webgl@chromium', 'pass', `all 2 element(s) within tolerance; placement: ${NEVER}`),
  ),
];
const report: Report = {
  schema: 'crossrt.report',
  version: 1,
  tool: { name: 'crossrt', version: '0.1.0' },
  command: 'run',
  createdAt: '2026-12-02T00:00:00.000Z',
  environment: { node: 'v20', platform: 'linux', arch: 'x64', cpus: 2 },
  settings: {
    targets: [REF, 'ort-node:webgpu', 'tfjs:webgl@chromium'],
    reference: REF,
    seed: 0,
    tolerance: tol,
    defaultDim: 1,
    placement: 'compute',
  },
  cases,
  totals: {
    cases: 3,
    passed: 2,
    failed: 1,
    errored: 0,
    skipped: 0,
    convertErrors: 0,
    knownFailures: 0,
    verdicts: { pass: 2, unproven: 1 },
    outcomes: { ok: 6 },
  },
};

describe('placement in every reporter', () => {
  it('console: the split by class and weight share, the judgement, the unproven failure and the warning', () => {
    const text = renderConsole(report);
    expect(text).toContain(
      'ort-node:webgpu: ok load 5.0ms run 1.0ms [WebGpuExecutionProvider 6 (1 shape, 5 compute, 99.0% of weights) · CPUExecutionProvider 3 (3 shape, 0 compute, 1.0% of weights); from ORT log]',
    );
    expect(text).toContain(`placement on ort-node:webgpu: pass under --placement compute: ${SHAPE_NOTE}`);
    expect(text).toContain(`placement on ort-node:webgpu: UNPROVEN under --placement compute: ${LOST}`);
    expect(text).toMatch(/y\s+ort-node:webgpu\s+ort-node:cpu\s+UNPROVEN/);
    expect(text).toContain(`placement on tfjs:webgl@chromium: UNPROVEN (warning) under --placement compute: ${NEVER}`);
    expect(text).toContain(
      'warning: GPU placement unproven (the engine prints no placement log): tfjs:webgl@chromium 1 case(s)',
    );
  });

  it('JUnit: unproven is a failure; the warning rides on a passing testcase', () => {
    const xml = renderJunit(report);
    expect(xml).toMatch(
      /<testcase classname="models\/b.onnx" name="y"[^>]*>\s*<failure type="unproven" message="unproven: GPU placement unproven/,
    );
    expect(xml).toMatch(
      /<testcase classname="models\/c.onnx" name="y"[^>]*>\s*<system-out>warning: GPU placement unproven \(warning\)/,
    );
    expect(xml).toMatch(/<testsuite name="tfjs:webgl@chromium" tests="3" failures="0"/);
  });

  it('GitHub annotations: an error for unproven, a warning for an engine without a log', () => {
    const lines = renderGithubAnnotations(report).split('\n');
    expect(lines[0]).toBe(
      `::error file=models/b.onnx,title=crossrt unproven%3A b.onnx › y on ort-node%3Awebgpu::${LOST}; numbers: all 2 element(s) within tolerance`,
    );
    expect(lines[1]).toBe(
      `::warning file=models/c.onnx,title=crossrt placement unproven%3A c.onnx on tfjs%3Awebgl@chromium::${NEVER}`,
    );
    expect(lines.filter((l) => l.includes('a.onnx'))).toEqual([]);
  });

  it('Markdown: unproven among the failing cells, the warnings in their own section', () => {
    const md = renderMarkdown(report);
    expect(md).toMatch(/^\| b\.onnx \| ort-node:webgpu \| y \| \*\*unproven\*\* \| GPU placement unproven: /m);
    expect(md).toContain('### ⚠️ Placement unproven (1 run(s), warning)');
    expect(md).toMatch(/^\| c\.onnx \| tfjs:webgl@chromium \| GPU placement unproven \(warning\)/m);
    expect(md).toMatch(/^\| target \| pass \| not-run \| pass \(placement unproven\) \| reference \| unproven \|$/m);
    expect(md).toContain(`ort-node:webgpu placement: UNPROVEN under --placement compute: ${LOST}`);
  });

  it('HTML: the judgement badge per run, classes on the CPU nodes, the warning label in the matrix', () => {
    const html = renderHtml(report);
    expect(html).toContain('placement unproven (warning)');
    expect(html).toContain('pass (placement unproven)');
    expect(html).toContain('3 node(s) on the CPU, 0 compute');
    expect(html).toContain('Gather_token_3 [shape, by log] → CPUExecutionProvider');
    expect(html).toContain('Equal eq [shape] → CPUExecutionProvider');
    expect(html).toMatch(/badge tone-fail">placement unproven</);
  });

  it('conformance matrix: an unproven cell, and the warning beside a pass', () => {
    const text = renderConformanceMatrix(buildConformanceMatrix(report));
    expect(text).toMatch(/^b\.onnx\s+pass\s+UNPROVEN\s+skip/m);
    expect(text).toMatch(/^c\.onnx\s+pass\s+skip\s+pass \(unproven\)/m);
    expect(text).toContain(`  b.onnx on ort-node:webgpu: unproven: ${LOST}; numbers:`);
    expect(text).toContain(`  c.onnx on tfjs:webgl@chromium: warning: ${NEVER}`);
    expect(text).toMatch(/^models\s+ort-node:webgpu\s+3\s+1\s+0\s+0\s+0\s+0\s+1\s+1$/m);
    expect(text).toContain(
      'warning: placement unproven on tfjs:webgl@chromium in 1 passing case(s): the engine prints no placement log',
    );
  });
});
