import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { packageFile, type CaseResult, type Comparison, type Report, type RunOutcome } from '@crossrt/core';
import { Eta } from 'eta';
import { caseLabels } from './case-labels.js';
import { histogramLines, metricPairs, percent, stripAnsi, toleranceText } from './comparison-text.js';
import { num } from './console-reporter.js';
import {
  errorGrowthChart,
  histogramChart,
  overviewChart,
  type ErrorGrowthChart,
  type HistogramChart,
} from './html-charts.js';
import { localizationView, reductionView } from './localization-view.js';
import { quantErrorView } from './quant-error-view.js';
import { precisionView } from './precision-view.js';
import { largestDiscrepancies } from './output-cells.js';
import {
  fallbackNodeText,
  placementJudgementText,
  placementProviderParts,
  placementSourceText,
} from './placement-text.js';
import { cellLabel, cellTone, statusTone, targetMatrix, type StatusTone, type TargetCell } from './target-cells.js';

/** Templates, CSS and the page script live beside src/ and dist/, read at render time. */
const TEMPLATE_DIR = packageFile('@crossrt/report', 'templates');

/**
 * Chart.js's UMD build, inlined so the report opens with no network. Its source-map comment is dropped
 * (devtools would try to fetch the map), and `</script` is neutralised in case a later build holds one.
 */
function chartJsSource(): string {
  const require = createRequire(import.meta.url);
  const file = join(dirname(require.resolve('chart.js')), 'chart.umd.min.js');
  return readFileSync(file, 'utf8')
    .replace(/\/\/# sourceMappingURL=\S+\s*$/, '')
    .replace(/<\/script/gi, '<\\/script');
}

/** JSON inside <script>: `<`, U+2028/9 escaped so no string in the report can close the tag. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

const caseAnchor = (i: number) => `case-${i + 1}`;
const ms = (x: number | undefined) => (x === undefined ? '-' : `${x < 10 ? x.toFixed(1) : Math.round(x)} ms`);

function outcomeView(o: RunOutcome) {
  return {
    target: o.target,
    status: o.status,
    tone: statusTone(o.status === 'ok' ? 'pass' : o.status),
    error: o.error ? stripAnsi(`${o.error.code ? `${o.error.code}: ` : ''}${o.error.message}`) : undefined,
    load: ms(o.timings?.loadMs),
    run: ms(o.timings?.runMs),
    wall: ms(o.timings?.wallMs),
    device: o.device
      ? `${o.device.description} · ${o.device.runtime} ${o.device.runtimeVersion}${o.device.threads ? ` · ${o.device.threads} thread(s)` : ''}`
      : '-',
    placement: o.placement ? placementView(o.placement) : undefined,
    logTail: o.logTail.map(stripAnsi),
  };
}

/** Where the nodes ran (classes, weight shares), how it is known, and the verdict it got, with a tone. */
function placementView(p: NonNullable<RunOutcome['placement']>) {
  const j = p.judgement;
  return {
    source: placementSourceText(p),
    providers: placementProviderParts(p).join(' · '),
    fallback: p.fallbackNodes.map(fallbackNodeText),
    fallbackCompute: p.fallbackNodes.filter((n) => n.class !== 'shape').length,
    judgement: j?.reason
      ? {
          text: placementJudgementText(p),
          tone: j.warning ? 'warn' : statusTone(j.verdict),
          label: `placement ${j.verdict}${j.warning ? ' (warning)' : ''}`,
        }
      : undefined,
  };
}

function comparisonView(x: Comparison, chartId: string | undefined) {
  const m = x.metrics;
  return {
    output: x.output,
    inputSet: x.inputSet,
    target: x.target,
    reference: x.reference,
    verdict: x.verdict,
    tone: statusTone(x.verdict),
    reason: x.reason,
    tolerance: toleranceText(x.tolerance, m?.exact),
    maxAbs: num(m?.maxAbsError),
    maxRel: num(m?.maxRelError),
    mismatches: m ? `${m.allcloseMismatches}/${m.elements} (${percent(m.mismatchFraction)})` : '-',
    metrics: m ? metricPairs(m) : [],
    histogramText: histogramLines(m?.histogram).join('\n'),
    chartId,
    dtype: `${x.dtype.actual ?? '-'} / ${x.dtype.reference ?? '-'}`,
    dims: `[${x.dims.actual?.join(',') ?? '-'}] / [${x.dims.reference?.join(',') ?? '-'}]`,
  };
}

interface CaseViewOptions {
  readonly openFailing: boolean;
  readonly passingPanels: boolean;
}

interface CaseCharts {
  readonly histograms: Record<string, HistogramChart>;
  readonly growth: Record<string, ErrorGrowthChart>;
}

function caseView(c: CaseResult, index: number, label: string, charts: CaseCharts, options: CaseViewOptions) {
  const { histograms } = charts;
  const comparisons = c.comparisons.map((x, j) => {
    const panel = x.metrics !== undefined && (x.verdict !== 'pass' || options.passingPanels);
    if (!panel || !x.metrics?.histogram) return { ...comparisonView(x, undefined), panel };
    const id = `h-${index + 1}-${j + 1}`;
    histograms[id] = histogramChart(x.metrics.histogram, x.tolerance.atol);
    return { ...comparisonView(x, id), panel };
  });
  return {
    anchor: caseAnchor(index),
    label,
    id: c.id,
    verdict: c.verdict,
    tone: statusTone(c.verdict === 'fail' ? 'mismatch' : c.verdict === 'error' ? 'case-error' : c.verdict),
    knownTargets: c.knownFailure?.targets ?? [],
    open: options.openFailing && c.verdict !== 'pass' && c.verdict !== 'skipped',
    skipReason: c.skipReason,
    error: c.error,
    model: c.model,
    opsets: c.model
      ? Object.entries(c.model.opsets)
          .map(([d, v]) => `${d} ${v}`)
          .join(', ')
      : '',
    inputs: c.inputs,
    guessedDims: c.dims.filter((d) => d.source === 'default'),
    outcomes: c.outcomes.map(outcomeView),
    comparisons,
    conversion: c.conversion,
    source: c.source,
    baseline: (c.baseline ?? []).map((d) => ({
      ...d,
      tone: baselineTone(d.classification),
      maxAbs: num(d.maxAbsError),
    })),
    localization: c.localization
      ? localizationView(c.localization, growthChartId(index, c.localization, charts.growth))
      : undefined,
    reduction: c.reduction ? reductionView(c.reduction) : undefined,
    quantError: c.quantError ? quantErrorView(c.quantError) : undefined,
    precision: c.precision ? precisionView(c.precision) : undefined,
  };
}

function growthChartId(
  index: number,
  l: NonNullable<CaseResult['localization']>,
  growth: Record<string, ErrorGrowthChart>,
): string {
  const id = `g-${index + 1}`;
  growth[id] = errorGrowthChart(l);
  return id;
}

const isBaselineNews = (cls: string | undefined) => cls === 'regression' || cls === 'drift';
const deltaView = (cls: string | undefined) => (cls ? { delta: cls, deltaTone: baselineTone(cls) } : {});

function baselineTone(cls: string): StatusTone {
  if (cls === 'regression') return 'fail';
  if (cls === 'drift') return 'warn';
  if (cls === 'improvement' || cls === 'unchanged') return 'pass';
  return 'neutral';
}

/** One device line per target: what actually computed (CPU model, WASM threads/SIMD, GPU adapter). */
function deviceRows(report: Report) {
  const seen = new Map<string, RunOutcome>();
  for (const c of report.cases) for (const o of c.outcomes) if (o.device && !seen.has(o.target)) seen.set(o.target, o);
  return [...seen.values()].map((o) => ({
    target: o.target,
    kind: o.device!.kind,
    description: o.device!.description,
    runtime: `${o.device!.runtime} ${o.device!.runtimeVersion}`,
    threads: o.device!.threads ?? '-',
    simd: o.device!.simd === undefined ? '-' : o.device!.simd ? 'yes' : 'no',
    details: Object.entries(o.device!.details)
      .map(([k, v]) => `${k}=${v}`)
      .join(', '),
  }));
}

const rowAllPass = (cells: readonly TargetCell[]) =>
  cells.every((c) => c.status === 'pass' || c.status === 'reference');

/** Each cell label that occurs, with how many cells carry it. */
function legend(cells: readonly TargetCell[]) {
  const counts = new Map<string, { label: string; tone: StatusTone; n: number }>();
  for (const c of cells) {
    const label = cellLabel(c);
    const e = counts.get(label) ?? { label, tone: cellTone(c), n: 0 };
    e.n += 1;
    counts.set(label, e);
  }
  return [...counts.values()];
}

export interface HtmlReportOptions {
  /** Open failing cases' sections (and draw their charts) on load when there are at most this many. Default 20. */
  readonly openFailingUpTo?: number;
  /**
   * Metric tables and histograms of *passing* comparisons too, when the report has at most this many
   * cases (default 200). Past that they would make the file tens of MB; the comparison rows keep the
   * key numbers and the JSON report keeps all of them. Failing comparisons always get theirs.
   */
  readonly passingDetailsUpTo?: number;
}

/** A self-contained HTML report: styles, Chart.js and data inlined; it makes no network request. */
export function renderHtml(report: Report, options: HtmlReportOptions = {}): string {
  const { prefix, label } = caseLabels(report);
  const matrix = targetMatrix(report);
  const failingCount = report.cases.filter((c) => c.verdict !== 'pass' && c.verdict !== 'skipped').length;
  const openFailing = failingCount <= (options.openFailingUpTo ?? 20);
  const histograms: Record<string, HistogramChart> = {};
  const growth: Record<string, ErrorGrowthChart> = {};
  const passingPanels = report.cases.length <= (options.passingDetailsUpTo ?? 200);
  const cases = report.cases.map((c, i) =>
    caseView(c, i, label(c.id), { histograms, growth }, { openFailing, passingPanels }),
  );
  const t = report.totals;
  const bad = t.failed + t.errored + t.convertErrors;
  const overview = overviewChart(report);
  const deltaByCell = new Map<string, string>();
  for (const c of report.cases) {
    for (const d of c.baseline ?? []) {
      if (d.classification === 'unchanged') continue; // the news is what changed; `unchanged` on every cell is noise
      const key = `${c.id}\u0000${d.target}`;
      // The worst change per cell shows in the matrix: regression over drift over the rest.
      const rank = ['regression', 'drift', 'new', 'removed', 'improvement', 'unchanged'];
      const prev = deltaByCell.get(key);
      if (!prev || rank.indexOf(d.classification) < rank.indexOf(prev)) deltaByCell.set(key, d.classification);
    }
  }
  const view = {
    title: `crossrt ${report.command}${report.suite ? ` · ${report.suite.name}` : ''}`,
    report,
    prefix,
    headline:
      bad > 0
        ? { tone: 'fail', text: `${bad} of ${t.cases} case(s) fail` }
        : { tone: 'pass', text: `all ${t.cases - t.skipped} case(s) pass` },
    tolerance: toleranceText(report.settings.tolerance),
    cards: [
      { label: 'cases', n: t.cases, tone: 'neutral' },
      { label: 'pass', n: t.passed, tone: 'pass' },
      { label: 'fail', n: t.failed, tone: 'fail' },
      { label: 'error', n: t.errored, tone: 'error' },
      ...(t.convertErrors ? [{ label: 'convert error', n: t.convertErrors, tone: 'error' }] : []),
      ...(t.knownFailures ? [{ label: 'known failure', n: t.knownFailures, tone: 'warn' }] : []),
      { label: 'skipped', n: t.skipped, tone: 'neutral' },
    ],
    verdictCounts: Object.entries(t.verdicts).map(([k, n]) => ({ k, n, tone: statusTone(k) })),
    outcomeCounts: Object.entries(t.outcomes).map(([k, n]) => ({ k, n, tone: statusTone(k === 'ok' ? 'pass' : k) })),
    matrix: {
      columns: matrix.columns,
      rows: matrix.rows.map((r, i) => ({
        anchor: caseAnchor(i),
        label: label(r.case.id),
        id: r.case.id,
        allPass:
          rowAllPass(r.cells) && !r.cells.some((c) => isBaselineNews(deltaByCell.get(`${r.case.id}\u0000${c.target}`))),
        cells: r.cells.map((c) => ({
          status: c.status,
          label: cellLabel(c),
          tone: cellTone(c),
          detail: c.detail,
          ...deltaView(deltaByCell.get(`${r.case.id}\u0000${c.target}`)),
        })),
      })),
      legend: legend(matrix.rows.flatMap((r) => r.cells)),
      problemRows: matrix.rows.filter(
        (r) =>
          !rowAllPass(r.cells) || r.cells.some((c) => isBaselineNews(deltaByCell.get(`${r.case.id}\u0000${c.target}`))),
      ).length,
    },
    devices: deviceRows(report),
    // Long suites open filtered to the rows worth reading; the checkbox shows the rest.
    problemsOnly: report.cases.length > 50 && matrix.rows.some((r) => !rowAllPass(r.cells)),
    worst: largestDiscrepancies(report, 20).map(({ case: c, comparison: x }) => ({
      anchor: caseAnchor(report.cases.indexOf(c)),
      label: label(c.id),
      ...comparisonView(x, undefined),
    })),
    baseline: report.baseline
      ? {
          ...report.baseline,
          classes: Object.entries(report.baseline.classes).map(([k, n]) => ({ k, n, tone: baselineTone(k) })),
        }
      : undefined,
    hasOverview: overview !== undefined,
    passingPanels,
    cases,
    chartJson: scriptJson({ overview, histograms, growth }),
    assets: {
      css: readFileSync(join(TEMPLATE_DIR, 'report.css'), 'utf8'),
      chartJs: chartJsSource(),
      client: readFileSync(join(TEMPLATE_DIR, 'report-client.js'), 'utf8'),
    },
  };
  const eta = new Eta({ views: TEMPLATE_DIR, autoEscape: true, cache: true });
  return eta.render('./report', view);
}
