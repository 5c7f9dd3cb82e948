import type { CaseResult, Comparison, Report, RunOutcome } from '@crossrt/core';
import { CELL_STATE, targetCell, targetColumns, worstComparison, type TargetCell } from './target-cells.js';

/**
 * One (case, target, output) result: the unit of a JUnit testcase, a GitHub annotation and a Markdown
 * failing row. A case with several input sets has one comparison per set here; the worst decides.
 */
export interface OutputCell {
  readonly case: CaseResult;
  readonly target: string;
  /** Undefined when the case never got far enough to know its outputs (skipped, unreadable model). */
  readonly output: string | undefined;
  readonly status: string;
  readonly detail: string;
  readonly comparisons: readonly Comparison[];
  readonly worst?: Comparison;
  readonly outcome?: RunOutcome;
  /** Listed in a known-failures file for this target. */
  readonly known?: boolean;
}

/**
 * Output names of a case in order of first appearance: the compared ones when anything was compared
 * (a pair run labels them `onnx ↔ tfjs`, so raw output names would double them), else the outputs
 * the targets that ran produced (a failed reference leaves nothing compared).
 */
export function caseOutputs(c: CaseResult): string[] {
  const names = new Set<string>();
  for (const cmp of c.comparisons) names.add(cmp.output);
  if (names.size === 0) for (const o of c.outcomes) for (const out of o.outputs) names.add(out.name);
  return [...names];
}

/** Case-level states: the same on every target, so the reference column need not repeat them. */
const CASE_LEVEL: ReadonlySet<string> = new Set([CELL_STATE.skipped, CELL_STATE.caseError, CELL_STATE.convertError]);

/**
 * Whether a (case, target) cell is judged, i.e. becomes JUnit testcases, annotations and failing rows.
 * Not judged: a reference target that ran fine (nothing to judge it against), the reference column of
 * a case-level state (skipped, case error: the other targets already say it), and a plain target id
 * whose results are carried by variant subjects (`model@target`). A reference target that failed to
 * load or run IS judged: that failure is the news. In a suite, test-case entries compare every target
 * with the oracle, so the run's reference target is judged there like any other.
 */
export function isJudged(
  report: Report,
  cell: TargetCell,
  context: { columns: readonly string[]; subjects: ReadonlySet<string> },
): boolean {
  if (cell.status === CELL_STATE.reference) return false;
  if (cell.target === report.settings.reference && CASE_LEVEL.has(cell.status) && context.columns.length > 1)
    return false;
  if (
    cell.comparisons.length === 0 &&
    !context.subjects.has(cell.target) &&
    [...context.subjects].some((s) => s.endsWith(`@${cell.target}`))
  )
    return false;
  return true;
}

/** Targets with at least one judged cell, in column order. */
export function comparedTargets(report: Report): string[] {
  const judged = new Set(outputCells(report).map((c) => c.target));
  return targetColumns(report).filter((t) => judged.has(t));
}

export function outputCells(report: Report): OutputCell[] {
  const columns = targetColumns(report);
  const subjects = new Set(report.cases.flatMap((c) => c.comparisons.map((x) => x.target)));
  const cells: OutputCell[] = [];
  for (const c of report.cases) {
    const outputs = caseOutputs(c);
    for (const target of columns) {
      const tc = targetCell(report, c, target);
      if (!isJudged(report, tc, { columns, subjects })) continue;
      const outcome = { ...(tc.outcome ? { outcome: tc.outcome } : {}), ...(tc.known ? { known: true } : {}) };
      if (outputs.length === 0) {
        cells.push({
          case: c,
          target,
          output: undefined,
          status: tc.status,
          detail: tc.detail,
          comparisons: tc.comparisons,
          ...outcome,
        });
        continue;
      }
      for (const output of outputs) {
        const comparisons = tc.comparisons.filter((x) => x.output === output);
        const worst = worstComparison(comparisons);
        if (!worst) {
          // No comparison for this output: the cell's own state (error, skipped, reference) explains why.
          const status = tc.comparisons.length > 0 ? CELL_STATE.notCompared : tc.status;
          const detail = tc.comparisons.length > 0 ? `output "${output}" was not compared on ${target}` : tc.detail;
          cells.push({ case: c, target, output, status, detail, comparisons, ...outcome });
          continue;
        }
        const failing = comparisons.filter((x) => x.verdict !== 'pass');
        const detail =
          comparisons.length > 1 && failing.length > 0
            ? `${failing.length}/${comparisons.length} input sets fail; ${worst.inputSet ?? ''}: ${worst.reason}`
            : worst.reason;
        cells.push({ case: c, target, output, status: worst.verdict, detail, comparisons, worst, ...outcome });
      }
    }
  }
  return cells;
}

/** A comparison with the case it belongs to, for cross-case rankings. */
export interface RankedComparison {
  readonly case: CaseResult;
  readonly comparison: Comparison;
}

/**
 * The largest discrepancies across the report: failing comparisons first, then by max abs error,
 * then by mismatch fraction. Only comparisons with metrics (shape/dtype/missing have none to rank).
 */
export function largestDiscrepancies(report: Report, limit: number): RankedComparison[] {
  const all: RankedComparison[] = report.cases.flatMap((c) =>
    c.comparisons.filter((x) => x.metrics).map((comparison) => ({ case: c, comparison })),
  );
  const key = (r: RankedComparison) => r.comparison.metrics!;
  all.sort((a, b) => {
    const fa = a.comparison.verdict === 'pass' ? 1 : 0;
    const fb = b.comparison.verdict === 'pass' ? 1 : 0;
    if (fa !== fb) return fa - fb;
    const byAbs = compareDesc(key(a).maxAbsError, key(b).maxAbsError);
    return byAbs !== 0 ? byAbs : compareDesc(key(a).mismatchFraction, key(b).mismatchFraction);
  });
  return all.slice(0, limit);
}

/** Descending, with NaN last (a NaN max error means the metric itself broke, not "small"). */
function compareDesc(a: number, b: number): number {
  if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : 1;
  if (Number.isNaN(b)) return -1;
  return b - a;
}
