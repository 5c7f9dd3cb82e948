import { ReportSchema, type CaseResult, type Comparison, type Report, type RunOutcome } from '@crossrt/core';

/**
 * A hand-built report covering every cell state the reporters draw, written out literally so the
 * tests' expected values come from this file, not from the code under test. Every number below is
 * chosen, not computed. It passes ReportSchema.parse, like any report crossrt writes.
 *
 * Targets: ort-node:cpu (reference), ort-web:wasm, ort-web:webgpu@chromium.
 *   models/a.onnx  outputs y, z   wasm: y pass, z pass      webgpu: y MISMATCH (histogram), z pass; baseline regression on webgpu
 *   models/b.onnx  output y       wasm: LOAD-ERROR           webgpu: y SHAPE
 *   models/c.onnx  skipped (sequence IO)
 *   models/d.onnx  case error MODEL_TRUNCATED
 *   models/e.onnx  output y       wasm: y pass               webgpu: y FALLBACK
 *   models/f.onnx  output y       wasm: y pass               webgpu: TIMEOUT
 */
const tol = { rtol: 1e-5, atol: 1e-5, source: 'default' as const };
const device = (target: string): RunOutcome['device'] =>
  target === 'ort-node:cpu'
    ? {
        kind: 'cpu',
        description: 'Test CPU',
        runtime: 'onnxruntime-node',
        runtimeVersion: '1.30.0',
        threads: 2,
        details: {},
      }
    : target === 'ort-web:wasm'
      ? {
          kind: 'wasm',
          description: 'WebAssembly (Node)',
          runtime: 'onnxruntime-web',
          runtimeVersion: '1.30.0',
          threads: 1,
          simd: true,
          details: {},
        }
      : {
          kind: 'gpu',
          description: 'SwiftShader Device (Subzero)',
          runtime: 'onnxruntime-web',
          runtimeVersion: '1.30.0',
          details: { vendor: 'google' },
        };

function ok(target: string, outputs: string[]): RunOutcome {
  return {
    target,
    status: 'ok',
    timings: { loadMs: 10, runMs: 2, wallMs: 40 },
    device: device(target),
    placement: {
      source: 'verbose-log',
      providers: [
        { ep: target === 'ort-web:webgpu@chromium' ? 'JsepExecutionProvider' : 'CPUExecutionProvider', nodes: 3 },
      ],
      fallbackNodes: [],
    },
    outputs: outputs.map((name) => ({ name, dtype: 'float32', dims: [2, 3] })),
    logTail: [],
  };
}

function failed(target: string, status: RunOutcome['status'], message: string): RunOutcome {
  return { target, status, error: { message }, outputs: [], logTail: ['last host line'] };
}

function cmp(
  output: string,
  target: string,
  verdict: Comparison['verdict'],
  maxAbsError: number,
  extra: Partial<Comparison> = {},
): Comparison {
  const mismatches = verdict === 'mismatch' ? 2 : 0;
  return {
    output,
    target,
    reference: 'ort-node:cpu',
    verdict,
    reason: `${verdict} reason for ${output} on ${target}`,
    tolerance: tol,
    metrics: {
      elements: 6,
      maxAbsError,
      meanAbsError: maxAbsError / 2,
      maxRelError: maxAbsError * 10,
      allcloseMismatches: mismatches,
      mismatchFraction: mismatches / 6,
      nanInfMismatches: 0,
      worstIndex: 4,
      worstActual: 1.5,
      worstReference: 1.5 - maxAbsError,
      exact: false,
    },
    dtype: { actual: 'float32', reference: 'float32' },
    dims: { actual: [2, 3], reference: [2, 3] },
    ...extra,
  };
}

/** Shape/dtype/missing verdicts carry no metrics: there is nothing element-wise to measure. */
function withoutMetrics(c: Comparison): Comparison {
  const { metrics: _dropped, ...rest } = c;
  return rest;
}

const model = (path: string) => ({
  path,
  sha256: 'ab'.repeat(32),
  bytes: 1234,
  irVersion: 8,
  opsets: { 'ai.onnx': 17 },
  producer: 'hand',
  nodes: 3,
});
const NODE = 'ort-node:cpu';
const WASM = 'ort-web:wasm';
const GPU = 'ort-web:webgpu@chromium';

function caseResult(id: string, partial: Partial<CaseResult> & Pick<CaseResult, 'verdict'>): CaseResult {
  return { id, model: model(id), inputs: [], dims: [], outcomes: [], comparisons: [], ...partial };
}

export const SAMPLE_CASES = {
  a: caseResult('models/a.onnx', {
    verdict: 'fail',
    outcomes: [ok(NODE, ['y', 'z']), ok(WASM, ['y', 'z']), ok(GPU, ['y', 'z'])],
    comparisons: [
      cmp('y', WASM, 'pass', 2e-7),
      cmp('z', WASM, 'pass', 0),
      cmp('y', GPU, 'mismatch', 0.25, {
        metrics: {
          elements: 6,
          maxAbsError: 0.25,
          meanAbsError: 0.05,
          maxRelError: 0.5,
          allcloseMismatches: 2,
          mismatchFraction: 2 / 6,
          nanInfMismatches: 0,
          worstIndex: 4,
          worstActual: 0.75,
          worstReference: 0.5,
          exact: false,
          rmse: 0.1,
          cosineSimilarity: 0.98,
          snrDb: 17.5,
          // 1 exact, 3 in [2^-20, 2^-19), 2 in [2^-3, 2^-2): the chart must show bins -20 .. -3.
          histogram: {
            zero: 1,
            bins: [
              { log2: -20, count: 3 },
              { log2: -3, count: 2 },
            ],
          },
        },
      }),
      cmp('z', GPU, 'pass', 1e-6),
    ],
    baseline: [
      {
        target: GPU,
        output: 'y',
        classification: 'regression',
        reason: 'was within tolerance of the golden, now 0.25 off',
        maxAbsError: 0.25,
      },
    ],
  }),
  b: caseResult('models/b.onnx', {
    verdict: 'fail',
    outcomes: [
      ok(NODE, ['y']),
      failed(WASM, 'load-error', 'Could not find an implementation for Foo(1) node'),
      ok(GPU, ['y']),
    ],
    comparisons: [
      withoutMetrics(
        cmp('y', GPU, 'shape', 0, {
          reason: 'dims [2,3] differ from reference [3,2]',
          dims: { actual: [2, 3], reference: [3, 2] },
        }),
      ),
    ],
  }),
  c: caseResult('models/c.onnx', { verdict: 'skipped', skipReason: 'non-tensor IO: sequence input "s"' }),
  d: {
    id: 'models/d.onnx',
    verdict: 'error',
    error: { code: 'MODEL_TRUNCATED', message: 'model ends inside field 7', hint: 'download it again' },
    inputs: [],
    dims: [],
    outcomes: [],
    comparisons: [],
  } as CaseResult,
  e: caseResult('models/e.onnx', {
    verdict: 'fail',
    outcomes: [
      ok(NODE, ['y']),
      ok(WASM, ['y']),
      {
        ...ok(GPU, ['y']),
        placement: {
          source: 'verbose-log',
          providers: [
            { ep: 'JsepExecutionProvider', nodes: 1 },
            { ep: 'CPUExecutionProvider', nodes: 2 },
          ],
          fallbackNodes: [
            { node: 'gather_0', opType: 'Gather', ep: 'CPUExecutionProvider' },
            { node: 'cast_1', opType: 'Cast', ep: 'CPUExecutionProvider' },
          ],
        },
      },
    ],
    comparisons: [
      cmp('y', WASM, 'pass', 1e-7),
      cmp('y', GPU, 'fallback', 1e-7, { reason: '2 of 3 nodes ran on CPU, not WebGPU' }),
    ],
  }),
  f: caseResult('models/f.onnx', {
    verdict: 'fail',
    outcomes: [ok(NODE, ['y']), ok(WASM, ['y']), failed(GPU, 'timeout', 'run exceeded 120 s')],
    comparisons: [cmp('y', WASM, 'pass', 3e-8)],
  }),
};

export function sampleReport(overrides: Partial<Report> = {}): Report {
  const cases = Object.values(SAMPLE_CASES);
  return ReportSchema.parse({
    schema: 'crossrt.report',
    version: 1,
    tool: { name: 'crossrt', version: '0.1.0' },
    command: 'run',
    createdAt: '2026-11-26T04:00:00.000Z',
    environment: { node: 'v20.20.2', platform: 'linux', arch: 'x64', cpus: 2 },
    settings: { targets: [NODE, WASM, GPU], reference: NODE, seed: 0, tolerance: tol, defaultDim: 1 },
    baseline: { dir: 'goldens/', createdAt: '2026-11-20T00:00:00.000Z', classes: { unchanged: 9, regression: 1 } },
    cases,
    totals: {
      cases: 6,
      passed: 0,
      failed: 4,
      errored: 1,
      skipped: 1,
      convertErrors: 0,
      verdicts: { pass: 5, mismatch: 1, shape: 1, fallback: 1 },
      outcomes: { ok: 14, 'load-error': 1, timeout: 1 },
    },
    ...overrides,
  });
}

/** The matrix every reporter must agree with, written by hand from the comment above. */
export const EXPECTED_MATRIX: Record<string, Record<string, string>> = {
  'models/a.onnx': { [NODE]: 'reference', [WASM]: 'pass', [GPU]: 'mismatch' },
  'models/b.onnx': { [NODE]: 'reference', [WASM]: 'load-error', [GPU]: 'shape' },
  'models/c.onnx': { [NODE]: 'skipped', [WASM]: 'skipped', [GPU]: 'skipped' },
  'models/d.onnx': { [NODE]: 'case-error', [WASM]: 'case-error', [GPU]: 'case-error' },
  'models/e.onnx': { [NODE]: 'reference', [WASM]: 'pass', [GPU]: 'fallback' },
  'models/f.onnx': { [NODE]: 'reference', [WASM]: 'pass', [GPU]: 'timeout' },
};
export const TARGETS = { NODE, WASM, GPU };
