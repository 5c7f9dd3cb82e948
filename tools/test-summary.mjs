#!/usr/bin/env node
/**
 * Sums the vitest JSON results every package wrote (packages/*\/.test-results.json) and prints one
 * closing line, `N passed, N failed, N skipped`, so CI logs end with a total over all projects.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', 'packages');
let passed = 0, failed = 0, skipped = 0;
for (const pkg of readdirSync(root).sort()) {
  const file = join(root, pkg, '.test-results.json');
  if (!existsSync(file)) continue;
  const r = JSON.parse(readFileSync(file, 'utf8'));
  passed += r.numPassedTests ?? 0;
  failed += r.numFailedTests ?? 0;
  skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  if ((r.numFailedTests ?? 0) > 0 || r.success === false) console.log(`${pkg}: ${r.numFailedTests} failed`);
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exitCode = failed > 0 ? 1 : 0;
