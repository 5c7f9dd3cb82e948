import { describe, expect, it } from 'vitest';
import { sampleReport, SAMPLE_CASES } from '../test/sample-report.js';
import {
  escapeAnnotationData,
  escapeAnnotationProperty,
  formatAnnotation,
  renderGithubAnnotations,
} from './github-annotations.js';

describe('workflow-command escaping', () => {
  it('percent-encodes %, CR and LF in data, and also : and , in properties', () => {
    // Expected strings written from GitHub's toolkit rules (command.ts escapeData / escapeProperty).
    expect(escapeAnnotationData('50% of 2\r\nlines: a,b')).toBe('50%25 of 2%0D%0Alines: a,b');
    expect(escapeAnnotationProperty('50% of 2\r\nlines: a,b')).toBe('50%25 of 2%0D%0Alines%3A a%2Cb');
    // `%` first, or `%0A` produced from a newline would itself be re-encoded.
    expect(escapeAnnotationData('%0A')).toBe('%250A');
  });

  it('formats one ::error line with file and title properties', () => {
    expect(
      formatAnnotation({
        level: 'error',
        file: 'models/a,b.onnx',
        title: 'crossrt mismatch: y',
        message: 'line 1\nline 2',
      }),
    ).toBe('::error file=models/a%2Cb.onnx,title=crossrt mismatch%3A y::line 1%0Aline 2');
  });
});

describe('renderGithubAnnotations', () => {
  it('annotates failing cells and baseline regressions, then one summary notice', () => {
    const lines = renderGithubAnnotations(sampleReport()).split('\n');
    // Failing cells of the sample, case by case: a/gpu mismatch, b/wasm load-error, b/gpu shape, d case-error ×2,
    // e/gpu fallback (a warning), f/gpu timeout; then the baseline regression of a/gpu/y; then the notice.
    expect(lines.map((l) => l.slice(0, l.indexOf(' ')))).toEqual([
      '::error',
      '::error',
      '::error',
      '::error',
      '::error',
      '::warning',
      '::error',
      '::error',
      '::notice',
    ]);
    expect(lines.every((l) => !/[\r\n]/.test(l))).toBe(true);
    expect(lines[1]).toBe(
      '::error file=models/b.onnx,title=crossrt load-error%3A b.onnx › y on ort-web%3Awasm::Could not find an implementation for Foo(1) node',
    );
    const mismatch = lines.find((l) => l.includes('mismatch%3A a.onnx'))!;
    expect(mismatch).toContain(
      '::mismatch reason for y on ort-web:webgpu@chromium%0Amax abs error 0.25; max rel error 0.5; cosine similarity 0.98000000; SNR 17.5 dB; ' +
        'allclose mismatches 2/6 (33.3%25); worst element #4: 0.75 vs reference 0.5%0Areference ort-node:cpu, rtol 1e-5 atol 1e-5 (default)',
    );
    expect(lines[7]).toBe(
      '::error file=models/a.onnx,title=crossrt baseline regression%3A a.onnx › y on ort-web%3Awebgpu@chromium::was within tolerance of the golden, now 0.25 off%0Amax abs error vs golden 0.25',
    );
    expect(lines[8]).toBe('::notice title=crossrt run::6 case(s): 0 pass, 4 fail, 1 error, 1 skipped');
  });

  it('links absolute model paths only inside the workspace', () => {
    const report = sampleReport();
    const inside = { ...SAMPLE_CASES.f, model: { ...SAMPLE_CASES.f.model!, path: '/repo/models/f.onnx' } };
    const outside = { ...SAMPLE_CASES.e, model: { ...SAMPLE_CASES.e.model!, path: '/elsewhere/e.onnx' } };
    const lines = renderGithubAnnotations({ ...report, cases: [inside, outside] }, { workspace: '/repo' }).split('\n');
    expect(lines[0]).toMatch(/^::error file=models\/f\.onnx,title=crossrt timeout/);
    expect(lines[1]).toMatch(/^::warning title=crossrt fallback/);
  });

  it('caps the annotations and says how many were left out', () => {
    const lines = renderGithubAnnotations(sampleReport(), { maxAnnotations: 2 }).split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe(
      '::notice title=crossrt run::6 case(s): 0 pass, 4 fail, 1 error, 1 skipped%0A6 more annotation(s) not shown; see the full report',
    );
  });
});
