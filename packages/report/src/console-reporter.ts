import type { CaseResult, Comparison, Report, RunOutcome } from '@crossrt/core';
import { textTable } from './text-table.js';

export const num = (x: number | undefined): string => {
  if (x === undefined) return '-';
  if (x === 0) return '0';
  if (!Number.isFinite(x)) return String(x);
  return Math.abs(x) >= 1e-3 && Math.abs(x) < 1e5 ? Number(x.toPrecision(4)).toString() : x.toExponential(2).replace(/\.?0+e/, 'e');
};

const ms = (x: number) => `${x < 10 ? x.toFixed(1) : Math.round(x)}ms`;

function outcomeLine(o: RunOutcome): string {
  if (o.status !== 'ok') return `${o.target}: ${o.status.toUpperCase()} ${o.error?.message.split('\n')[0] ?? ''}`;
  const placement = o.placement
    ? ` [${o.placement.providers.map((p) => `${p.ep}:${p.nodes}`).join(' ')}${o.placement.source === 'verbose-log' ? ', from ORT log' : ', as requested'}]`
    : '';
  return `${o.target}: ok load ${ms(o.timings?.loadMs ?? 0)} run ${ms(o.timings?.runMs ?? 0)}${placement}`;
}

function comparisonRow(c: Comparison): string[] {
  const m = c.metrics;
  const tol = m?.exact ? "exact" : `rtol ${num(c.tolerance.rtol)} atol ${num(c.tolerance.atol)} (${c.tolerance.source})`;
  return [
    c.inputSet ? `${c.output} @${c.inputSet.replace('test_data_set_', 'set')}` : c.output, c.target, c.reference, c.verdict.toUpperCase() === 'PASS' ? 'pass' : c.verdict.toUpperCase(),
    num(m?.maxAbsError), num(m?.maxRelError), m ? `${m.allcloseMismatches}/${m.elements}` : '-', tol,
  ];
}

export function renderCase(c: CaseResult): string[] {
  const lines: string[] = [];
  const head = c.model
    ? `${c.id}  (ir ${c.model.irVersion}, ${Object.entries(c.model.opsets).map(([d, v]) => `${d} ${v}`).join(', ')}, ${c.model.nodes} nodes, ${c.model.producer || 'unknown producer'})`
    : c.id;
  lines.push(`${c.verdict.toUpperCase()}  ${head}`);
  if (c.skipReason) lines.push(`  skipped: ${c.skipReason}`);
  if (c.conversion) {
    const cv = c.conversion;
    lines.push(`  converted by: ${cv.command}${cv.version ? ` (${cv.version})` : ''}, ${Math.round(cv.durationMs)}ms, exit ${cv.exitCode ?? cv.signal ?? '?'}`);
    if (c.verdict === 'convert-error') for (const l of cv.logTail.slice(-5)) lines.push(`  | ${l}`);
  }
  if (c.error) {
    lines.push(`  error ${c.error.code}: ${c.error.message}`);
    if (c.error.hint) lines.push(`  hint: ${c.error.hint}`);
    return lines;
  }
  for (const i of c.inputs) lines.push(`  input ${i.name} ${i.dtype}[${i.dims.join(',')}] ${i.generator}${i.heuristic ? ` (heuristic: ${i.heuristic})` : ''}`);
  for (const d of c.dims.filter((x) => x.source === 'default')) {
    lines.push(`  guessed dim ${d.input}[${d.axis}]${d.symbol ? ` "${d.symbol}"` : ''} = ${d.value}: ${d.note ?? ''}`);
  }
  for (const o of c.outcomes) lines.push(`  ${outcomeLine(o)}`);
  if (c.comparisons.length > 0) {
    lines.push(...textTable(['output', 'target', 'vs', 'verdict', 'max_abs', 'max_rel', 'mismatch', 'tolerance'], c.comparisons.map(comparisonRow)).map((l) => `  ${l}`));
    for (const cmp of c.comparisons.filter((x) => x.verdict !== 'pass')) lines.push(`  ${cmp.output} on ${cmp.target}: ${cmp.reason}`);
  }
  return lines;
}

export function renderConsole(report: Report): string {
  const t = report.totals;
  const lines = report.cases.flatMap((c) => [...renderCase(c), '']);
  const verdicts = Object.entries(t.verdicts).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
  lines.push(`${t.cases} case(s): ${t.passed} pass, ${t.failed} fail, ${t.errored} error, ${t.skipped} skipped | comparisons: ${verdicts} | reference ${report.settings.reference}, seed ${report.settings.seed}`);
  return lines.join('\n');
}
