import { describe, expect, it } from 'vitest';
import { sampleReport } from '../test/sample-report.js';
import { renderConsoleSummary } from './console-summary.js';

describe('renderConsoleSummary', () => {
  it('lists the not-all-pass rows of the matrix, the largest discrepancies and the totals', () => {
    const text = renderConsoleSummary(sampleReport(), { topN: 2 });
    expect(text).toContain('case × target (6 of 6 case(s) not all pass):');
    expect(text).toContain('  a.onnx  reference     pass          mismatch');
    expect(text).toContain('  d.onnx  case-error    case-error    case-error');
    expect(text).toMatch(/a\.onnx\s+y\s+ort-web:webgpu@chromium\s+mismatch\s+0\.25\s+0\.5\s+2\/6 \(33\.3%\)/);
    expect(text).toContain('baseline goldens/: unchanged 9, regression 1');
    expect(text.split('\n').at(-1)).toBe(
      '6 case(s): 0 pass, 4 fail, 1 error, 1 skipped | comparisons: pass 5, mismatch 1, shape 1, fallback 1',
    );
  });

  it('colours cells only when asked', () => {
    expect(renderConsoleSummary(sampleReport())).not.toContain('\x1b[');
    expect(renderConsoleSummary(sampleReport(), { color: true })).toContain('\x1b[31mmismatch');
  });
});
