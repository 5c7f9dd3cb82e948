import { isAbsolute, relative, sep } from 'node:path';
import type { CaseResult, Report } from '@crossrt/core';
import { caseLabels } from './case-labels.js';
import { metricPairs, toleranceText } from './comparison-text.js';
import { outputCells, type OutputCell } from './output-cells.js';
import { placementWarning } from './placement-text.js';
import { statusTone } from './target-cells.js';

export interface GithubAnnotationOptions {
  /** Repository checkout (GITHUB_WORKSPACE): absolute model paths inside it become relative `file=` links. */
  readonly workspace?: string;
  /** GitHub shows only the first annotations of a step; the rest are summarised in one notice. Default 50. */
  readonly maxAnnotations?: number;
}

/** Workflow-command message data: `%`, CR and LF are percent-encoded (GitHub's toCommandValue rules). */
export function escapeAnnotationData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Workflow-command property values additionally encode `:` and `,`, which delimit properties. */
export function escapeAnnotationProperty(s: string): string {
  return escapeAnnotationData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

type Level = 'error' | 'warning' | 'notice';

export interface Annotation {
  readonly level: Level;
  readonly file?: string;
  readonly title: string;
  readonly message: string;
}

export function formatAnnotation(a: Annotation): string {
  const props = [a.file ? `file=${escapeAnnotationProperty(a.file)}` : '', `title=${escapeAnnotationProperty(a.title)}`]
    .filter(Boolean)
    .join(',');
  return `::${a.level} ${props}::${escapeAnnotationData(a.message)}`;
}

function annotationFile(c: CaseResult, workspace: string | undefined): string | undefined {
  const path = c.model?.path ?? c.conversion?.output;
  if (!path) return undefined;
  if (!isAbsolute(path)) return path.split(sep).join('/');
  if (!workspace) return undefined;
  const rel = relative(workspace, path);
  // Outside the checkout GitHub cannot link the file: leave `file=` out rather than point nowhere.
  return rel.startsWith('..') || isAbsolute(rel) ? undefined : rel.split(sep).join('/');
}

function cellMessage(cell: OutputCell): string {
  const lines = [cell.detail];
  const w = cell.worst;
  if (w?.metrics && w.verdict !== 'pass') {
    const keep = new Set([
      'max abs error',
      'max rel error',
      'allclose mismatches',
      'cosine similarity',
      'SNR',
      'worst element',
    ]);
    lines.push(
      metricPairs(w.metrics)
        .filter(([k]) => keep.has(k))
        .map(([k, v]) => `${k} ${v}`)
        .join('; '),
    );
    lines.push(`reference ${w.reference}, ${toleranceText(w.tolerance, w.metrics.exact)}`);
  }
  return lines.join('\n');
}

export function reportAnnotations(report: Report, options: GithubAnnotationOptions = {}): Annotation[] {
  const out: Annotation[] = [];
  const { label } = caseLabels(report);
  const warned = new Set<string>();
  for (const cell of outputCells(report)) {
    const tone = statusTone(cell.status);
    // One warning per (case, target) whose GPU placement no log can prove; it still passes.
    const warning = placementWarning(cell.outcome);
    if (warning && !warned.has(`${cell.case.id}\u0000${cell.target}`)) {
      warned.add(`${cell.case.id}\u0000${cell.target}`);
      const file = annotationFile(cell.case, options.workspace);
      out.push({
        level: 'warning',
        ...(file ? { file } : {}),
        title: `crossrt placement unproven: ${label(cell.case.id)} on ${cell.target}`,
        message: warning,
      });
    }
    // Known failures are listed on purpose; annotating them again on every PR is noise.
    if (tone === 'pass' || tone === 'neutral' || cell.known) continue;
    const file = annotationFile(cell.case, options.workspace);
    out.push({
      level: tone === 'warn' ? 'warning' : 'error',
      ...(file ? { file } : {}),
      title: `crossrt ${cell.status}: ${label(cell.case.id)}${cell.output ? ` › ${cell.output}` : ''} on ${cell.target}`,
      message: cellMessage(cell),
    });
  }
  for (const c of report.cases) {
    for (const d of c.baseline ?? []) {
      if (d.classification !== 'regression' && d.classification !== 'drift') continue;
      const file = annotationFile(c, options.workspace);
      out.push({
        level: d.classification === 'regression' ? 'error' : 'warning',
        ...(file ? { file } : {}),
        title: `crossrt baseline ${d.classification}: ${label(c.id)}${d.output ? ` › ${d.output}` : ''} on ${d.target}`,
        message: d.reason + (d.maxAbsError !== undefined ? `\nmax abs error vs golden ${d.maxAbsError}` : ''),
      });
    }
  }
  return out;
}

/** `::error`/`::warning` lines for every failing cell and baseline regression/drift, then one summary notice. */
export function renderGithubAnnotations(report: Report, options: GithubAnnotationOptions = {}): string {
  const max = options.maxAnnotations ?? 50;
  const all = reportAnnotations(report, options);
  const shown = all.slice(0, max);
  const t = report.totals;
  const summary =
    `${t.cases} case(s): ${t.passed} pass, ${t.failed} fail, ${t.errored} error, ${t.skipped} skipped` +
    (t.convertErrors ? `, ${t.convertErrors} convert error(s)` : '') +
    (all.length > shown.length
      ? `\n${all.length - shown.length} more annotation(s) not shown; see the full report`
      : '');
  return [
    ...shown.map(formatAnnotation),
    formatAnnotation({ level: 'notice', title: `crossrt ${report.command}`, message: summary }),
  ].join('\n');
}
