import { describe, expect, it } from 'vitest';
import { sampleReport, SAMPLE_CASES } from '../test/sample-report.js';
import { histogramChart, overviewChart } from './html-charts.js';

describe('histogramChart', () => {
  it('fills the gaps between bins so the axis is even, and colours by atol', () => {
    const h = histogramChart(
      {
        zero: 1,
        bins: [
          { log2: -20, count: 3 },
          { log2: -17, count: 2 },
        ],
      },
      2 ** -18,
    );
    expect(h.labels).toEqual(['0', '2^-20', '2^-19', '2^-18', '2^-17']);
    expect(h.counts).toEqual([1, 3, 0, 0, 2]);
    // [2^-20, 2^-19) and [2^-19, 2^-18) lie within atol = 2^-18; [2^-18, 2^-17) and above do not.
    expect(h.colors).toEqual(['pass', 'pass', 'pass', 'warn', 'warn']);
    expect(h.logScale).toBe(false);
  });

  it('switches to a log count axis when counts span more than 50×', () => {
    expect(histogramChart({ zero: 5000, bins: [{ log2: -24, count: 7 }] }, 1e-5).logScale).toBe(true);
    expect(
      histogramChart(
        {
          zero: 0,
          bins: [
            { log2: -24, count: 7 },
            { log2: -23, count: 350 },
          ],
        },
        1e-5,
      ).logScale,
    ).toBe(false);
  });

  it('draws only the exact bin when every element matched', () => {
    expect(histogramChart({ zero: 60, bins: [] }, 1e-7)).toEqual({
      labels: ['0'],
      ranges: ['exact match'],
      counts: [60],
      colors: ['pass'],
      logScale: false,
    });
  });
});

describe('overviewChart', () => {
  it('counts comparisons per target by decade of max abs error', () => {
    const o = overviewChart(sampleReport())!;
    // wasm: a/y 2e-7, a/z 0, e/y 1e-7, f/y 3e-8; gpu: a/y 0.25, a/z 1e-6, e/y 1e-7 (b/gpu shape has no metrics).
    expect(o.labels).toEqual([
      'exact',
      '1e-8..1e-7',
      '1e-7..1e-6',
      '1e-6..1e-5',
      '1e-5..1e-4',
      '1e-4..1e-3',
      '1e-3..1e-2',
      '1e-2..1e-1',
      '1e-1..1e0',
    ]);
    expect(o.series).toEqual([
      { target: 'ort-web:wasm', counts: [1, 1, 2, 0, 0, 0, 0, 0, 0] },
      { target: 'ort-web:webgpu@chromium', counts: [0, 0, 1, 1, 0, 0, 0, 0, 1] },
    ]);
  });

  it('has nothing to draw when no comparison carries metrics', () => {
    expect(overviewChart({ ...sampleReport(), cases: [SAMPLE_CASES.c, SAMPLE_CASES.d] })).toBeUndefined();
  });
});
