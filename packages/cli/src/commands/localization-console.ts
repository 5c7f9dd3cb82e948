import type { CaseResult, Localization, NodeDivergence, Reduction, Report, Tolerance } from '@crossrt/core';

/** Console text for `crossrt localize` / `crossrt reduce` (the JSON report carries everything). */

const fmt = (x: number | undefined) =>
  x === undefined
    ? '-'
    : x === 0
      ? '0'
      : Math.abs(x) >= 1e-3 && Math.abs(x) < 1e4
        ? x.toPrecision(3)
        : x.toExponential(2);
const tol = (t: Tolerance) =>
  t.check === 'statistical' ? `${t.source} (statistical)` : `rtol ${t.rtol} atol ${t.atol} (${t.source})`;
const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));
const BARS = '▁▂▃▄▅▆▇█';

function header(
  c: CaseResult,
  what: 'LOCALIZE' | 'REDUCE',
  l: Pick<Localization, 'mode' | 'reference' | 'actual' | 'tolerance'>,
): string[] {
  const lines = [
    `${what} ${c.id}  (${c.model?.nodes ?? '?'} nodes; ${l.mode === 'source' ? 'source modules' : l.mode} ${l.reference} vs ${l.actual}; ${tol(l.tolerance)})`,
  ];
  for (const i of c.inputs) lines.push(`  input ${i.name} ${i.dtype}[${i.dims.join(',')}] ${i.generator}`);
  for (const o of c.outcomes)
    if (o.status !== 'ok')
      lines.push(`  ${o.target}: ${o.status}${o.error ? `: ${o.error.message.split('\n')[0]}` : ''}`);
  for (const cmp of c.comparisons) {
    lines.push(
      `  final output ${cmp.output}: ${cmp.verdict}${cmp.metrics ? ` max_abs ${fmt(cmp.metrics.maxAbsError)} max_rel ${fmt(cmp.metrics.maxRelError)}` : ''}${cmp.verdict !== 'pass' ? ` (${cmp.reason})` : ''}`,
    );
  }
  return lines;
}

/** A log-scale bar per node: where along the graph the error appears and how it grows. */
export function errorGrowthBars(nodes: readonly NodeDivergence[]): string {
  const errs = nodes.map((n) => n.maxAbsError ?? 0);
  const logs = errs.filter((e) => e > 0).map(Math.log10);
  if (logs.length === 0) return '';
  const lo = Math.min(...logs);
  const hi = Math.max(...logs);
  return errs
    .map((e) =>
      e > 0
        ? BARS[hi === lo ? BARS.length - 1 : Math.round(((Math.log10(e) - lo) / (hi - lo)) * (BARS.length - 1))]!
        : '·',
    )
    .join('');
}

export function renderLocalization(report: Report, options: { allNodes: boolean; quiet: boolean }): string {
  const c = report.cases[0];
  if (!c) return 'no case';
  if (c.error) return `ERROR ${c.id}: ${c.error.code}: ${c.error.message}`;
  const l = c.localization;
  if (!l)
    return header(c, 'LOCALIZE', {
      mode: 'targets',
      reference: report.settings.reference,
      actual: '?',
      tolerance: report.settings.tolerance,
    }).join('\n');
  return renderCaseLocalization(c, l, options);
}

/** One case's localization: culprit, the diverging part of the per-node (or per-module) table, growth bars. */
export function renderCaseLocalization(
  c: CaseResult,
  l: Localization,
  options: { allNodes: boolean; quiet: boolean },
): string {
  const lines = header(c, 'LOCALIZE', l);
  if (l.coverage) lines.push(`  modules paired with ONNX tensors: ${l.coverage.matched}/${l.coverage.total}`);
  lines.push(
    l.culprit
      ? `  CULPRIT #${l.culprit.index} ${l.culprit.node} (${l.culprit.opType}): ${l.culprit.reason}`
      : `  no culprit: every ${l.mode === 'source' ? 'paired module output' : 'exposed tensor'} agrees within tolerance`,
  );
  if (l.otherOrigins.length) lines.push(`  further independent origin(s): ${l.otherOrigins.join(', ')}`);
  if (!options.quiet && (options.allNodes || l.nodes.some((n) => n.status !== 'agree'))) {
    const shown = options.allNodes ? l.nodes : neighbourhood(l.nodes);
    const opWidth = Math.max(14, ...shown.map((n) => n.opType.length + 2));
    lines.push(
      `  ${pad('#', 5)}${pad(l.mode === 'source' ? 'module' : 'node', 44)}${pad('op', opWidth)}${pad('status', 10)}${pad('max_abs', 10)}${pad('max_rel', 10)}mismatch`,
    );
    let last = -1;
    for (const n of shown) {
      if (n.index > last + 1)
        lines.push(`  ... ${n.index - last - 1} agreeing ${l.mode === 'source' ? 'module call' : 'node'}(s)`);
      last = n.index;
      const mism = n.outputs
        .map((o) =>
          o.verdict === 'unavailable'
            ? 'n/a'
            : o.mismatches !== undefined
              ? `${o.mismatches}/${o.elements}`
              : o.verdict,
        )
        .join(' ');
      const flag = n.controlFlow ? ' [subgraph as one unit]' : '';
      lines.push(
        `  ${pad(String(n.index), 5)}${pad(n.name.length > 42 ? `…${n.name.slice(-41)}` : n.name, 44)}${pad(n.opType, opWidth)}${pad(n.status, 10)}${pad(fmt(n.maxAbsError), 10)}${pad(fmt(n.maxRelError), 10)}${mism}${flag}`,
      );
      if (n.parameterDiffs?.length) lines.push(`       variant changes: ${n.parameterDiffs.join('; ')}`);
      if (n.fusedModules?.length && n.status !== 'agree')
        lines.push(`       folded into it by the exporter: ${n.fusedModules.join(', ')}`);
    }
    if (last < l.nodes.length - 1)
      lines.push(`  ... ${l.nodes.length - 1 - last} agreeing ${l.mode === 'source' ? 'module call' : 'node'}(s)`);
  }
  if (!options.quiet) {
    const bars = errorGrowthBars(l.nodes);
    if (bars)
      lines.push(`  error growth (max abs per ${l.mode === 'source' ? 'module' : 'node'}, log scale, · = 0): ${bars}`);
  }
  for (const note of l.notes) lines.push(`  note: ${note}`);
  lines.push(`  ${l.exposedTensors} tensor(s) exposed in ${l.chunks} chunk(s), ${l.runs} target run(s)`);
  return lines.join('\n');
}

/** Diverging nodes, plus the two agreeing nodes before the culprit; capped so huge graphs stay readable. */
function neighbourhood(nodes: readonly NodeDivergence[], cap = 40): NodeDivergence[] {
  const culprit = nodes.findIndex((n) => n.status === 'culprit');
  const keep = nodes.filter((n, i) => n.status !== 'agree' || (culprit >= 0 && i >= culprit - 2 && i < culprit));
  return keep.length > cap ? [...keep.slice(0, cap - 5), ...keep.slice(-5)] : keep;
}

export function renderReduction(report: Report, options: { quiet: boolean }): string {
  const c = report.cases[0];
  if (!c) return 'no case';
  if (c.error) return `ERROR ${c.id}: ${c.error.code}: ${c.error.message}`;
  const r: Reduction | undefined = c.reduction;
  if (!r) {
    return [
      ...header(c, 'REDUCE', {
        mode: 'targets',
        reference: report.settings.reference,
        actual: report.settings.targets.at(-1) ?? '?',
        tolerance: report.settings.tolerance,
      }),
      '  nothing to reduce: every output agrees within tolerance',
    ].join('\n');
  }
  const lines = header(c, 'REDUCE', r);
  lines.push(
    r.failure
      ? `  reproducing: ${r.actual} ${r.failure.status} while ${r.reference} runs (${r.failure.message})`
      : `  reproducing: ${r.verdict} on ${r.originalOutput}`,
  );
  lines.push(`  nodes before: ${r.nodesBefore}  after: ${r.nodesAfter}  (${r.runs} target runs)`);
  if (!options.quiet) {
    for (const n of r.nodes.slice(0, 30)) lines.push(`    kept ${n.name} (${n.opType})`);
    if (r.nodes.length > 30) lines.push(`    ... ${r.nodes.length - 30} more`);
    for (const i of r.inputs)
      lines.push(
        `    input ${i.name} ${i.dtype}[${i.dims.join(',')}]${i.captured ? ` (captured on ${r.reference})` : ''}`,
      );
  }
  lines.push(
    r.failure
      ? `  reduced model still fails on ${r.actual}: ${r.reason}`
      : `  reduced output ${r.output}: ${r.verdict}: ${r.reason}`,
  );
  for (const note of r.notes) lines.push(`  note: ${note}`);
  for (const f of r.files) lines.push(`  wrote ${f}`);
  const dir = r.files[0]?.replace(/\/model\.onnx$/, '');
  if (dir && r.mode === 'targets') {
    lines.push(
      `  re-run: crossrt run ${dir}/model.onnx --input ${dir}/inputs.npz --targets ${r.reference},${r.actual} --rtol ${r.tolerance.rtol} --atol ${r.tolerance.atol}`,
    );
  }
  return lines.join('\n');
}
