import type { Report } from '@crossrt/core';
import { caseLabels } from './case-labels.js';
import { comparisonText, outcomeFailureText, percent, toleranceText } from './comparison-text.js';
import { num } from './console-reporter.js';
import { largestDiscrepancies, outputCells } from './output-cells.js';
import { placementJudgementText, placementWarning } from './placement-text.js';
import { CELL_STATE, cellLabel, statusTone, targetMatrix } from './target-cells.js';

const CASE_LEVEL_STATES: ReadonlySet<string> = new Set([CELL_STATE.caseError, CELL_STATE.convertError]);

/** GitHub rejects issue/PR comments above 65536 characters; keep a margin for the truncation note. */
export const GITHUB_COMMENT_LIMIT = 65536;

export interface MarkdownOptions {
  /** Default 65000 characters (under GitHub's comment limit). */
  readonly maxChars?: number;
  /** Rows in the largest-discrepancies table. Default 10. */
  readonly topN?: number;
  /** Rows in the failing-cells table before it is cut. Default 100. */
  readonly maxFailingRows?: number;
}

/** Text inside a table cell: pipes and newlines would break the row; angle brackets would become HTML. */
export function markdownCell(s: string): string {
  return s
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r?\n/g, ' ');
}

const htmlText = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A code span that survives backticks in the text. */
const code = (s: string) => {
  const longest = Math.max(0, ...(s.match(/`+/g) ?? []).map((m) => m.length));
  const tick = '`'.repeat(longest + 1);
  return `${tick}${longest > 0 ? ' ' : ''}${s}${longest > 0 ? ' ' : ''}${tick}`;
};

/** A fenced block whose fence is longer than any backtick run inside. */
const fenced = (s: string) => {
  const longest = Math.max(2, ...(s.match(/`+/g) ?? []).map((m) => m.length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}text\n${s}\n${fence}`;
};

const table = (header: string[], rows: string[][], align?: string[]) => [
  `| ${header.join(' | ')} |`,
  `| ${(align ?? header.map(() => '---')).join(' | ')} |`,
  ...rows.map((r) => `| ${r.join(' | ')} |`),
];

/** Lines go in whole until the budget is spent; what is cut is counted and said at the end. */
class Budget {
  private readonly lines: string[] = [];
  private used = 0;
  omitted = 0;
  constructor(private readonly max: number) {}
  /** Once something did not fit, nothing after it goes in either, so the text never skips a row. */
  add(...lines: string[]): boolean {
    const size = lines.reduce((s, l) => s + l.length + 1, 0);
    if (this.omitted > 0 || this.used + size > this.max) {
      this.omitted += lines.length;
      return false;
    }
    this.lines.push(...lines);
    this.used += size;
    return true;
  }
  text(): string {
    return this.lines.join('\n');
  }
}

/**
 * Markdown for a pull-request comment: headline, totals, per-target counts, largest discrepancies,
 * failing cells, baseline changes, and the failing cases' full text in collapsed <details>.
 */
export function renderMarkdown(report: Report, options: MarkdownOptions = {}): string {
  const maxChars = options.maxChars ?? 65000;
  const note =
    '\n\n> ✂️ Truncated to fit a GitHub comment; the full report has every row (`crossrt report <report.json> --format html`).';
  const out = new Budget(maxChars - note.length);
  const t = report.totals;
  const { prefix, label } = caseLabels(report);
  const bad = t.failed + t.errored + t.convertErrors;
  const icon = bad > 0 ? '❌' : t.cases === 0 ? '⚠️' : '✅';
  const headline = bad > 0 ? `${bad} of ${t.cases} case(s) fail` : `all ${t.cases - t.skipped} case(s) pass`;
  const scope = [
    report.suite ? code(report.suite.name) : '',
    report.shard ? `shard ${report.shard.index}/${report.shard.count}` : '',
  ]
    .filter(Boolean)
    .join(' ');
  out.add(`## ${icon} crossrt ${report.command}${scope ? ` ${scope}` : ''}: ${headline}`, '');
  out.add(
    `Reference ${code(report.settings.reference)} · targets ${report.settings.targets.map(code).join(', ')} · seed ${report.settings.seed} · ` +
      `${toleranceText(report.settings.tolerance)} · crossrt ${report.tool.version} · ${report.createdAt}${prefix ? ` · cases under ${code(prefix)}` : ''}`,
    '',
  );

  const totalRows: [string, number][] = [
    ['pass', t.passed],
    ['fail', t.failed],
    ['error', t.errored],
    ['convert error', t.convertErrors],
    ['known failure', t.knownFailures],
    ['skipped', t.skipped],
  ];
  out.add(
    ...table(
      ['cases', ...totalRows.filter(([, n], i) => n > 0 || i < 2).map(([k]) => k), 'total'],
      [[' ', ...totalRows.filter(([, n], i) => n > 0 || i < 2).map(([, n]) => String(n)), String(t.cases)]],
    ),
    '',
  );

  const matrix = targetMatrix(report);
  const statuses = [...new Set(matrix.rows.flatMap((r) => r.cells.map(cellLabel)))].sort((a, b) =>
    a === 'pass' ? -1 : b === 'pass' ? 1 : a.localeCompare(b),
  );
  out.add(
    '### Per target',
    '',
    ...table(
      ['target', ...statuses],
      matrix.columns.map((col, i) => [
        code(col),
        ...statuses.map((s) => String(matrix.rows.filter((r) => cellLabel(r.cells[i]!) === s).length)),
      ]),
    ),
    '',
  );

  const topN = options.topN ?? 10;
  const worst = largestDiscrepancies(report, topN);
  if (worst.length > 0) {
    out.add(`### Largest discrepancies (top ${worst.length} by max abs error)`, '');
    out.add(
      ...table(
        ['case', 'output', 'target', 'vs', 'verdict', 'max abs', 'max rel', 'mismatches', 'tolerance'],
        [],
        ['---', '---', '---', '---', '---', '---:', '---:', '---:', '---'],
      ),
    );
    for (const { case: c, comparison: x } of worst) {
      const m = x.metrics!;
      out.add(
        `| ${markdownCell(label(c.id))} | ${markdownCell(x.output + (x.inputSet ? ` (${x.inputSet})` : ''))} | ${markdownCell(x.target)} | ${markdownCell(x.reference)} | ` +
          `${x.verdict === 'pass' ? 'pass' : `**${x.verdict}**`} | ${num(m.maxAbsError)} | ${num(m.maxRelError)} | ${m.allcloseMismatches}/${m.elements} (${percent(m.mismatchFraction)}) | ` +
          `${markdownCell(toleranceText(x.tolerance, m.exact))} |`,
      );
    }
    out.add('');
  }

  const notPassing = outputCells(report).filter(
    (c) => statusTone(c.status) !== 'pass' && statusTone(c.status) !== 'neutral',
  );
  // A case-level failure (converter, unreadable model) is one row for the case, not one per target.
  const caseLevelSeen = new Set<string>();
  const failing = notPassing
    .filter((c) => !c.known)
    .filter((c) => {
      if (!CASE_LEVEL_STATES.has(c.status)) return true;
      if (caseLevelSeen.has(c.case.id)) return false;
      caseLevelSeen.add(c.case.id);
      return true;
    });
  const knownCount = notPassing.filter((c) => c.known).length;
  if (failing.length > 0) {
    const maxRows = options.maxFailingRows ?? 100;
    out.add(`### Failing cells (${failing.length})`, '', ...table(['case', 'target', 'output', 'status', 'why'], []));
    for (const f of failing.slice(0, maxRows)) {
      out.add(
        `| ${markdownCell(label(f.case.id))} | ${CASE_LEVEL_STATES.has(f.status) ? 'all' : markdownCell(f.target)} | ${markdownCell(f.output ?? '-')} | **${markdownCell(f.status)}** | ${markdownCell(f.detail.slice(0, 300))} |`,
      );
    }
    if (failing.length > maxRows) out.add('', `…and ${failing.length - maxRows} more failing cell(s).`);
    out.add('');
  }
  if (knownCount > 0) out.add(`${knownCount} more failing cell(s) are listed as known failures.`, '');

  // Passing GPU runs on engines that print no placement log: labelled, not failed.
  const warned = report.cases.flatMap((c) => c.outcomes.filter((o) => placementWarning(o)).map((o) => ({ c, o })));
  if (warned.length > 0) {
    out.add(
      `### ⚠️ Placement unproven (${warned.length} run(s), warning)`,
      '',
      ...table(
        ['case', 'target', 'why'],
        warned
          .slice(0, options.maxFailingRows ?? 100)
          .map(({ c, o }) => [markdownCell(label(c.id)), markdownCell(o.target), markdownCell(placementWarning(o)!)]),
      ),
      '',
    );
  }

  if (report.baseline) {
    const classes = Object.entries(report.baseline.classes).filter(([, n]) => n > 0);
    out.add(
      '### Against baseline',
      '',
      `Goldens from ${code(report.baseline.dir)} (${report.baseline.createdAt}).`,
      '',
    );
    out.add(
      ...table(
        classes.map(([k]) => k),
        [classes.map(([, n]) => String(n))],
      ),
      '',
    );
    const changed = report.cases.flatMap((c) =>
      (c.baseline ?? []).filter((d) => d.classification !== 'unchanged').map((d) => ({ c, d })),
    );
    if (changed.length > 0) {
      out.add(...table(['case', 'target', 'output', 'change', 'max abs vs golden', 'why'], []));
      for (const { c, d } of changed) {
        out.add(
          `| ${markdownCell(label(c.id))} | ${markdownCell(d.target)} | ${markdownCell(d.output ?? '-')} | ${d.classification === 'regression' ? '**regression**' : d.classification} | ` +
            `${num(d.maxAbsError)} | ${markdownCell(d.reason)} |`,
        );
      }
      out.add('');
    }
  }

  const localized = report.cases.filter((c) => c.localization || c.reduction);
  if (localized.length > 0) {
    out.add('### Where it starts', '');
    for (const c of localized) {
      const l = c.localization;
      if (l) {
        const where = l.culprit
          ? `culprit ${code(l.culprit.node)} (${l.culprit.opType}, node #${l.culprit.index} of ${l.nodes.length}): ${l.culprit.reason}`
          : 'no node diverges while its inputs agree';
        const others = l.otherOrigins.length ? ` Other origins: ${l.otherOrigins.map(code).join(', ')}.` : '';
        out.add(`- ${htmlText(label(c.id))}: ${htmlText(where)}.${others}`);
      }
      const r = c.reduction;
      if (r) {
        const kept =
          r.nodes
            .slice(0, 10)
            .map((n) => `${code(n.name)} (${n.opType})`)
            .join(', ') + (r.nodes.length > 10 ? `, … ${r.nodes.length - 10} more` : '');
        const shows = r.failure ? `${r.failure.status}` : `${r.verdict} on ${code(r.output)}`;
        out.add(
          `- ${htmlText(label(c.id))}: reduced ${r.nodesBefore} → ${r.nodesAfter} node(s), kept ${kept}; still shows ${shows}` +
            `${r.files.length ? `; wrote ${r.files.map(code).join(', ')}` : ''}.`,
        );
      }
    }
    out.add('');
  }

  const failingCases = report.cases.filter((c) => c.verdict !== 'pass' && c.verdict !== 'skipped');
  if (failingCases.length > 0) {
    out.add(`### Details (${failingCases.length} failing case(s))`, '');
    for (const c of failingCases) {
      const body = [
        ...(c.error ? [`${c.error.code}: ${c.error.message}${c.error.hint ? `\nhint: ${c.error.hint}` : ''}`] : []),
        ...(c.conversion && c.verdict === 'convert-error'
          ? [
              `converter: ${c.conversion.command} (exit ${c.conversion.exitCode ?? c.conversion.signal ?? '-'})\n${c.conversion.logTail.join('\n')}`,
            ]
          : []),
        ...c.outcomes.filter((o) => o.status !== 'ok').map(outcomeFailureText),
        ...c.outcomes
          .filter((o) => o.status === 'ok' && o.placement?.judgement && o.placement.judgement.verdict !== 'pass')
          .map((o) => `${o.target} placement: ${placementJudgementText(o.placement)}`),
        ...c.comparisons.filter((x) => x.verdict !== 'pass').map(comparisonText),
      ].join('\n\n');
      out.add(`<details><summary>${htmlText(label(c.id))}: ${c.verdict}</summary>`, '', fenced(body), '', '</details>');
    }
  }
  return out.omitted > 0 ? `${out.text()}${note}` : out.text();
}
