import { LocalizationSchema, type Localization } from '@crossrt/core';
import { describe, expect, it } from 'vitest';
import { sampleReport, SAMPLE_CASES } from '../test/sample-report.js';
import { errorGrowthChart } from './html-charts.js';
import { renderHtml } from './html-reporter.js';
import { NODE_TABLE_OPEN_UP_TO } from './localization-view.js';

/** A hand-built localization of `n` nodes: exact before `culprit`, 10× growth from it, node 1 not compared. */
function localization(n: number, culprit: number, atol = 1e-5): Localization {
  return LocalizationSchema.parse({
    mode: 'targets',
    reference: 'ort-node:cpu',
    actual: 'ort-web:wasm',
    tolerance: { rtol: 1e-5, atol, source: 'cli' },
    exposedTensors: n,
    chunks: 1,
    runs: 2,
    culprit: {
      node: `n${culprit}`,
      index: culprit,
      opType: 'Conv',
      outputs: [`t${culprit}`],
      reason: 'its inputs agree exactly',
    },
    // listed out of order on purpose: the chart follows `index`, not array order
    nodes: Array.from({ length: n }, (_, i) => n - 1 - i).map((i) => ({
      index: i,
      name: `n${i}`,
      opType: i === culprit ? 'Conv' : 'Relu',
      status: i === 1 ? 'unknown' : i < culprit ? 'agree' : i === culprit ? 'culprit' : 'diverged',
      outputs: [
        {
          tensor: `t${i}`,
          verdict: i === 1 ? 'unavailable' : i < culprit ? 'pass' : 'mismatch',
          ...(i === 1 ? { reason: 'not produced' } : {}),
        },
      ],
      ...(i === 1 ? {} : { maxAbsError: i < culprit ? 0 : [1e-4, 1e-3, 1e-2, 1e-1][i - culprit] }),
    })),
  });
}

describe('errorGrowthChart', () => {
  it('orders by node index, puts zeros a decade under the smallest value, leaves unknown as a gap', () => {
    const g = errorGrowthChart(localization(6, 3));
    expect(g.labels).toEqual(['0', '1', '2', '3', '4', '5']);
    expect(g.culprit).toBe(3);
    // smallest drawn: atol 1e-5 (errors start at 1e-4), so the floor is 1e-6
    expect(g.floor).toBe(1e-6);
    expect(g.values).toEqual([1e-6, null, 1e-6, 1e-4, 1e-3, 1e-2]);
    expect(g.errors).toEqual([0, null, 0, 1e-4, 1e-3, 1e-2]);
    expect(g.colors).toEqual(['pass', 'neutral', 'pass', 'fail', 'warn', 'warn']);
    expect(g.atol).toBe(1e-5);
  });
  it('draws no tolerance line for atol 0 (a log axis has no 0)', () => {
    expect(errorGrowthChart(localization(4, 2, 0)).atol).toBeUndefined();
  });
});

describe('localization in the HTML report', () => {
  const render = (n: number) =>
    renderHtml({ ...sampleReport(), cases: [{ ...SAMPLE_CASES.a, localization: localization(n, 2) }] });
  it(`opens the node table up to ${NODE_TABLE_OPEN_UP_TO} nodes and collapses it past that`, () => {
    expect(render(NODE_TABLE_OPEN_UP_TO)).toContain('<details class="nodes" open>');
    const long = render(NODE_TABLE_OPEN_UP_TO + 10);
    expect(long).toContain('<details class="nodes">');
    expect(long.match(/<tr class="status-/g)).toHaveLength(NODE_TABLE_OPEN_UP_TO + 10);
  });
  it('says so when localize named no culprit', () => {
    const l = { ...localization(4, 2), culprit: null };
    const html = renderHtml({ ...sampleReport(), cases: [{ ...SAMPLE_CASES.a, localization: l }] });
    expect(html).toContain('no node diverges while its inputs agree');
  });
});
