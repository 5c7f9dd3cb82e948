import type { Report } from '@crossrt/core';
import { createRequire } from 'node:module';
import { comparisonText, outcomeFailureText } from './comparison-text.js';
import { comparedTargets, outputCells, type OutputCell } from './output-cells.js';
import { placementWarning } from './placement-text.js';
import { statusTone } from './target-cells.js';

/** Attribute messages stay on one line: parsers fold newlines in attributes into spaces anyway. */
const oneLine = (s: string, max = 300) => {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

const seconds = (ms: number | undefined) => ((ms ?? 0) / 1000).toFixed(3);

/** Host log lines kept in a failure body: ORT's verbose log can run to thousands. */
const LOG_LINES = 30;

type Kind = 'passed' | 'failure' | 'error' | 'skipped';

/** JUnit has four outcomes: discrepancies are failures, things that could not run are errors. */
function junitKind(cell: OutputCell): Kind {
  const { status } = cell;
  // A listed known failure must not fail the CI job, yet stay visible: JUnit's `skipped` is that.
  if (cell.known && status !== 'pass') return 'skipped';
  const tone = statusTone(status);
  if (tone === 'pass') return 'passed';
  if (tone === 'neutral') return status === 'reference' ? 'passed' : 'skipped';
  if (tone === 'error') return 'error';
  return 'failure';
}

function failureBody(cell: OutputCell): string {
  const parts: string[] = [];
  const failing = cell.comparisons.filter((c) => c.verdict !== 'pass');
  if (failing.length > 0) parts.push(...failing.map(comparisonText));
  else if (cell.outcome && cell.outcome.status !== 'ok') parts.push(outcomeFailureText(cell.outcome, LOG_LINES));
  else parts.push(cell.detail);
  if (cell.case.error?.hint) parts.push(`hint: ${cell.case.error.hint}`);
  if (cell.case.conversion && cell.case.verdict === 'convert-error') {
    const conv = cell.case.conversion;
    parts.push(`converter: ${conv.command}`, ...conv.logTail.map((l) => `  ${l}`));
  }
  return parts.join('\n\n');
}

/**
 * JUnit XML: one <testsuite> per judged target, one <testcase> per case × output on it
 * (classname = case id, name = output). Failing comparisons carry their reason, tolerance and metrics.
 */
export function renderJunit(report: Report): string {
  const cells = outputCells(report);
  const byTarget = comparedTargets(report).map((target) => ({
    target,
    cells: cells.filter((c) => c.target === target),
  }));
  const count = (cs: readonly OutputCell[], k: Kind) => cs.filter((c) => junitKind(c) === k).length;
  // Per-case wall time is split evenly over its outputs so suite times add up to real time.
  const perRun = new Map<string, number>();
  const runKey = (c: OutputCell) => `${c.case.id}\u0000${c.target}`;
  for (const c of cells) perRun.set(runKey(c), (perRun.get(runKey(c)) ?? 0) + 1);
  const cellMs = (c: OutputCell) => (c.outcome?.timings?.wallMs ?? 0) / (perRun.get(runKey(c)) ?? 1);

  // Loaded on first use: xmlbuilder2 costs ~50 ms to import, and most runs write no JUnit.
  const { create } = createRequire(import.meta.url)('xmlbuilder2') as typeof import('xmlbuilder2');
  const root = create({ version: '1.0', encoding: 'UTF-8', invalidCharReplacement: '\uFFFD' }).ele('testsuites', {
    name: `crossrt ${report.command}${report.suite ? ` ${report.suite.name}` : ''}${report.shard ? ` shard ${report.shard.index}/${report.shard.count}` : ''}`,
    tests: String(cells.length),
    failures: String(count(cells, 'failure')),
    errors: String(count(cells, 'error')),
    skipped: String(count(cells, 'skipped')),
    time: seconds(cells.reduce((s, c) => s + cellMs(c), 0)),
    timestamp: report.createdAt,
  });
  for (const { target, cells: suiteCells } of byTarget) {
    const suite = root.ele('testsuite', {
      name: target,
      tests: String(suiteCells.length),
      failures: String(count(suiteCells, 'failure')),
      errors: String(count(suiteCells, 'error')),
      skipped: String(count(suiteCells, 'skipped')),
      time: seconds(suiteCells.reduce((s, c) => s + cellMs(c), 0)),
      timestamp: report.createdAt,
    });
    const props = suite.ele('properties');
    props.ele('property', { name: 'reference', value: report.settings.reference });
    props.ele('property', { name: 'seed', value: String(report.settings.seed) });
    props.ele('property', { name: 'crossrt', value: report.tool.version });
    for (const cell of suiteCells) {
      const tc = suite.ele('testcase', {
        classname: cell.case.id,
        name: cell.output ?? '(outputs unknown)',
        time: seconds(cellMs(cell)),
      });
      if (cell.case.model?.path) tc.att('file', cell.case.model.path);
      const kind = junitKind(cell);
      // JUnit has no warning outcome: a pass whose GPU placement no log can prove says so in its output.
      const warning = placementWarning(cell.outcome);
      if (warning) tc.ele('system-out').txt(`warning: ${warning}`);
      if (kind === 'passed') continue;
      if (kind === 'skipped') {
        tc.ele('skipped', {
          message: oneLine(cell.known ? `known failure: ${cell.status}: ${cell.detail}` : cell.detail),
        });
        continue;
      }
      tc.ele(kind, { type: cell.status, message: oneLine(`${cell.status}: ${cell.detail}`) }).txt(failureBody(cell));
    }
  }
  return root.end({ prettyPrint: true });
}
