import {
  conformanceCaseKey,
  conformanceCell,
  CONFORMANCE_CELLS,
  knownFailureMatches,
  type ConformanceCell,
  type KnownFailuresFile,
  type Report,
} from '@crossrt/core';
import { placementWarning } from './placement-text.js';
import { textTable } from './text-table.js';

/**
 * The case × target matrix of a conformance run (ONNX backend test cases against their expected
 * outputs), with totals per suite and target, the op types behind failures, and known failures
 * applied. A pure view of a Report: any saved report rebuilds the same matrix.
 */
export interface MatrixCell {
  readonly cell: ConformanceCell;
  readonly detail: string;
  /** The known-failures reason when the case is listed for this target. */
  readonly known?: string;
  /** Set when crossrt itself could not read the case (its error code): an input problem, not a target's. */
  readonly caseError?: string;
  /** A GPU run on an engine that never prints its placement: the cell passes with this warning. */
  readonly placementWarning?: string;
}

export interface MatrixRow {
  readonly id: string;
  readonly suite: string;
  readonly name: string;
  readonly opTypes: readonly string[];
  readonly cells: Readonly<Record<string, MatrixCell>>;
}

export type CellCounts = Record<ConformanceCell, number>;

export interface SuiteTotals {
  readonly suite: string;
  readonly target: string;
  readonly cases: number;
  readonly counts: CellCounts;
}

export interface KnownFailureSummary {
  readonly target: string;
  /** Whether a known-failures file was given for this target. */
  readonly listed: boolean;
  /** Failures not in the list: these fail CI. */
  readonly newFailures: readonly { id: string; cell: ConformanceCell; detail: string; caseError?: string }[];
  readonly stillFailing: number;
  /** Listed cases that now pass: remove them from the list. */
  readonly nowPassing: readonly { id: string; reason: string }[];
}

export interface ConformanceMatrix {
  readonly targets: readonly string[];
  readonly suites: readonly string[];
  readonly rows: readonly MatrixRow[];
  /** Per suite and target, then `all` suites per target. */
  readonly totals: readonly SuiteTotals[];
  /** Per target: op types of the failing cases, most failures first. */
  readonly failureOps: Readonly<Record<string, readonly { opType: string; count: number }[]>>;
  readonly known: readonly KnownFailureSummary[];
  /** Failures not covered by a known-failures entry, over all targets. */
  readonly newFailures: number;
  /** Cases crossrt could not read (bad model or test data) that no entry covers. */
  readonly newCaseErrors: number;
}

// A GPU target that ran compute on the CPU, or whose placement is unproven, is a finding like a
// mismatch: never a quiet pass.
const FAILING: ReadonlySet<ConformanceCell> = new Set(['mismatch', 'load-error', 'run-error', 'fallback', 'unproven']);
const emptyCounts = (): CellCounts => Object.fromEntries(CONFORMANCE_CELLS.map((c) => [c, 0])) as CellCounts;

export function buildConformanceMatrix(
  report: Report,
  knownFailures: readonly KnownFailuresFile[] = [],
): ConformanceMatrix {
  const targets = report.settings.targets;
  const lists = new Map(knownFailures.map((f) => [f.target, f]));
  const rows: MatrixRow[] = report.cases.map((c) => {
    const { suite, name } = conformanceCaseKey(c.id);
    const cells: Record<string, MatrixCell> = {};
    for (const t of targets) {
      const entry = lists.get(t)?.failures.find((e) => knownFailureMatches(e, c.id));
      const warning = placementWarning(c.outcomes.find((o) => o.target === t));
      cells[t] = {
        ...conformanceCell(c, t),
        ...(entry ? { known: entry.reason } : {}),
        ...(c.error ? { caseError: c.error.code } : {}),
        ...(warning ? { placementWarning: warning } : {}),
      };
    }
    return { id: c.id, suite, name, opTypes: c.model?.opTypes ?? [], cells };
  });
  const suites = [...new Set(rows.map((r) => r.suite))];
  const totals: SuiteTotals[] = [];
  for (const suite of [...suites, 'all']) {
    const mine = suite === 'all' ? rows : rows.filter((r) => r.suite === suite);
    if (suite === 'all' && suites.length < 2) continue;
    for (const target of targets) {
      const counts = emptyCounts();
      for (const r of mine) counts[r.cells[target]!.cell]++;
      totals.push({ suite, target, cases: mine.length, counts });
    }
  }
  const failureOps: Record<string, { opType: string; count: number }[]> = {};
  const known: KnownFailureSummary[] = [];
  let newFailures = 0;
  for (const target of targets) {
    const ops = new Map<string, number>();
    const fresh: KnownFailureSummary['newFailures'][number][] = [];
    const nowPassing: KnownFailureSummary['nowPassing'][number][] = [];
    let stillFailing = 0;
    for (const r of rows) {
      const cell = r.cells[target]!;
      if (FAILING.has(cell.cell)) {
        for (const op of r.opTypes) ops.set(op, (ops.get(op) ?? 0) + 1);
        if (cell.known !== undefined) stillFailing++;
        else
          fresh.push({
            id: r.id,
            cell: cell.cell,
            detail: cell.detail,
            ...(cell.caseError ? { caseError: cell.caseError } : {}),
          });
      } else if (cell.cell === 'pass' && cell.known !== undefined) nowPassing.push({ id: r.id, reason: cell.known });
    }
    failureOps[target] = [...ops]
      .map(([opType, count]) => ({ opType, count }))
      .sort((a, b) => b.count - a.count || a.opType.localeCompare(b.opType));
    known.push({ target, listed: lists.has(target), newFailures: fresh, stillFailing, nowPassing });
    newFailures += fresh.length;
  }
  const newCaseErrors = new Set(known.flatMap((k) => k.newFailures.filter((f) => f.caseError).map((f) => f.id))).size;
  return { targets, suites, rows, totals, failureOps, known, newFailures, newCaseErrors };
}

export interface MatrixRenderOptions {
  /** Print every non-passing row of the matrix (default), every row, or none. */
  readonly rows?: 'failing' | 'all' | 'none';
  /** Op types listed per target. */
  readonly topOps?: number;
}

const SHORT: Record<ConformanceCell, string> = {
  pass: 'pass',
  mismatch: 'MISMATCH',
  'load-error': 'LOAD-ERR',
  'run-error': 'RUN-ERR',
  fallback: 'FALLBACK',
  unproven: 'UNPROVEN',
  skipped: 'skip',
};

export function renderConformanceMatrix(m: ConformanceMatrix, options: MatrixRenderOptions = {}): string {
  const lines: string[] = [];
  const which = options.rows ?? 'failing';
  if (which !== 'none') {
    const shown =
      which === 'all'
        ? m.rows
        : m.rows.filter((r) => Object.values(r.cells).some((c) => c.cell !== 'pass' || c.placementWarning));
    if (shown.length > 0) {
      const body = shown.map((r) => [
        m.suites.length > 1 ? `${r.suite}/${r.name}` : r.name,
        ...m.targets.map((t) => {
          const c = r.cells[t]!;
          return `${SHORT[c.cell]}${c.known !== undefined && c.cell !== 'pass' ? ' (known)' : ''}${c.known !== undefined && c.cell === 'pass' ? ' (fixed)' : ''}${c.placementWarning ? ' (unproven)' : ''}`;
        }),
        r.opTypes.slice(0, 3).join(' ') + (r.opTypes.length > 3 ? ' …' : ''),
      ]);
      lines.push(...textTable(['case', ...m.targets, 'ops'], body), '');
      const reasons = shown
        .flatMap((r) => m.targets.map((t) => [r, t, r.cells[t]!] as const))
        .filter(([, , c]) => c.cell !== 'pass');
      for (const [r, t, c] of reasons)
        lines.push(`  ${r.name} on ${t}: ${c.cell}: ${c.detail.split('\n')[0]!.slice(0, 200)}`);
      for (const r of shown)
        for (const t of m.targets)
          if (r.cells[t]!.placementWarning) lines.push(`  ${r.name} on ${t}: warning: ${r.cells[t]!.placementWarning}`);
      lines.push('');
    }
  }
  lines.push(
    ...textTable(
      ['suite', 'target', 'cases', ...CONFORMANCE_CELLS],
      m.totals.map((t) => [t.suite, t.target, String(t.cases), ...CONFORMANCE_CELLS.map((c) => String(t.counts[c]))]),
    ),
  );
  const topOps = options.topOps ?? 8;
  for (const t of m.targets) {
    const ops = m.failureOps[t] ?? [];
    if (ops.length > 0)
      lines.push(
        `failing ops on ${t}: ${ops
          .slice(0, topOps)
          .map((o) => `${o.opType} ${o.count}`)
          .join(', ')}${ops.length > topOps ? `, … (${ops.length} op types)` : ''}`,
      );
  }
  for (const t of m.targets) {
    const warned = m.rows.filter((r) => r.cells[t]?.placementWarning).length;
    if (warned > 0)
      lines.push(
        `warning: placement unproven on ${t} in ${warned} passing case(s): the engine prints no placement log`,
      );
  }
  for (const k of m.known) {
    if (!k.listed) continue;
    lines.push(
      `known failures on ${k.target}: ${k.stillFailing} still failing, ${k.newFailures.length} new, ${k.nowPassing.length} now passing`,
    );
    for (const f of k.newFailures) lines.push(`  NEW ${f.id}: ${f.cell}: ${f.detail.split('\n')[0]!.slice(0, 200)}`);
    for (const f of k.nowPassing) lines.push(`  NOW PASSING ${f.id} (listed: ${f.reason}): remove it from the list`);
  }
  return lines.join('\n');
}
