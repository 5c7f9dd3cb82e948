import { describe, expect, it } from 'vitest';
import { sampleReport, SAMPLE_CASES } from '../test/sample-report.js';
import { GITHUB_COMMENT_LIMIT, markdownCell, renderMarkdown } from './markdown-reporter.js';

/** Rows of the Markdown table that follows `heading`, split into trimmed cells. */
function tableAfter(md: string, heading: string): string[][] {
  const lines = md.split('\n');
  const start = lines.findIndex((l) => l.startsWith(heading));
  expect(start).toBeGreaterThanOrEqual(0);
  const rows: string[][] = [];
  for (const l of lines.slice(start + 1)) {
    if (l.startsWith('|'))
      rows.push(
        l
          .slice(1, -1)
          .split(/(?<!\\)\|/)
          .map((c) => c.trim()),
      );
    else if (rows.length > 0) break;
  }
  return rows.slice(2); // header and alignment rows
}

describe('renderMarkdown', () => {
  const md = renderMarkdown(sampleReport());

  it('opens with the verdict and the totals', () => {
    expect(md.split('\n')[0]).toBe('## ❌ crossrt run: 5 of 6 case(s) fail');
    const lines = md.split('\n');
    const totals = lines.findIndex((l) => l.startsWith('| cases |'));
    expect(lines[totals]).toBe('| cases | pass | fail | error | skipped | total |');
    expect(lines[totals + 2]).toBe('|   | 0 | 4 | 1 | 1 | 6 |');
  });

  it('ranks discrepancies: failing first, then by max abs error', () => {
    const rows = tableAfter(md, '### Largest discrepancies');
    expect(rows.map((r) => [r[0], r[1], r[2], r[4], r[5]])).toEqual([
      ['a.onnx', 'y', 'ort-web:webgpu@chromium', '**mismatch**', '0.25'],
      ['e.onnx', 'y', 'ort-web:webgpu@chromium', '**fallback**', '1e-7'],
      ['a.onnx', 'z', 'ort-web:webgpu@chromium', 'pass', '1e-6'],
      ['a.onnx', 'y', 'ort-web:wasm', 'pass', '2e-7'],
      ['e.onnx', 'y', 'ort-web:wasm', 'pass', '1e-7'],
      ['f.onnx', 'y', 'ort-web:wasm', 'pass', '3e-8'],
      ['a.onnx', 'z', 'ort-web:wasm', 'pass', '0'],
    ]);
    expect(rows[0]![7]).toBe('2/6 (33.3%)');
  });

  it('lists every failing cell with its status', () => {
    const rows = tableAfter(md, '### Failing cells');
    // d.onnx's case error is one row for the case, not one per target.
    expect(md).toContain('### Failing cells (6)');
    expect(rows.map((r) => `${r[0]} ${r[1]} ${r[2]} ${r[3]}`)).toEqual([
      'a.onnx ort-web:webgpu@chromium y **mismatch**',
      'b.onnx ort-web:wasm y **load-error**',
      'b.onnx ort-web:webgpu@chromium y **shape**',
      'd.onnx all - **case-error**',
      'e.onnx ort-web:webgpu@chromium y **fallback**',
      'f.onnx ort-web:webgpu@chromium y **timeout**',
    ]);
  });

  it('shows baseline changes and collapses each failing case', () => {
    expect(tableAfter(md, '### Against baseline')).toEqual([['9', '1']]);
    expect(md).toContain(
      '| a.onnx | ort-web:webgpu@chromium | y | **regression** | 0.25 | was within tolerance of the golden, now 0.25 off |',
    );
    expect(md.match(/<details><summary>/g)).toHaveLength(5); // a, b, d, e, f
    expect(md).toContain('<details><summary>d.onnx: error</summary>');
    expect(md).toContain('MODEL_TRUNCATED: model ends inside field 7\nhint: download it again');
  });

  it('escapes what would break a table row or inject HTML', () => {
    expect(markdownCell('a|b\nc<script>')).toBe('a\\|b c&lt;script&gt;');
    const odd = { ...SAMPLE_CASES.b, id: 'models/x|y<b>.onnx' };
    const out = renderMarkdown({ ...sampleReport(), cases: [odd] });
    expect(out).toContain('| models/x\\|y&lt;b&gt;.onnx | ort-web:wasm | y | **load-error** |');
    expect(out).not.toContain('<b>');
  });

  it('stays under the GitHub comment limit with a note when the report is huge', () => {
    const many = Array.from({ length: 3000 }, (_, i) => ({ ...SAMPLE_CASES.a, id: `models/generated_${i}.onnx` }));
    const big = renderMarkdown({ ...sampleReport(), cases: many });
    expect(big.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    expect(big.length).toBeGreaterThan(60000);
    expect(
      big.endsWith(
        '> ✂️ Truncated to fit a GitHub comment; the full report has every row (`crossrt report <report.json> --format html`).',
      ),
    ).toBe(true);
    // Nothing half-written: every <details> that opened also closed.
    expect(big.match(/<details>/g)?.length ?? 0).toBe(big.match(/<\/details>/g)?.length ?? 0);
    const small = renderMarkdown(sampleReport(), { maxChars: 1500 });
    expect(small.length).toBeLessThanOrEqual(1500);
    expect(small).toContain('Truncated to fit');
  });
});
