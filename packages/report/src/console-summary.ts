import type { Report } from '@crossrt/core';
import { caseLabels } from './case-labels.js';
import { percent } from './comparison-text.js';
import { num } from './console-reporter.js';
import { largestDiscrepancies } from './output-cells.js';
import { cellLabel, cellTone, targetMatrix, type StatusTone, type TargetCell } from './target-cells.js';
import { textTable } from './text-table.js';

export interface ConsoleSummaryOptions {
  /** ANSI colours by verdict (pass green, fail red, error magenta, warn yellow). Default false. */
  readonly color?: boolean;
  /** Rows of the largest-discrepancies table. Default 5. */
  readonly topN?: number;
}

const ANSI: Record<StatusTone, string> = {
  pass: '\x1b[32m',
  fail: '\x1b[31m',
  error: '\x1b[35m',
  warn: '\x1b[33m',
  neutral: '\x1b[2m',
};

/**
 * A terminal summary: the case × target matrix for every case that is not all-pass (all-pass rows are
 * counted, not listed), the largest discrepancies, and the totals line.
 */
export function renderConsoleSummary(report: Report, options: ConsoleSummaryOptions = {}): string {
  const paint = (cell: Pick<TargetCell, 'status' | 'known'>, text: string) =>
    options.color ? `${ANSI[cellTone(cell)]}${text}\x1b[0m` : text;
  const { prefix, label } = caseLabels(report);
  const matrix = targetMatrix(report);
  const lines: string[] = [
    `crossrt ${report.command}: reference ${report.settings.reference}, seed ${report.settings.seed}${prefix ? `, cases under ${prefix}` : ''}`,
  ];

  const notClean = matrix.rows.filter((r) => r.cells.some((c) => !['pass', 'reference'].includes(c.status)));
  if (notClean.length > 0) {
    lines.push('', `case × target (${notClean.length} of ${matrix.rows.length} case(s) not all pass):`);
    // Pad before painting: escape codes would throw the column widths off.
    const table = textTable(
      ['case', ...matrix.columns],
      notClean.map((r) => [label(r.case.id), ...r.cells.map(cellLabel)]),
    );
    const widths = ['case', ...matrix.columns].map((h, i) =>
      Math.max(h.length, ...notClean.map((r) => (i === 0 ? label(r.case.id) : cellLabel(r.cells[i - 1]!)).length)),
    );
    lines.push(`  ${table[0]}`);
    for (const r of notClean) {
      const cells = [
        label(r.case.id).padEnd(widths[0]!),
        ...r.cells.map((c, i) => paint(c, cellLabel(c).padEnd(widths[i + 1]!))),
      ];
      lines.push(`  ${cells.join('  ').trimEnd()}`);
    }
  }
  const clean = matrix.rows.length - notClean.length;
  if (clean > 0) lines.push('', `${clean} case(s) pass on every target.`);

  const worst = largestDiscrepancies(report, options.topN ?? 5);
  if (worst.length > 0) {
    lines.push('', 'largest discrepancies:');
    lines.push(
      ...textTable(
        ['case', 'output', 'target', 'verdict', 'max_abs', 'max_rel', 'mismatch'],
        worst.map(({ case: c, comparison: x }) => [
          label(c.id),
          x.output + (x.inputSet ? ` @${x.inputSet}` : ''),
          x.target,
          x.verdict,
          num(x.metrics!.maxAbsError),
          num(x.metrics!.maxRelError),
          `${x.metrics!.allcloseMismatches}/${x.metrics!.elements} (${percent(x.metrics!.mismatchFraction)})`,
        ]),
      ).map((l, i) =>
        i === 0 ? `  ${l}` : `  ${worst[i - 1]!.comparison.verdict === 'pass' ? l : paint({ status: 'mismatch' }, l)}`,
      ),
    );
  }
  if (report.baseline) {
    const classes = Object.entries(report.baseline.classes)
      .filter(([, n]) => n > 0)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ');
    lines.push('', `baseline ${report.baseline.dir}: ${classes || 'nothing compared'}`);
  }
  const t = report.totals;
  lines.push(
    '',
    `${t.cases} case(s): ${t.passed} pass, ${t.failed} fail, ${t.errored} error, ${t.skipped} skipped` +
      `${t.convertErrors ? `, ${t.convertErrors} convert error` : ''}${t.knownFailures ? `, ${t.knownFailures} known failure` : ''} | comparisons: ${
        Object.entries(t.verdicts)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ') || 'none'
      }`,
  );
  return lines.join('\n');
}
