import { describe, expect, it } from 'vitest';
import { sampleReport, SAMPLE_CASES, TARGETS } from '../test/sample-report.js';
import { comparedTargets, largestDiscrepancies, outputCells } from './output-cells.js';

const key = (c: { case: { id: string }; target: string; output: string | undefined; status: string }) =>
  `${c.case.id} ${c.target} ${c.output ?? '-'} ${c.status}`;

describe('outputCells', () => {
  it('judges every target but a reference that ran fine', () => {
    expect(comparedTargets(sampleReport())).toEqual([TARGETS.WASM, TARGETS.GPU]);
  });

  it('judges a reference target that failed: that failure is the news', () => {
    const f = {
      ...SAMPLE_CASES.f,
      outcomes: [
        {
          ...SAMPLE_CASES.f.outcomes[0]!,
          status: 'run-error' as const,
          error: { message: 'Pad reflect requires axis length >= 2' },
        },
        SAMPLE_CASES.f.outcomes[1]!,
        SAMPLE_CASES.f.outcomes[2]!,
      ],
      comparisons: [],
    };
    const cells = outputCells({ ...sampleReport(), cases: [f] }).map(key);
    // Output names come from the targets that ran (wasm); wasm itself had nothing to be compared with.
    expect(cells).toEqual([
      'models/f.onnx ort-node:cpu y run-error',
      'models/f.onnx ort-web:wasm y not-compared',
      'models/f.onnx ort-web:webgpu@chromium y timeout',
    ]);
  });

  it("judges the run's reference target in oracle cases of a mixed suite", () => {
    const oracle = {
      ...SAMPLE_CASES.e,
      id: 'node/test_x',
      outcomes: SAMPLE_CASES.e.outcomes.slice(0, 2),
      comparisons: [
        { ...SAMPLE_CASES.e.comparisons[0]!, target: TARGETS.NODE, reference: 'oracle', verdict: 'mismatch' as const },
        { ...SAMPLE_CASES.e.comparisons[0]!, reference: 'oracle' },
      ],
    };
    const cells = outputCells({ ...sampleReport(), cases: [SAMPLE_CASES.a, oracle] }).map(key);
    expect(cells).toEqual([
      'models/a.onnx ort-web:wasm y pass',
      'models/a.onnx ort-web:wasm z pass',
      'models/a.onnx ort-web:webgpu@chromium y mismatch',
      'models/a.onnx ort-web:webgpu@chromium z pass',
      'node/test_x ort-node:cpu y mismatch',
      'node/test_x ort-web:wasm y pass',
      'node/test_x ort-web:webgpu@chromium y not-run',
    ]);
  });
});

describe('largestDiscrepancies', () => {
  it('keeps comparisons without metrics out and cuts at the limit', () => {
    const top = largestDiscrepancies(sampleReport(), 3).map(
      (r) => `${r.case.id} ${r.comparison.output} ${r.comparison.target}`,
    );
    expect(top).toEqual([
      'models/a.onnx y ort-web:webgpu@chromium',
      'models/e.onnx y ort-web:webgpu@chromium',
      'models/a.onnx z ort-web:webgpu@chromium',
    ]);
  });
});
