/** `crossrt run --repeat / --noise-floor` as a user runs them. Fixture: fixtures/models/affine-relu.onnx. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const bin = join(repo, 'packages/cli/dist/main.js');
const model = join(repo, 'fixtures/models/affine-relu.onnx');
const crossrt = (...args: string[]) =>
  spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    env: { ...process.env, CI: 'true' },
    timeout: 120_000,
  });

describe('crossrt run --repeat', { timeout: 120_000 }, () => {
  it('prints per target whether its repeated runs were bit-identical', () => {
    const r = crossrt('run', model, '--dim', 'N=8', '-t', 'ort-node:cpu,ort-web:wasm', '--repeat', '3');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/ort-node:cpu: ok .* · 3 runs bit-identical/);
    expect(r.stdout).toMatch(/ort-web:wasm: ok .* · 3 runs bit-identical/);
  });

  it('--noise-floor needs repeated runs', () => {
    const r = crossrt('run', model, '--dim', 'N=8', '--noise-floor', '3');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('crossrt: USAGE: --noise-floor needs --repeat 2 or more');
  });
});
