import type { BlockedNode, PolicyCheck, PrecisionSearch } from '@crossrt/core';
import { textTable } from './text-table.js';

/** The precision part of a case (`crossrt precision`): console lines and the HTML view. */

const valueText = (c: PolicyCheck): string => {
  if (c.value === null) return '-inf';
  if (c.criterion === 'snr') return `${c.value.toFixed(1)} dB`;
  if (c.criterion === 'allclose') return `${c.value.toPrecision(3)}× tol`;
  return c.value.toFixed(6);
};
const marginText = (c: PolicyCheck): string =>
  c.margin === null
    ? '-inf'
    : `${c.margin >= 0 ? '+' : ''}${c.criterion === 'snr' ? c.margin.toFixed(1) : c.margin.toPrecision(3)}`;

/** The worst check per target, output and criterion: one row each. */
function checkRows(checks: readonly PolicyCheck[]): PolicyCheck[] {
  const worst = new Map<string, PolicyCheck>();
  for (const c of checks) {
    const k = `${c.target}\u0000${c.output}\u0000${c.criterion}`;
    const prev = worst.get(k);
    if (!prev || (c.margin ?? -Infinity) < (prev.margin ?? -Infinity)) worst.set(k, c);
  }
  return [...worst.values()];
}

function nodeRow(n: BlockedNode): string[] {
  return [
    n.node,
    n.opType,
    n.graph || 'main',
    n.reason,
    n.errorGrowthDb === undefined ? '-' : n.errorGrowthDb.toFixed(1),
    n.why ?? '',
  ];
}

export function precisionHeadline(p: PrecisionSearch): string {
  if (p.mode === 'check')
    return `precision fp16 check: the block-list of ${p.blockList.length} float32 node(s) ${p.met ? 'meets' : 'MISSES'} the policy on ${p.targets.join(', ') || 'no target'}`;
  if (!p.met)
    return `precision fp16: NOT MET on ${p.targets.join(', ') || 'no target'} after ${p.trials.length} trial(s)`;
  return `precision fp16: ${p.blockList.length} node(s) kept in float32${p.minimal ? ' (1-minimal)' : ' (not proven minimal: budget)'} of ${p.nodes.candidates} candidate(s), policy met on ${p.targets.join(', ')}`;
}

export function precisionLines(p: PrecisionSearch, options: { top?: number } = {}): string[] {
  const top = options.top ?? 25;
  const checks = (label: string, cs: readonly PolicyCheck[]) =>
    cs.length === 0
      ? []
      : [
          `${label}:`,
          ...textTable(
            ['target', 'output', 'criterion', 'value', 'threshold', 'margin', ''],
            checkRows(cs).map((c) => [
              c.target,
              c.output,
              c.criterion,
              valueText(c),
              String(c.threshold),
              marginText(c),
              c.pass ? 'pass' : 'FAIL',
            ]),
          ).map((l) => `  ${l}`),
        ];
  const lines = [
    precisionHeadline(p),
    `nodes ${p.nodes.total} (${p.nodes.float} float, ${p.nodes.candidates} candidates) · ${p.trials.length} trial(s), ${p.runs} run(s), ${p.seconds.toFixed(1)} s · ${p.castsInserted} Cast(s) inserted · IO types ${p.keepIoTypes ? 'kept float32' : 'float16'}`,
    ...checks('all-fp16 against float32 (before)', p.before),
    ...checks('mixed model against float32 (after)', p.after),
  ];
  if (p.blockList.length) {
    const shown = p.blockList.slice(0, top);
    lines.push(
      `block-list (${p.blockList.length}):`,
      ...textTable(['node', 'op', 'graph', 'reason', 'growth_db', 'why'], shown.map(nodeRow)).map((l) => `  ${l}`),
    );
    if (p.blockList.length > top)
      lines.push(`  … ${p.blockList.length - top} more in the JSON report / block-list file`);
  }
  if (p.defaultFp32.length)
    lines.push(
      `${p.defaultFp32.length} node(s) float32 by the default op list (${[...new Set(p.defaultFp32.map((n) => n.opType))].join(', ')})`,
    );
  for (const u of p.unsupportedTargets) lines.push(`target ${u.target} left the search: ${u.reason}`);
  if (p.overflowTensors.length)
    lines.push(
      `${p.overflowTensors.length} activation(s) beyond ±65504 in float32: ${p.overflowTensors
        .slice(0, 5)
        .map((t) => `${t.tensor} (max ${t.maxAbs.toPrecision(3)}, ${t.producer})`)
        .join(', ')}`,
    );
  if (p.outOfRangeWeights.length)
    lines.push(
      `${p.outOfRangeWeights.length} weight(s) clamped to the float16 range: ${p.outOfRangeWeights
        .slice(0, 5)
        .map((w) => `${w.tensor} (${w.overflow} over, ${w.underflow} under)`)
        .join(', ')}`,
    );
  if (p.files?.model) lines.push(`mixed model written to ${p.files.model}`);
  if (p.files?.blockList) lines.push(`block-list written to ${p.files.blockList}`);
  return lines;
}

export function precisionView(p: PrecisionSearch) {
  const check = (c: PolicyCheck) => ({
    ...c,
    valueText: valueText(c),
    marginText: marginText(c),
    tone: c.pass ? 'pass' : 'fail',
  });
  return {
    headline: precisionHeadline(p),
    tone: p.met ? 'pass' : 'fail',
    policy: p.policy,
    targets: p.targets.join(', '),
    keepIo: p.keepIoTypes,
    nodes: p.nodes,
    trials: p.trials.map((t, i) => ({
      ...t,
      index: i + 1,
      tone: t.pass ? 'pass' : 'fail',
      marginText: t.worstMargin === null ? '-inf / did not run' : t.worstMargin.toPrecision(3),
    })),
    runs: p.runs,
    seconds: p.seconds.toFixed(1),
    casts: p.castsInserted,
    minimal: p.minimal,
    before: checkRows(p.before).map(check),
    after: checkRows(p.after).map(check),
    blockList: p.blockList.map((n) => ({
      ...n,
      growth: n.errorGrowthDb === undefined ? '-' : n.errorGrowthDb.toFixed(1),
      graphText: n.graph || 'main',
    })),
    defaultOps: [...new Set(p.defaultFp32.map((n) => n.opType))].join(', '),
    defaultCount: p.defaultFp32.length,
    unsupported: p.unsupportedTargets,
    overflow: p.overflowTensors,
    outOfRange: p.outOfRangeWeights,
    files: p.files,
    notes: p.notes,
  };
}
