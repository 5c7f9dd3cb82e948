import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { sampleReport, SAMPLE_CASES } from '../test/sample-report.js';
import { renderJunit } from './junit-reporter.js';

interface TestCase {
  classname: string;
  name: string;
  failure?: { type: string; message: string; '#text': string };
  error?: { type: string; message: string; '#text': string };
  skipped?: { message: string };
}
interface Suite {
  name: string;
  tests: string;
  failures: string;
  errors: string;
  skipped: string;
  testcase: TestCase[];
}

function parse(xml: string): { suites: Suite[]; root: Record<string, string> } {
  expect(XMLValidator.validate(xml)).toBe(true);
  const doc = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    isArray: (name) => name === 'testsuite' || name === 'testcase',
  }).parse(xml);
  return { suites: doc.testsuites.testsuite as Suite[], root: doc.testsuites };
}

describe('renderJunit', () => {
  it('writes one testcase per case × judged target × output, classified as JUnit expects', () => {
    const { suites, root } = parse(renderJunit(sampleReport()));
    // Judged targets: wasm and webgpu (cpu is the reference). Outputs: a 2, b 1, c ?, d ?, e 1, f 1
    // (c and d never got far enough to know theirs: one testcase each) => 2 × (2+1+1+1+1+1) = 14.
    expect(suites.map((s) => s.name)).toEqual(['ort-web:wasm', 'ort-web:webgpu@chromium']);
    expect(root['tests']).toBe('14');
    const all = suites.flatMap((s) => s.testcase.map((t) => ({ ...t, suite: s.name })));
    expect(all).toHaveLength(14);
    const kind = (t: TestCase) =>
      t.failure ? `failure:${t.failure.type}` : t.error ? `error:${t.error.type}` : t.skipped ? 'skipped' : 'passed';
    const got = Object.fromEntries(all.map((t) => [`${t.classname}|${t.name}|${t.suite}`, kind(t)]));
    expect(got).toEqual({
      'models/a.onnx|y|ort-web:wasm': 'passed',
      'models/a.onnx|z|ort-web:wasm': 'passed',
      'models/b.onnx|y|ort-web:wasm': 'error:load-error',
      'models/c.onnx|(outputs unknown)|ort-web:wasm': 'skipped',
      'models/d.onnx|(outputs unknown)|ort-web:wasm': 'error:case-error',
      'models/e.onnx|y|ort-web:wasm': 'passed',
      'models/f.onnx|y|ort-web:wasm': 'passed',
      'models/a.onnx|y|ort-web:webgpu@chromium': 'failure:mismatch',
      'models/a.onnx|z|ort-web:webgpu@chromium': 'passed',
      'models/b.onnx|y|ort-web:webgpu@chromium': 'failure:shape',
      'models/c.onnx|(outputs unknown)|ort-web:webgpu@chromium': 'skipped',
      'models/d.onnx|(outputs unknown)|ort-web:webgpu@chromium': 'error:case-error',
      'models/e.onnx|y|ort-web:webgpu@chromium': 'failure:fallback',
      'models/f.onnx|y|ort-web:webgpu@chromium': 'error:timeout',
    });
    expect([root['failures'], root['errors'], root['skipped']]).toEqual(['3', '4', '2']);
    expect(suites.map((s) => [s.tests, s.failures, s.errors, s.skipped])).toEqual([
      ['7', '0', '2', '1'],
      ['7', '3', '2', '1'],
    ]);
  });

  it('puts the reason, tolerance and metrics in the failure text', () => {
    const { suites } = parse(renderJunit(sampleReport()));
    const mismatch = suites[1]!.testcase.find((t) => t.classname === 'models/a.onnx' && t.name === 'y')!.failure!;
    expect(mismatch.message).toBe('mismatch: mismatch reason for y on ort-web:webgpu@chromium');
    const body = mismatch['#text'];
    for (const line of [
      'tolerance: rtol 1e-5 atol 1e-5 (default)',
      'max abs error: 0.25',
      'allclose mismatches: 2/6 (33.3%)',
      'cosine similarity: 0.98000000',
      'SNR: 17.5 dB',
      'worst element: #4: 0.75 vs reference 0.5',
      '[2^-20, 2^-19): 3',
      '[2^-3, 2^-2): 2',
      'exact: 1',
    ]) {
      expect(body).toContain(line);
    }
    const timeout = suites[1]!.testcase.find((t) => t.classname === 'models/f.onnx')!.error!;
    expect(timeout['#text']).toContain('run exceeded 120 s');
    expect(timeout['#text']).toContain('last host line');
  });

  it('stays well-formed whatever the case ids and messages contain', () => {
    const nasty = 'a<b>&"c\' ]]> \u0001\u001b[31m end';
    const report = sampleReport();
    const b = {
      ...SAMPLE_CASES.b,
      id: `models/${nasty}.onnx`,
      outcomes: SAMPLE_CASES.b.outcomes.map((o) => (o.error ? { ...o, error: { message: nasty } } : o)),
    };
    const xml = renderJunit({ ...report, cases: [b] });
    const { suites } = parse(xml);
    const err = suites[0]!.testcase[0]!.error!;
    // XML 1.0 cannot carry U+0001 or ESC at all: they become U+FFFD; everything else survives.
    expect(suites[0]!.testcase[0]!.classname).toBe('models/a<b>&"c\' ]]> \uFFFD\uFFFD[31m end.onnx');
    // In the failure text a terminal colour code is dropped whole, as noise.
    expect(err['#text']).toContain('a<b>&"c\' ]]> \uFFFD end');
  });

  it('reports a listed known failure as skipped, not failed', () => {
    const a = {
      ...SAMPLE_CASES.a,
      verdict: 'known-failure' as const,
      knownFailure: { targets: ['ort-web:webgpu@chromium'], nowPassing: [] },
    };
    const { suites } = parse(renderJunit({ ...sampleReport(), cases: [a] }));
    const y = suites[1]!.testcase.find((t) => t.name === 'y')!;
    expect(y.failure).toBeUndefined();
    expect(y.skipped!.message).toBe('known failure: mismatch: mismatch reason for y on ort-web:webgpu@chromium');
  });
});
