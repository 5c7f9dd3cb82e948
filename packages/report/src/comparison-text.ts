import type { Comparison, ErrorHistogram, Metrics, RunOutcome, Tolerance } from '@crossrt/core';
import { num } from './console-reporter.js';

/** `rtol 1e-5 atol 1e-5 (default)`, or the statistical thresholds, or `exact`. */
export function toleranceText(t: Tolerance, exact = false): string {
  if (exact) return 'exact (integer/bool/string)';
  const parts =
    t.check === 'statistical'
      ? [
          t.minCosine !== undefined ? `cosine >= ${num(t.minCosine)}` : '',
          t.minSnrDb !== undefined ? `SNR >= ${num(t.minSnrDb)} dB` : '',
          t.minTop1Agreement !== undefined ? `top-1 >= ${num(t.minTop1Agreement)}` : '',
        ].filter(Boolean)
      : [`rtol ${num(t.rtol)}`, `atol ${num(t.atol)}`];
  if (t.maxUlp !== undefined) parts.push(`ULP <= ${num(t.maxUlp)}`);
  const rules = t.rules && t.rules.length > 0 ? `; ${t.rules.join(' > ')}` : '';
  return `${parts.join(' ')} (${t.source}${rules})`;
}

/** Metric name/value pairs in a fixed order; optional metrics appear only when the report has them. */
export function metricPairs(m: Metrics): [string, string][] {
  const pairs: [string, string][] = [
    ['elements', String(m.elements)],
    ['max abs error', num(m.maxAbsError)],
    ['mean abs error', num(m.meanAbsError)],
    ['max rel error', num(m.maxRelError)],
  ];
  if (m.meanRelError !== undefined) pairs.push(['mean rel error', num(m.meanRelError)]);
  if (m.rmse !== undefined) pairs.push(['RMSE', num(m.rmse)]);
  if (m.cosineSimilarity !== undefined) pairs.push(['cosine similarity', m.cosineSimilarity.toPrecision(8)]);
  // A null SNR means the error energy was zero: identical outputs, infinite SNR.
  if (m.snrDb !== undefined) pairs.push(['SNR', m.snrDb === null ? 'inf (identical)' : `${num(m.snrDb)} dB`]);
  if (m.maxUlp !== undefined) pairs.push(['max ULP', String(m.maxUlp)]);
  pairs.push(['allclose mismatches', `${m.allcloseMismatches}/${m.elements} (${percent(m.mismatchFraction)})`]);
  // Non-finite counts only when there is one: four zero lines on every output would bury the rest.
  const n = m.nonFinite;
  const anyNonFinite = n !== undefined && n.actualNaN + n.referenceNaN + n.actualInf + n.referenceInf > 0;
  if (m.nanInfMismatches > 0 || anyNonFinite) pairs.push(['NaN/Inf mismatches', String(m.nanInfMismatches)]);
  if (n && anyNonFinite)
    pairs.push(
      ['NaN actual/reference', `${n.actualNaN}/${n.referenceNaN}`],
      ['Inf actual/reference', `${n.actualInf}/${n.referenceInf}`],
    );
  if (m.worstIndex >= 0)
    pairs.push([
      'worst element',
      `#${m.worstIndex}: ${valueText(m.worstActual)} vs reference ${valueText(m.worstReference)}`,
    ]);
  if (m.topK)
    pairs.push([
      `top-1 / top-${m.topK.k} agreement`,
      `${percent(m.topK.top1)} / ${percent(m.topK.topKOverlap)} over ${m.topK.rows} rows`,
    ]);
  return pairs;
}

const valueText = (v: number | string | undefined) =>
  v === undefined ? '-' : typeof v === 'number' ? String(v) : JSON.stringify(v);

export function percent(fraction: number): string {
  if (fraction === 0) return '0%';
  const p = fraction * 100;
  return p < 0.01 ? `${p.toExponential(1)}%` : `${Number(p.toPrecision(3))}%`;
}

/** `2^-24..2^-23: 12` lines; `exact: n` first. Empty when the report carries no histogram. */
export function histogramLines(h: ErrorHistogram | undefined): string[] {
  if (!h) return [];
  return [`exact: ${h.zero}`, ...h.bins.map((b) => `[2^${b.log2}, 2^${b.log2 + 1}): ${b.count}`)];
}

/** Multi-line plain text for one comparison: what failed, why, by which rule, with every metric. */
export function comparisonText(c: Comparison): string {
  const lines = [
    `${c.output}${c.inputSet ? ` (${c.inputSet})` : ''} on ${c.target} vs ${c.reference}: ${c.verdict}`,
    `reason: ${c.reason}`,
    `tolerance: ${toleranceText(c.tolerance, c.metrics?.exact)}`,
  ];
  if (c.dtype.actual || c.dtype.reference)
    lines.push(`dtype: ${c.dtype.actual ?? '-'} vs reference ${c.dtype.reference ?? '-'}`);
  if (c.dims.actual || c.dims.reference)
    lines.push(`dims: [${c.dims.actual?.join(',') ?? '-'}] vs reference [${c.dims.reference?.join(',') ?? '-'}]`);
  if (c.metrics) {
    for (const [k, v] of metricPairs(c.metrics)) lines.push(`${k}: ${v}`);
    const hist = histogramLines(c.metrics.histogram);
    if (hist.length > 0) lines.push('|a-r| histogram:', ...hist.map((l) => `  ${l}`));
  }
  return lines.join('\n');
}

/** Terminal colour codes (ORT colours its error log lines) mean nothing in XML, Markdown or HTML. */
export function stripAnsi(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
}

/** Plain text for a target run that failed: status, error, and the host's last log lines. */
export function outcomeFailureText(o: RunOutcome, maxLogLines = 20): string {
  const lines = [`${o.target}: ${o.status}${o.error?.code ? ` (${o.error.code})` : ''}`];
  if (o.error) lines.push(stripAnsi(o.error.message));
  const tail = o.logTail
    .slice(-maxLogLines)
    .map((l) => stripAnsi(l))
    .map((l) => (l.length > 400 ? `${l.slice(0, 399)}…` : l));
  if (tail.length > 0)
    lines.push(`log tail (last ${tail.length} of ${o.logTail.length} lines):`, ...tail.map((l) => `  ${l}`));
  return lines.join('\n');
}
