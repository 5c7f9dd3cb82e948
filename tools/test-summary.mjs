#!/usr/bin/env node
/**
 * Sums the vitest JSON results every package wrote (packages/*\/.test-results.json, from the
 * `--reporter=json` in each package's test script) and prints one closing line,
 * `N passed, N failed, N skipped`, so CI logs end with a total over all projects.
 *
 * With CI=true a skipped test (skip, skipIf, runIf, todo) fails the run, each one named: setup
 * (tools/setup.sh) installs everything the tests need, so on CI a skip can only hide a broken
 * install. Likewise a package with a test script but no results file. Opt-in tests are left out of
 * the collection by their package's vitest.config.ts instead of skipped.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const repo = join(import.meta.dirname, '..');
const root = join(repo, 'packages');
const ci = process.env['CI'] === 'true' || process.env['CI'] === '1';
const NOT_RUN = new Set(['skipped', 'pending', 'todo', 'disabled']);
let passed = 0,
  failed = 0,
  skipped = 0;
const skips = [];
const noResults = [];
for (const pkg of readdirSync(root).sort()) {
  const manifest = join(root, pkg, 'package.json');
  const file = join(root, pkg, '.test-results.json');
  if (!existsSync(file)) {
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).scripts?.test) noResults.push(pkg);
    continue;
  }
  const r = JSON.parse(readFileSync(file, 'utf8'));
  passed += r.numPassedTests ?? 0;
  failed += r.numFailedTests ?? 0;
  skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  if ((r.numFailedTests ?? 0) > 0 || r.success === false) console.log(`${pkg}: ${r.numFailedTests} failed`);
  for (const f of r.testResults ?? []) {
    for (const t of f.assertionResults ?? []) {
      if (NOT_RUN.has(t.status)) skips.push(`${relative(repo, f.name)} > ${t.fullName} (${t.status})`);
    }
  }
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
let fail = failed > 0;
if (skips.length > 0 || skipped > 0) {
  console.log(
    `${ci ? 'error' : 'note'}: ${Math.max(skips.length, skipped)} test(s) did not run${ci ? ' (CI=true: a skip hides a broken install; run npm run setup)' : ''}:`,
  );
  for (const s of skips) console.log(`  ${s}`);
  if (ci) fail = true;
}
if (ci && noResults.length > 0) {
  console.log(
    `error: no test results from ${noResults.join(', ')} (packages/<name>/.test-results.json): their tests did not run`,
  );
  fail = true;
}
process.exitCode = fail ? 1 : 0;
