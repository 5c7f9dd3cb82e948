#!/usr/bin/env node
/**
 * Cross-target summary of one or more conformance reports (`crossrt conformance … --json r.json`),
 * merged by case id (e.g. a five-target run plus a separate run of one slow target):
 *   per target: cases that pass / fall back (fully, partly) / mismatch / fail to load or run
 *   the cases where targets disagree, split into "only a GPU target disagrees" and the rest,
 *   each with its worst comparison (max abs / rel error, failing elements).
 * Usage: node tools/cross-target-discrepancies.mjs report.json [more.json …]
 */
import { readFileSync } from 'node:fs';
import { applyPlacementVerdicts } from '@crossrt/harness';

const reports = process.argv.slice(2).map((p) => JSON.parse(readFileSync(p, 'utf8')));
if (reports.length === 0) {
  console.error('usage: node tools/cross-target-discrepancies.mjs report.json [more.json …]');
  process.exit(2);
}
const NUMBERS_AGREE = new Set(['pass', 'fallback', 'partial-fallback']);
const GPU = /:(webgpu|webgl)(@|$)/;
const targets = [...new Set(reports.flatMap((r) => r.settings.targets))];
const cases = new Map();
for (const r of reports) {
  for (const c of r.cases) {
    const merged = cases.get(c.id) ?? { id: c.id, outcomes: [], comparisons: [], skipped: c.verdict === 'skipped' };
    const theirs = new Set(c.outcomes.map((o) => o.target));
    merged.outcomes = [...merged.outcomes.filter((o) => !theirs.has(o.target)), ...c.outcomes];
    merged.comparisons = [...merged.comparisons.filter((x) => !theirs.has(x.target)), ...c.comparisons];
    cases.set(c.id, merged);
  }
}

const table = Object.fromEntries(targets.map((t) => [t, {}]));
const disagreements = [];
for (const c of cases.values()) {
  const comparisons = applyPlacementVerdicts(c.comparisons, c.outcomes);
  const cell = {};
  for (const t of targets) {
    const o = c.outcomes.find((x) => x.target === t);
    let v;
    if (!o) v = 'skipped';
    else if (o.status !== 'ok') v = o.status;
    else {
      const mine = comparisons.filter((x) => x.target === t);
      v = mine.some((x) => !NUMBERS_AGREE.has(x.verdict))
        ? 'mismatch'
        : mine.some((x) => x.verdict === 'fallback')
          ? 'fallback'
          : mine.some((x) => x.verdict === 'partial-fallback')
            ? 'partial-fallback'
            : 'pass';
    }
    cell[t] = v;
    table[t][v] = (table[t][v] ?? 0) + 1;
  }
  const numeric = targets.map((t) => (NUMBERS_AGREE.has(cell[t]) ? 'agree' : cell[t]));
  if (new Set(numeric.filter((x) => x !== 'skipped')).size <= 1) continue;
  const worst = comparisons
    .filter((x) => !NUMBERS_AGREE.has(x.verdict) && x.metrics)
    .sort((p, q) => (q.metrics.maxAbsError || 0) - (p.metrics.maxAbsError || 0))[0];
  const onlyGpu = targets.every((t, i) => GPU.test(t) || numeric[i] === 'agree');
  disagreements.push({ id: c.id.split('/').pop(), numeric, worst, onlyGpu });
}

const kinds = [
  'pass',
  'fallback',
  'partial-fallback',
  'mismatch',
  'load-error',
  'run-error',
  'crash',
  'timeout',
  'unavailable',
  'skipped',
];
console.log(`${'target'.padEnd(26)}${kinds.map((k) => k.padStart(k.length + 2)).join('')}`);
for (const t of targets)
  console.log(`${t.padEnd(26)}${kinds.map((k) => String(table[t][k] ?? 0).padStart(k.length + 2)).join('')}`);
const describe = (d) =>
  `${d.id} | ${d.numeric.join(' ')}${d.worst ? ` | worst: ${d.worst.target} ${d.worst.output} abs ${d.worst.metrics.maxAbsError?.toPrecision(3)} rel ${d.worst.metrics.maxRelError?.toPrecision(3)} ${d.worst.metrics.allcloseMismatches}/${d.worst.metrics.elements}` : ''}`;
console.log(
  `\ncases where targets disagree (numbers or status): ${disagreements.length}  [columns: ${targets.join(' ')}]`,
);
const gpu = disagreements.filter((d) => d.onlyGpu);
console.log(`\nonly a GPU target disagrees (${gpu.length}):`);
for (const d of gpu) console.log(`  ${describe(d)}`);
console.log(`\nother disagreements (${disagreements.length - gpu.length}):`);
for (const d of disagreements.filter((x) => !x.onlyGpu)) console.log(`  ${describe(d)}`);
