import { describe, expect, it } from 'vitest';
import { EXPECTED_MATRIX, sampleReport, SAMPLE_CASES, TARGETS } from '../test/sample-report.js';
import { cellLabel, cellTone, statusTone, targetMatrix, worstComparison } from './target-cells.js';

describe('targetMatrix', () => {
  it('derives every (case, target) status of the hand-built report', () => {
    const m = targetMatrix(sampleReport());
    expect(m.columns).toEqual([TARGETS.NODE, TARGETS.WASM, TARGETS.GPU]);
    const got = Object.fromEntries(
      m.rows.map((r) => [r.case.id, Object.fromEntries(r.cells.map((c) => [c.target, c.status]))]),
    );
    expect(got).toEqual(EXPECTED_MATRIX);
  });

  it('keeps the coarse conformance class beside the refined status', () => {
    const m = targetMatrix(sampleReport());
    const b = m.rows.find((r) => r.case.id === 'models/b.onnx')!;
    // A shape verdict is a `mismatch` cell for `crossrt conformance`, a `shape` status here.
    expect(b.cells.map((c) => [c.cell, c.status])).toEqual([
      ['pass', 'reference'],
      ['load-error', 'load-error'],
      ['mismatch', 'shape'],
    ]);
    const f = m.rows.find((r) => r.case.id === 'models/f.onnx')!;
    expect(f.cells[2]).toMatchObject({ cell: 'run-error', status: 'timeout', detail: 'timeout: run exceeded 120 s' });
  });

  it('says why a target that ran was not compared when the reference failed', () => {
    const report = sampleReport();
    const c = {
      ...SAMPLE_CASES.f,
      outcomes: [
        { ...SAMPLE_CASES.f.outcomes[0]!, status: 'load-error' as const, error: { message: 'bad' } },
        SAMPLE_CASES.f.outcomes[1]!,
      ],
      comparisons: [],
    };
    const m = targetMatrix({ ...report, cases: [c] });
    expect(m.rows[0]!.cells.map((x) => x.status)).toEqual(['load-error', 'not-compared', 'not-run']);
    expect(m.rows[0]!.cells[1]!.detail).toBe('ran ok, not compared: reference ort-node:cpu load-error');
  });

  it('marks known failures and fixed entries', () => {
    const report = sampleReport();
    const a = {
      ...SAMPLE_CASES.a,
      verdict: 'known-failure' as const,
      knownFailure: { targets: [TARGETS.GPU], nowPassing: [TARGETS.WASM] },
    };
    const cells = targetMatrix({ ...report, cases: [a] }).rows[0]!.cells;
    expect(cells.map(cellLabel)).toEqual(['reference', 'pass (fixed)', 'mismatch (known)']);
    expect(cells.map(cellTone)).toEqual(['neutral', 'pass', 'warn']);
  });
});

describe('statusTone', () => {
  it('colours by pass vs not for verdicts it has never heard of', () => {
    expect(statusTone('pass')).toBe('pass');
    expect(statusTone('some-verdict-added-later')).toBe('fail');
    expect(statusTone('mismatch')).toBe('fail');
    expect(statusTone('timeout')).toBe('error');
    expect(statusTone('partial-fallback')).toBe('warn');
    expect(statusTone('skipped')).toBe('neutral');
  });
});

describe('worstComparison', () => {
  it('prefers the more severe verdict, then the larger error', () => {
    const [yWasm, zWasm, yGpu, zGpu] = SAMPLE_CASES.a.comparisons;
    expect(worstComparison([yWasm!, yGpu!, zGpu!])).toBe(yGpu);
    expect(worstComparison([zWasm!, yWasm!])).toBe(yWasm); // both pass: 2e-7 > 0
    expect(worstComparison([])).toBeUndefined();
  });
});

describe('variant subjects (crossrt pair / compare)', () => {
  it("shows the subject column with its target's run, not an empty plain-target column", () => {
    const report = sampleReport();
    const pair = {
      ...SAMPLE_CASES.e,
      id: 'conv-bn-pool',
      outcomes: [SAMPLE_CASES.e.outcomes[0]!, { ...SAMPLE_CASES.e.outcomes[1]!, target: 'tfjs:cpu' }],
      comparisons: [
        {
          ...SAMPLE_CASES.e.comparisons[0]!,
          target: 'tfjs/model.json@tfjs:cpu',
          reference: 'model.onnx@ort-node:cpu',
          verdict: 'mismatch' as const,
        },
      ],
    };
    const m = targetMatrix({
      ...report,
      settings: { ...report.settings, targets: ['ort-node:cpu', 'tfjs:cpu'] },
      cases: [pair],
    });
    expect(m.columns).toEqual(['ort-node:cpu', 'tfjs/model.json@tfjs:cpu']);
    expect(m.rows[0]!.cells.map((c) => c.status)).toEqual(['reference', 'mismatch']);
    expect(m.rows[0]!.cells[1]!.outcome?.target).toBe('tfjs:cpu');
    const failedRun = {
      ...pair,
      outcomes: [
        pair.outcomes[0]!,
        { ...pair.outcomes[1]!, status: 'load-error' as const, error: { message: 'Unknown op FusedConv2D' } },
      ],
      comparisons: [],
    };
    // No comparison at all now: the plain column is back, and it carries the load error.
    const m2 = targetMatrix({
      ...report,
      settings: { ...report.settings, targets: ['ort-node:cpu', 'tfjs:cpu'] },
      cases: [failedRun],
    });
    expect(m2.rows[0]!.cells.map((c) => [c.target, c.status])).toEqual([
      ['ort-node:cpu', 'reference'],
      ['tfjs:cpu', 'load-error'],
    ]);
  });
});
