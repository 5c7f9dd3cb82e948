import {
  conformanceCell,
  TARGET_ID_PATTERN,
  type CaseResult,
  type Comparison,
  type ConformanceCell,
  type Report,
  type RunOutcome,
} from '@crossrt/core';
import { placementWarning } from './placement-text.js';

/**
 * One (case, target) cell of the case × target matrix. `status` is a comparison verdict
 * (`pass`, `mismatch`, … or any verdict added later), a run status (`load-error`, `timeout`, …), or one
 * of the case-level states below. Kept a plain string so verdicts added to the schema later still render.
 */
export interface TargetCell {
  readonly caseId: string;
  readonly target: string;
  /** Coarse class shared with `crossrt conformance` (core's conformanceCell). */
  readonly cell: ConformanceCell;
  readonly status: string;
  /** One line saying why, for tooltips and failure lists. */
  readonly detail: string;
  readonly outcome?: RunOutcome;
  readonly comparisons: readonly Comparison[];
  /** Listed in a known-failures file for this target and still failing. */
  readonly known?: boolean;
  /** Listed as a known failure but passing now: the entry can go. */
  readonly fixed?: boolean;
  /** A GPU run on an engine that never prints its placement: passes, with this labelled warning. */
  readonly placementWarning?: string;
}

/** Case-level cell states that are not comparison verdicts or run statuses. */
export const CELL_STATE = {
  reference: 'reference',
  skipped: 'skipped',
  caseError: 'case-error',
  convertError: 'convert-error',
  notRun: 'not-run',
  /** Ran, but nothing was compared against it (its reference failed). */
  notCompared: 'not-compared',
} as const;

/** How a status reads at a glance; unknown statuses fall into `fail` unless they are `pass`. */
export type StatusTone = 'pass' | 'fail' | 'error' | 'warn' | 'neutral';

const ERROR_STATUSES = new Set([
  'load-error',
  'run-error',
  'crash',
  'timeout',
  'unavailable',
  'case-error',
  'convert-error',
]);
const WARN_STATUSES = new Set(['fallback', 'partial-fallback', 'known-failure']);
/** `not-compared`: the target ran but its reference failed; the reference's own cell carries the failure. */
const NEUTRAL_STATUSES = new Set(['reference', 'skipped', 'not-run', 'not-compared']);

export function statusTone(status: string): StatusTone {
  if (status === 'pass') return 'pass';
  if (NEUTRAL_STATUSES.has(status)) return 'neutral';
  if (ERROR_STATUSES.has(status)) return 'error';
  if (WARN_STATUSES.has(status)) return 'warn';
  return 'fail';
}

/** A known failure, and a pass whose GPU placement is unproven, read as warnings (neither fails the run). */
export function cellTone(cell: Pick<TargetCell, 'status' | 'known' | 'placementWarning'>): StatusTone {
  if (cell.status === 'pass' && cell.placementWarning) return 'warn';
  return cell.known && cell.status !== 'pass' ? 'warn' : statusTone(cell.status);
}

/** `mismatch`, `mismatch (known)`, `pass (fixed)`, `pass (placement unproven)`. */
export function cellLabel(cell: Pick<TargetCell, 'status' | 'known' | 'fixed' | 'placementWarning'>): string {
  return `${cell.status}${cell.known && cell.status !== 'pass' ? ' (known)' : ''}${cell.fixed ? ' (fixed)' : ''}${cell.placementWarning ? ' (placement unproven)' : ''}`;
}

/** Worse verdicts first; a verdict not listed here ranks after these and before `pass`. */
const VERDICT_SEVERITY = [
  'missing',
  'shape',
  'dtype',
  'nan-inf',
  'mismatch',
  'partial-fallback',
  'fallback',
  'unproven',
];

function severity(verdict: string): number {
  if (verdict === 'pass') return VERDICT_SEVERITY.length + 1;
  const i = VERDICT_SEVERITY.indexOf(verdict);
  return i === -1 ? VERDICT_SEVERITY.length : i;
}

/** The comparison that decides a group's verdict: the most severe, then the largest error. */
export function worstComparison(comparisons: readonly Comparison[]): Comparison | undefined {
  let worst: Comparison | undefined;
  for (const c of comparisons) {
    if (!worst) {
      worst = c;
      continue;
    }
    const d = severity(c.verdict) - severity(worst.verdict);
    if (d < 0 || (d === 0 && (c.metrics?.maxAbsError ?? -1) > (worst.metrics?.maxAbsError ?? -1))) worst = c;
  }
  return worst;
}

/**
 * Matrix columns: the report's targets in their given order, then any other comparison subject
 * (variant comparisons name `<model>@<target>`), in order of first appearance.
 */
export function targetColumns(report: Report): string[] {
  const columns = [...report.settings.targets];
  for (const c of report.cases) {
    for (const o of c.outcomes) if (!columns.includes(o.target)) columns.push(o.target);
    for (const cmp of c.comparisons) if (!columns.includes(cmp.target)) columns.push(cmp.target);
  }
  // A plain target whose results are all carried by variant subjects (`model.json@tfjs:cpu`) would be
  // an empty column; its run outcome shows in the subject's cells instead (see `subjectTarget`).
  const compared = new Set(report.cases.flatMap((c) => c.comparisons.map((x) => x.target)));
  return columns.filter(
    (t) =>
      compared.has(t) || t === report.settings.reference || !columns.some((s) => s !== t && subjectTarget(s) === t),
  );
}

/** The target id inside a comparison subject: `ort-web:wasm` for itself, `tfjs:cpu` for `tfjs/model.json@tfjs:cpu`. */
export function subjectTarget(subject: string): string {
  if (TARGET_ID_PATTERN.test(subject)) return subject;
  for (let i = subject.indexOf('@'); i !== -1; i = subject.indexOf('@', i + 1)) {
    const rest = subject.slice(i + 1);
    if (TARGET_ID_PATTERN.test(rest)) return rest;
  }
  return subject;
}

const firstLine = (s: string) => s.split('\n')[0] ?? '';

/**
 * The cell of one target for one case. The coarse class (`pass`, `mismatch`, `load-error`,
 * `run-error`, `skipped`) is core's `conformanceCell`, the same derivation `crossrt conformance` prints,
 * so both agree; `status` refines it with the deciding verdict or run status, which the HTML, JUnit and
 * Markdown reporters need (a `shape` is not a `mismatch` of values, a `timeout` is not a `run-error`).
 */
export function targetCell(report: Report, c: CaseResult, target: string): TargetCell {
  const outcome =
    c.outcomes.find((o) => o.target === target) ?? c.outcomes.find((o) => o.target === subjectTarget(target));
  const comparisons = c.comparisons.filter((x) => x.target === target);
  const known = c.knownFailure?.targets.includes(target) ?? false;
  const warning = placementWarning(outcome);
  const base = {
    caseId: c.id,
    target,
    comparisons,
    ...(outcome ? { outcome } : {}),
    ...(known ? { known } : {}),
    ...(c.knownFailure?.nowPassing.includes(target) ? { fixed: true } : {}),
    ...(warning ? { placementWarning: warning } : {}),
  };
  if (c.verdict === 'convert-error' && !outcome && comparisons.length === 0) {
    const conv = c.conversion;
    const why = conv
      ? conv.timedOut
        ? 'converter timed out'
        : `converter exited with ${conv.exitCode ?? conv.signal ?? 'no code'}`
      : 'conversion failed';
    return { ...base, cell: 'load-error', status: CELL_STATE.convertError, detail: why };
  }
  // A variant subject column judges its target's run: let the shared derivation see it under the subject's name.
  const asRun = outcome && outcome.target !== target ? { ...c, outcomes: [...c.outcomes, { ...outcome, target }] } : c;
  const { cell, detail } = conformanceCell(asRun, target);
  switch (cell) {
    case 'skipped': {
      const status =
        c.verdict === 'skipped'
          ? CELL_STATE.skipped
          : outcome?.status === 'unavailable'
            ? 'unavailable'
            : CELL_STATE.notRun;
      return { ...base, cell, status, detail };
    }
    case 'load-error':
      return {
        ...base,
        cell,
        status: c.error ? CELL_STATE.caseError : 'load-error',
        detail: c.error ? `${c.error.code}: ${firstLine(c.error.message)}` : detail,
      };
    case 'run-error':
      return { ...base, cell, status: outcome?.status ?? 'run-error', detail };
    case 'mismatch': {
      const worst = worstComparison(comparisons.filter((x) => x.verdict !== 'pass'))!;
      const failing = comparisons.filter((x) => x.verdict !== 'pass').length;
      const where = `${worst.output}${worst.inputSet ? ` @${worst.inputSet}` : ''}`;
      return {
        ...base,
        cell,
        status: worst.verdict,
        detail: `${failing}/${comparisons.length} comparison(s) fail; ${where}: ${worst.reason}`,
      };
    }
    case 'fallback': {
      // Numbers matched; the GPU target ran compute on the CPU. The status keeps fallback vs partial-fallback.
      const fell =
        comparisons.find((x) => x.verdict === 'fallback') ?? comparisons.find((x) => x.verdict === 'partial-fallback');
      return { ...base, cell, status: fell?.verdict ?? 'fallback', detail };
    }
    case 'unproven':
      // Numbers matched; nothing proves where a GPU target that prints its placement ran.
      return { ...base, cell, status: 'unproven', detail };
    case 'pass': {
      if (comparisons.length > 0)
        return {
          ...base,
          cell,
          status: 'pass',
          detail: `${comparisons.length} comparison(s) pass${warning ? `; warning: ${warning}` : ''}`,
        };
      if (target === report.settings.reference)
        return { ...base, cell, status: CELL_STATE.reference, detail: 'reference target: ran ok' };
      const ref = c.outcomes.find((o) => o.target === report.settings.reference);
      const why =
        ref && ref.status !== 'ok'
          ? `ran ok, not compared: reference ${ref.target} ${ref.status}`
          : 'ran ok, nothing compared against it';
      return { ...base, cell, status: CELL_STATE.notCompared, detail: why };
    }
  }
}

/** The whole matrix: one row per case, one cell per column of `targetColumns`. */
export function targetMatrix(report: Report): { columns: string[]; rows: { case: CaseResult; cells: TargetCell[] }[] } {
  const columns = targetColumns(report);
  return { columns, rows: report.cases.map((c) => ({ case: c, cells: columns.map((t) => targetCell(report, c, t)) })) };
}
