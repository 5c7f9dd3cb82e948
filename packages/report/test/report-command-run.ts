/**
 * What both `crossrt report` test files share: the built CLI (packages/cli/dist/main.js, spawned; build
 * first) and the real conformance run they render, over libonnx-testdata node/test_add, test_dft,
 * test_adam and test_identity_sequence on ort-node:cpu and ort-web:wasm.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

export const repo = fileURLToPath(new URL('../../../', import.meta.url));
const bin = join(repo, 'packages/cli/dist/main.js');
export const NODE_CASES = '/usr/share/libonnx-testdata/data/node';
const CASES = ['test_add', 'test_dft', 'test_adam', 'test_identity_sequence'];
export const TARGETS = ['ort-node:cpu', 'ort-web:wasm'];
export const artifacts = join(repo, 'out/test-artifacts');

export function crossrt(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    env: { ...process.env, CI: 'true', GITHUB_WORKSPACE: '' },
    timeout: 180_000,
    cwd: repo,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `crossrt conformance` over the cases, its JSON report written to `reportPath` (for a beforeAll). */
export function conformanceRun(reportPath: string): void {
  expect(existsSync(bin), `build the CLI first (cd packages/cli && npx tsc -b): ${bin}`).toBe(true);
  const run = crossrt(
    'conformance',
    ...CASES.map((c) => join(NODE_CASES, c)),
    '--targets',
    TARGETS.join(','),
    '--json',
    reportPath,
    '-q',
  );
  expect(existsSync(reportPath), run.stderr).toBe(true);
}
