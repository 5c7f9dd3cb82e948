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
X
    expect(panels(html)).toBe(8);
    const large = renderHtml(sampleReport(), { passingDetailsUpTo: 5 });
    expect(panels(large)).toBe(2);
    expect(large).toContain('metric tables and histograms are shown for failing comparisons only');
  });
});
