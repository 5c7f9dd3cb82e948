import { describe, expect, it } from 'vitest';
import type { CaseResult, Report } from '@crossrt/core';
import { buildConformanceMatrix, renderConformanceMatrix } from './conformance-matrix.js';

const T = ['ort-node:cpu', 'ort-web:wasm'];
const tol = { rtol: 1e-3, atol: 1e-7, source: 'oracle-default' as const };
const cmp = (target: string, verdict: 'pass' | 'mismatch') => ({
  output: 'y',
  target,
  reference: 'oracle',
  inputSet: 'test_data_set_0',
  verdict,
  reason: verdict === 'pass' ? 'ok' : '3/4 element(s) fail',
  tolerance: tol,
  dtype: {},
  dims: {},
});
const ok = (target: string) => ({ target, status: 'ok' as const, outputs: [], logTail: [] });
const model = (opTypes: string[]) => ({
  path: 'm',
  sha256: 'x',
  bytes: 1,
  irVersion: 8,
  opsets: {},
  producer: '',
  nodes: 1,
  opTypes,
});
const kase = (id: string, c: Partial<CaseResult>): CaseResult => ({
  id,
  inputs: [],
  dims: [],
  outcomes: [],
  comparisons: [],
  verdict: 'pass',
  ...c,
});

// Five cases, one per cell kind, hand-tallied below.
const cases: CaseResult[] = [
  kase('/d/node/test_abs', { model: model(['Abs']), outcomes: T.map(ok), comparisons: T.map((t) => cmp(t, 'pass')) }),
  kase('/d/node/test_dft', {
    model: model(['DFT']),
    verdict: 'fail',
    outcomes: T.map(ok),
    comparisons: [cmp(T[0]!, 'mismatch'), cmp(T[1]!, 'pass')],
  }),
  kase('/d/node/test_adam', {
    model: model(['ai.onnx.preview.training.Adam']),
    verdict: 'fail',
    outcomes: T.map((t) => ({
      target: t,
      status: 'load-error' as const,
      error: { message: 'Adam is not a registered op' },
      outputs: [],
      logTail: [],
    })),
  }),
  kase('/d/simple/test_crash', {
    model: model(['Loop', 'Add']),
    verdict: 'fail',
    outcomes: [
      ok(T[0]!),
      { target: T[1]!, status: 'crash', error: { message: 'host exited' }, outputs: [], logTail: [] },
    ],
    comparisons: [cmp(T[0]!, 'pass')],
  }),
  kase('/d/simple/test_seq', { verdict: 'skipped', skipReason: 'non-tensor IO: s is a sequence' }),
  kase('/d/simple/test_bad', { verdict: 'error', error: { code: 'MODEL_TRUNCATED', message: 'cut short' } }),
];
const report = { settings: { targets: T }, cases } as unknown as Report;

describe('conformance matrix', () => {
  it('derives one cell per case and target from outcomes and comparisons', () => {
    const m = buildConformanceMatrix(report);
    const cells = Object.fromEntries(m.rows.map((r) => [r.name, T.map((t) => r.cells[t]!.cell)]));
    expect(cells).toEqual({
      test_abs: ['pass', 'pass'],
      test_dft: ['mismatch', 'pass'],
      test_adam: ['load-error', 'load-error'],
      test_crash: ['pass', 'run-error'],
      test_seq: ['skipped', 'skipped'],
      test_bad: ['load-error', 'load-error'],
    });
    expect(m.rows.find((r) => r.name === 'test_crash')!.cells[T[1]!]!.detail).toBe('crash: host exited');
  });

  it('totals per suite and overall, op types behind failures', () => {
    const m = buildConformanceMatrix(report);
    const row = (suite: string, target: string) =>
      m.totals.find((t) => t.suite === suite && t.target === target)!.counts;
    expect(row('node', T[0]!)).toEqual({
      pass: 1,
      mismatch: 1,
      'load-error': 1,
      'run-error': 0,
      fallback: 0,
      unproven: 0,
      skipped: 0,
    });
    expect(row('simple', T[1]!)).toEqual({
      pass: 0,
      mismatch: 0,
      'load-error': 1,
      'run-error': 1,
      fallback: 0,
      unproven: 0,
      skipped: 1,
    });
    expect(row('all', T[1]!)).toEqual({
      pass: 2,
      mismatch: 0,
      'load-error': 2,
      'run-error': 1,
      fallback: 0,
      unproven: 0,
      skipped: 1,
    });
    expect(m.failureOps[T[1]!]).toEqual([
      { opType: 'Add', count: 1 },
      { opType: 'ai.onnx.preview.training.Adam', count: 1 },
      { opType: 'Loop', count: 1 },
    ]);
    // Without known-failures lists every failure is new: cpu 3 (dft, adam, bad), wasm 3 (adam, crash, bad).
    expect(m.newFailures).toBe(6);
    expect(m.newCaseErrors).toBe(1);
  });

  it('known failures: listed ones do not count, listed passes are reported, unlisted ones are new', () => {
    const m = buildConformanceMatrix(report, [
      {
        target: T[0]!,
        failures: [
          { case: 'test_dft', reason: 'fft precision' },
          { case: 'test_adam', reason: 'training op' },
          { case: 'simple/test_bad', reason: 'broken on purpose' },
        ],
      },
      {
        target: T[1]!,
        failures: [
          { case: 'test_dft', reason: 'fft precision' },
          { case: 'test_*am', reason: 'training op' },
        ],
      },
    ]);
    const [cpu, wasm] = m.known;
    expect(cpu).toMatchObject({ listed: true, stillFailing: 3, newFailures: [], nowPassing: [] });
    expect(wasm!.nowPassing).toEqual([{ id: '/d/node/test_dft', reason: 'fft precision' }]);
    expect(wasm!.newFailures.map((f) => [f.id, f.cell])).toEqual([
      ['/d/simple/test_crash', 'run-error'],
      ['/d/simple/test_bad', 'load-error'],
    ]);
    expect(m.newFailures).toBe(2);
    expect(m.newCaseErrors).toBe(1);
    const text = renderConformanceMatrix(m);
    expect(text).toMatch(/test_dft\s+MISMATCH \(known\)\s+pass \(fixed\)/);
    expect(text).toContain('NOW PASSING /d/node/test_dft');
    expect(text).toMatch(/^simple\s+ort-web:wasm\s+3\s+0\s+0\s+1\s+1\s+0\s+0\s+1$/m);
  });
});
