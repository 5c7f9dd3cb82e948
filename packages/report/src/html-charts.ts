import type { Comparison, ErrorHistogram, Localization, Report } from '@crossrt/core';
import { num } from './console-reporter.js';
import { targetColumns, type StatusTone } from './target-cells.js';

/** Chart data the page script draws; plain JSON so the HTML carries data, not drawing code. */
export interface OverviewChart {
  labels: string[];
  series: { target: string; counts: number[] }[];
}
export interface HistogramChart {
  labels: string[];
  ranges: string[];
  counts: number[];
  colors: StatusTone[];
  /** Log count axis only when counts span more than 50×: otherwise a log axis makes 1 and 3 look alike. */
  logScale: boolean;
}

/**
 * How the comparisons' max abs errors spread, per target, in decades (`exact`, `1e-8..1e-7`, …).
 * Undefined when no comparison has metrics (nothing to draw, so no empty chart either).
 */
export function overviewChart(report: Report): OverviewChart | undefined {
  const withMetrics = report.cases.flatMap((c) =>
    c.comparisons.filter((x): x is Comparison & { metrics: NonNullable<Comparison['metrics']> } => !!x.metrics),
  );
  if (withMetrics.length === 0) return undefined;
  const decade = (x: number) => Math.floor(Math.log10(x));
  const finite = withMetrics.map((x) => x.metrics.maxAbsError).filter((x) => Number.isFinite(x) && x > 0);
  const lo = finite.length ? Math.min(...finite.map(decade)) : 0;
  const hi = finite.length ? Math.max(...finite.map(decade)) : -1;
  const labels = ['exact', ...Array.from({ length: hi - lo + 1 }, (_, i) => `1e${lo + i}..1e${lo + i + 1}`)];
  const hasNonFinite = withMetrics.some((x) => !Number.isFinite(x.metrics.maxAbsError));
  if (hasNonFinite) labels.push('NaN/Inf');
  const bucket = (x: number) => (x === 0 ? 0 : Number.isFinite(x) ? 1 + decade(x) - lo : labels.length - 1);
  // Series in matrix column order, so colours line up with the table the reader just saw.
  const targets = targetColumns(report).filter((t) => withMetrics.some((x) => x.target === t));
  return {
    labels,
    series: targets.map((target) => {
      const counts = labels.map(() => 0);
      for (const x of withMetrics) if (x.target === target) counts[bucket(x.metrics.maxAbsError)]! += 1;
      return { target, counts };
    }),
  };
}

/**
 * A comparison's log2 error histogram with the gaps between non-empty bins filled, so the x axis is
 * even. Bins wholly at or below atol are `pass`; above it `warn` (rtol may still admit them).
 */
export function histogramChart(h: ErrorHistogram, atol: number): HistogramChart {
  const chart: HistogramChart = {
    labels: ['0'],
    ranges: ['exact match'],
    counts: [h.zero],
    colors: ['pass'],
    logScale: false,
  };
  if (h.bins.length === 0) return chart;
  const byLog = new Map(h.bins.map((b) => [b.log2, b.count]));
  const first = h.bins[0]!.log2;
  const last = h.bins[h.bins.length - 1]!.log2;
  for (let e = first; e <= last; e++) {
    chart.labels.push(`2^${e}`);
    chart.ranges.push(`[2^${e}, 2^${e + 1}) = [${num(2 ** e)}, ${num(2 ** (e + 1))})`);
    chart.counts.push(byLog.get(e) ?? 0);
    chart.colors.push(2 ** (e + 1) <= atol ? 'pass' : 'warn');
  }
  const nonZero = chart.counts.filter((n) => n > 0);
  chart.logScale = Math.max(...nonZero) > 50 * Math.min(...nonZero);
  return chart;
}

/** The localize error-growth curve: max abs error per node in topological order, on a log axis. */
export interface ErrorGrowthChart {
  /** Node index in topological order, as the x labels. */
  labels: string[];
  /** Tooltip titles: `#index name (opType)`. */
  titles: string[];
  /** Value drawn per node: exact zeros at `floor` (a log axis has no 0), unknown or non-finite as null (a gap). */
  values: (number | null)[];
  /** The true max abs error per node, for the tooltip (null when unknown). */
  errors: (number | null)[];
  statuses: string[];
  colors: StatusTone[];
  /** Position of the culprit in the arrays, -1 when localize named none. */
  culprit: number;
  /** The tolerance's atol as a horizontal line; absent when 0 (no place on a log axis). */
  atol?: number;
  floor: number;
}

const GROWTH_TONE: Record<string, StatusTone> = {
  agree: 'pass',
  culprit: 'fail',
  origin: 'fail',
  diverged: 'warn',
  unknown: 'neutral',
};

export function errorGrowthChart(l: Localization): ErrorGrowthChart {
  const nodes = [...l.nodes].sort((a, b) => a.index - b.index);
  const positive = nodes
    .map((n) => n.maxAbsError)
    .filter((x): x is number => x !== undefined && Number.isFinite(x) && x > 0);
  const atol = l.tolerance.atol > 0 ? l.tolerance.atol : undefined;
  // Zeros sit a decade under the smallest value drawn, so they read as "below everything" without a fake number.
  const smallest = Math.min(...positive, ...(atol ? [atol] : []));
  // `1e-N` parsed, not 10 ** -N: V8 gives 10 ** -4 === 0.00009999999999999999.
  const floor = Number.isFinite(smallest) ? Number(`1e${Math.floor(Math.log10(smallest)) - 1}`) : 1e-12;
  return {
    labels: nodes.map((n) => String(n.index)),
    titles: nodes.map((n) => `#${n.index} ${n.name} (${n.opType})`),
    values: nodes.map((n) =>
      n.maxAbsError === undefined || !Number.isFinite(n.maxAbsError)
        ? null
        : n.maxAbsError === 0
          ? floor
          : n.maxAbsError,
    ),
    errors: nodes.map((n) => (n.maxAbsError === undefined || !Number.isFinite(n.maxAbsError) ? null : n.maxAbsError)),
    statuses: nodes.map((n) => n.status),
    colors: nodes.map((n) => GROWTH_TONE[n.status] ?? 'neutral'),
    culprit: l.culprit ? nodes.findIndex((n) => n.index === l.culprit!.index) : -1,
    ...(atol ? { atol } : {}),
    floor,
  };
}
