import type { CaseResult, Comparison, Report, RunOutcome } from '@crossrt/core';
import {
  placementJudgementText,
  placementProviderParts,
  placementSourceText,
  placementWarning,
} from './placement-text.js';
import { quantErrorLines } from './quant-error-view.js';
import { precisionLines } from './precision-view.js';
import { textTable } from './text-table.js';

export const num = (x: number | undefined): string => {
  if (x === undefined) return '-';
  if (x === 0) return '0';
  if (!Number.isFinite(x)) return String(x);
  return Math.abs(x) >= 1e-3 && Math.abs(x) < 1e5
    ? Number(x.toPrecision(4)).toString()
    : x.toExponential(2).replace(/\.?0+e/, 'e');
};

const ms = (x: number) => `${x < 10 ? x.toFixed(1) : Math.round(x)}ms`;

function outcomeLines(o: RunOutcome): string[] {
  if (o.status !== 'ok') return [`${o.target}: ${o.status.toUpperCase()} ${o.error?.message.split('\n')[0] ?? ''}`];
  const placement = o.placement
    ? ` [${placementProviderParts(o.placement).join(' · ')}; ${placementSourceText(o.placement)}]`
    : '';
  const judged = placementJudgementText(o.placement);
  return [
    `${o.target}: ok load ${ms(o.timings?.loadMs ?? 0)} run ${ms(o.timings?.runMs ?? 0)}${placement}${repeatText(o)}`,
    ...(judged ? [`  placement on ${o.target}: ${judged}`] : []),
  ];
}

/** `--repeat`: whether the target gave the same bits every run, and how far it moved when not. */
function repeatText(o: RunOutcome): string {
  const r = o.repeats;
  if (!r) return '';
  if (!r.nondeterministic) return ` · ${r.runs} runs bit-identical`;
  const worst = r.outputs.reduce((a, b) => (b.maxAbsDiff > a.maxAbsDiff ? b : a));
  return ` · NONDETERMINISTIC over ${r.runs} runs: ${worst.output}${worst.inputSet ? ` @${worst.inputSet}` : ''} moves up to ${num(worst.maxAbsDiff)} (${worst.differingRuns}/${r.runs - 1} later runs differ)`;
}

function toleranceText(c: Comparison): string {
  const t = c.tolerance;
  if (c.metrics?.exact) return 'exact';
  const rule = t.rules?.length ? t.rules[t.rules.length - 1] : t.source;
  if (t.check === 'statistical') {
    const parts = [
      t.minCosine !== undefined ? `cos>=${t.minCosine}` : '',
      t.minSnrDb !== undefined ? `snr>=${t.minSnrDb}dB` : '',
      t.minTop1Agreement !== undefined && c.metrics?.topK ? `top1>=${t.minTop1Agreement}` : '',
    ];
    return `${parts.filter(Boolean).join(' ')} (${rule})`;
  }
  return `rtol ${num(t.rtol)} atol ${num(t.atol)} (${rule})`;
}

function comparisonRow(c: Comparison): string[] {
  const m = c.metrics;
  const exact = m?.exact ?? true;
  return [
    c.inputSet ? `${c.output} @${c.inputSet.replace('test_data_set_', 'set')}` : c.output,
    c.target,
    c.reference,
    c.verdict.toUpperCase() === 'PASS' ? 'pass' : c.verdict.toUpperCase(),
    num(m?.maxAbsError),
    num(m?.maxRelError),
    m ? `${m.allcloseMismatches}/${m.elements}` : '-',
    exact || m?.cosineSimilarity === undefined ? '-' : m.cosineSimilarity.toFixed(6),
    exact || m?.snrDb === undefined ? '-' : m.snrDb === null ? 'inf' : m.snrDb.toFixed(1),
    m?.maxUlp === undefined ? '-' : String(m.maxUlp),
    m?.topK ? `${(m.topK.top1 * 100).toFixed(1)}%` : '-',
    toleranceText(c),
  ];
}

/** Log2 bins of |a-r| as `2^e:count`, for comparisons that did not pass. */
function histogramLine(c: Comparison): string | undefined {
  const h = c.metrics?.histogram;
  if (!h || h.bins.length === 0) return undefined;
  return `  ${c.output}${c.inputSet ? ` @${c.inputSet}` : ''} |a-r| histogram: exact ${h.zero}, ${h.bins.map((b) => `[2^${b.log2}) ${b.count}`).join(', ')}`;
}

function comparisonTable(comparisons: readonly Comparison[]): string[] {
  return textTable(
    [
      'output',
      'target',
      'vs',
      'verdict',
      'max_abs',
      'max_rel',
      'mismatch',
      'cosine',
      'snr_db',
      'max_ulp',
      'top1',
      'tolerance',
    ],
    comparisons.map(comparisonRow),
  ).map((l) => `  ${l}`);
}

export function renderCase(c: CaseResult): string[] {
  const lines: string[] = [];
  const head = c.model
    ? `${c.id}  (${[
        // TF.js model.json cases have no IR version or opsets.
        ...(c.model.irVersion > 0 ? [`ir ${c.model.irVersion}`] : []),
        ...Object.entries(c.model.opsets).map(([d, v]) => `${d} ${v}`),
        `${c.model.nodes} nodes`,
        c.model.producer || 'unknown producer',
      ].join(', ')})`
    : c.id;
  lines.push(`${c.verdict.toUpperCase()}  ${head}`);
  if (c.skipReason) lines.push(`  skipped: ${c.skipReason}`);
  if (c.conversion) {
    const cv = c.conversion;
    lines.push(
      `  converted by: ${cv.command}${cv.version ? ` (${cv.version})` : ''}, ${Math.round(cv.durationMs)}ms, exit ${cv.exitCode ?? cv.signal ?? '?'}`,
    );
    if (c.verdict === 'convert-error') for (const l of cv.logTail.slice(-5)) lines.push(`  | ${l}`);
  }
  if (c.referenceCommand) {
    const rc = c.referenceCommand;
    const ended = rc.timedOut ? 'timed out' : rc.signal ? `signal ${rc.signal}` : `exit ${rc.exitCode ?? '?'}`;
    lines.push(
      `  reference command: ${rc.command}, ${Math.round(rc.durationMs)}ms, ${ended}${rc.matching ? `, arrays paired by ${rc.matching}` : ''}`,
    );
    // A failed oracle is the news of the case: show what it printed.
    if (c.error) for (const l of rc.logTail.slice(-5)) lines.push(`  | ${l}`);
  }
  if (c.error) {
    lines.push(`  error ${c.error.code}: ${c.error.message}`);
    if (c.error.hint) lines.push(`  hint: ${c.error.hint}`);
    // Most case errors stop before any target runs; a failed reference command does not, so its targets show.
    if (c.outcomes.length === 0) return lines;
  }
  for (const n of c.notes ?? []) lines.push(`  note: ${n}`);
  const firstSet = c.inputs[0]?.set;
  for (const i of c.inputs) {
    // Later sets repeat the first set's plans; only the special-values set shows its own line.
    if (i.set !== firstSet && i.set !== 'special-values') continue;
    lines.push(
      `  input ${i.name} ${i.dtype}[${i.dims.join(',')}] ${i.generator}${i.heuristic ? ` (heuristic: ${i.heuristic})` : ''}${i.set && i.set !== firstSet ? ` [${i.set}]` : ''}`,
    );
  }
  const sets = [...new Set(c.inputs.map((i) => i.set).filter((x): x is string => x !== undefined))];
  if (sets.length > 1) lines.push(`  input sets: ${sets.join(', ')}`);
  for (const d of c.dims.filter((x) => x.source === 'default')) {
    lines.push(`  guessed dim ${d.input}[${d.axis}]${d.symbol ? ` "${d.symbol}"` : ''} = ${d.value}: ${d.note ?? ''}`);
  }
  for (const o of c.outcomes) lines.push(...outcomeLines(o).map((l) => `  ${l}`));
  if (c.comparisons.length > 0) {
    const special = c.comparisons.filter((x) => x.inputSet === 'special-values');
    const ordinary = c.comparisons.filter((x) => x.inputSet !== 'special-values');
    if (ordinary.length) lines.push(...comparisonTable(ordinary));
    if (special.length)
      lines.push('  special-values set (NaN, ±Inf, -0, subnormals, dtype extremes):', ...comparisonTable(special));
    for (const cmp of c.comparisons.filter((x) => x.verdict !== 'pass')) {
      lines.push(`  ${cmp.output}${cmp.inputSet ? ` @${cmp.inputSet}` : ''} on ${cmp.target}: ${cmp.reason}`);
      const h = histogramLine(cmp);
      if (h) lines.push(h);
    }
  }
  if (c.quantError) lines.push(...quantErrorLines(c.quantError, { top: 5 }).map((l) => `  ${l}`));
  if (c.precision) lines.push(...precisionLines(c.precision, { top: 10 }).map((l) => `  ${l}`));
  return lines;
}

export function renderConsole(report: Report): string {
  const t = report.totals;
  const lines = report.cases.flatMap((c) => [...renderCase(c), '']);
  const verdicts =
    Object.entries(t.verdicts)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ') || 'none';
  // Engines that never prove placement pass with a warning; the summary counts them, so it is not missed.
  const warned = report.cases.flatMap((c) => c.outcomes.filter((o) => placementWarning(o)));
  if (warned.length > 0) {
    const per = [...new Set(warned.map((o) => o.target))].map(
      (t) => `${t} ${warned.filter((o) => o.target === t).length} case(s)`,
    );
    lines.push(`warning: GPU placement unproven (the engine prints no placement log): ${per.join(', ')}`);
  }
  lines.push(
    `${t.cases} case(s): ${t.passed} pass, ${t.failed} fail, ${t.errored} error, ${t.skipped} skipped | comparisons: ${verdicts} | reference ${report.settings.reference}, seed ${report.settings.seed}`,
  );
  return lines.join('\n');
}
