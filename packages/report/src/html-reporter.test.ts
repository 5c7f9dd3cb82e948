import { describe, expect, it } from 'vitest';
import { sampleReport, SAMPLE_CASES } from '../test/sample-report.js';
import { renderHtml, scriptJson } from './html-reporter.js';

describe('renderHtml', () => {
  const html = renderHtml(sampleReport());

  it('is one file: no external script, style, image or font', () => {
    expect(html).not.toMatch(/<(script|img|iframe)[^>]+src=/i);
    expect(html).not.toMatch(/<link[^>]+href=/i);
    expect(html).not.toMatch(/url\(\s*['"]?(https?:)?\/\//i);
    expect(html).not.toContain('sourceMappingURL');
    expect(html).toContain("default-src 'none'");
    expect(html).toContain('Chart.js v4'); // the inlined library's banner
  });

  it('escapes report text everywhere it lands', () => {
    const evil = { ...SAMPLE_CASES.b, id: 'models/</script><script>alert(1)</script>.onnx' };
    const out = renderHtml({ ...sampleReport(), cases: [evil] });
    expect(out).not.toContain('<script>alert(1)');
    expect(out).toContain('&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;.onnx');
  });

  it('keeps JSON inside <script> from closing the tag', () => {
    expect(scriptJson({ s: '</script>\u2028' })).toBe('{"s":"\\u003c/script>\\u2028"}');
  });

  it('draws a histogram only where the report has one', () => {
    expect(html.match(/data-histogram="/g)).toHaveLength(1);
  });

  it('keeps metric panels for failing comparisons only in large reports', () => {
    const panels = (h: string) => (h.match(/<table class="kv metrics">/g) ?? []).length;
    // Sample: 7 comparisons with metrics (a 4, e 2, f 1; b's shape has none), 2 of them failing (a/gpu/y mismatch, e/gpu/y fallback).
    expect(panels(html)).toBe(7);
    const large = renderHtml(sampleReport(), { passingDetailsUpTo: 5 });
    expect(panels(large)).toBe(2);
    expect(large).toContain('metric tables and histograms are shown for failing comparisons only');
  });
});
