/**
 * `crossrt torch` end to end, spawned as a user would, with Debian's torch through crossrt's bridge.
 * Fixtures: fixtures/torch/torchvision_models.py (squeezenet1_1, seeded random weights) and
 * fixtures/torch/faulty_exporters.py (BatchNorm exported with epsilon 1e-2).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ReportSchema } from '@crossrt/core';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const bin = join(repo, 'packages/cli/dist/main.js');
const tmp = mkdtempSync(join(tmpdir(), 'crossrt-cli-torch-'));

function crossrt(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd: join(repo, 'fixtures/torch'),
    encoding: 'utf8',
    env: { ...process.env, CI: 'true', ...env },
    timeout: 240_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('crossrt torch', { timeout: 240_000 }, () => {
  it('has its own usage line', () => {
    const r = crossrt(['torch', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: crossrt torch \[options\] <callable>/m);
    expect(r.stdout).toContain('--layerwise <auto|always|off>');
  });

  it('exports at two opsets, passes against PyTorch on the Node targets, exits 0 and writes JSON and HTML', () => {
    const json = join(tmp, 'pass.json');
    const html = join(tmp, 'pass.html');
    const r = crossrt([
      'torch',
      'torchvision_models.py:squeezenet1_1',
      '--opset',
      '13,17',
      '-t',
      'ort-node:cpu,ort-web:wasm',
      '--out-dir',
      join(tmp, 'exports'),
      '--json',
      json,
      '--html',
      html,
    ]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toMatch(/SOURCE torchvision_models\.py:squeezenet1_1 \(SqueezeNet\): torch 1\.13/);
    expect(r.stdout).toMatch(
      /PASS torchvision_models\.squeezenet1_1@opset13: every target that ran agrees with PyTorch/,
    );
    const report = ReportSchema.parse(JSON.parse(readFileSync(json, 'utf8')));
    expect(report.command).toBe('torch');
    expect(report.totals).toMatchObject({ cases: 2, passed: 2 });
    expect(existsSync(join(tmp, 'exports', 'torchvision_models.squeezenet1_1@opset17.onnx'))).toBe(true);
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('Source model (oracle)');
    expect(page).toContain('torch.onnx.export');
  });

  it('a converter fault exits 1 and prints the culprit module with the module table', () => {
    const r = crossrt([
      'torch',
      'faulty_exporters.py:resnet18_bn_epsilon',
      '--opset',
      '17',
      '-t',
      'ort-node:cpu',
      '--out-dir',
      join(tmp, 'exports'),
    ]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(
      /NUMERIC-MISMATCH faulty_exporters\.resnet18_bn_epsilon@opset17: output on ort-node:cpu: mismatch: .*first divergent module: conv1/,
    );
    expect(r.stdout).toMatch(/CULPRIT #0 conv1 \(Conv2d\): module conv1 \(Conv2d\) \(the exporter folded bn1 into it/);
    expect(r.stdout).toMatch(/modules paired with ONNX tensors: 75\/75/);
    expect(r.stdout).toMatch(/^\s+0\s+conv1\s+Conv2d\s+culprit/m);
  });

  it('without an interpreter that can import torch: SOURCE_UNAVAILABLE, exit 2, with the apt hint', () => {
    const missing = crossrt(['torch', 'torchvision_models.py:resnet18', '-t', 'ort-node:cpu'], {
      CROSSRT_PYTHON: '/nonexistent/python3',
    });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(
      'crossrt: SOURCE_UNAVAILABLE: CROSSRT_PYTHON=/nonexistent/python3 cannot be used: not found',
    );
    expect(missing.stderr).toContain('apt-get install python3-torch python3-torchvision python3-onnx python3-numpy');
    // A real interpreter that cannot see Debian's dist-packages (-S: no site directories), as a pyenv one.
    const bare = join(tmp, 'python-no-site');
    writeFileSync(bare, '#!/bin/sh\nexec /usr/bin/python3 -S "$@"\n');
    chmodSync(bare, 0o755);
    const noTorch = crossrt(['torch', 'torchvision_models.py:resnet18', '-t', 'ort-node:cpu'], {
      CROSSRT_PYTHON: bare,
    });
    expect(noTorch.code).toBe(2);
    expect(noTorch.stderr).toMatch(
      /SOURCE_UNAVAILABLE: CROSSRT_PYTHON=.*python-no-site cannot be used: cannot import torch, onnx, numpy/,
    );
  });

  it('a missing callable file is SOURCE_CALLABLE_INVALID, exit 2', () => {
    const r = crossrt(['torch', 'no_such_models.py:build', '-t', 'ort-node:cpu', '--out-dir', join(tmp, 'exports')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('crossrt: SOURCE_CALLABLE_INVALID: no_such_models.py does not exist');
  });

  it('bad flags are usage errors', () => {
    expect(crossrt(['torch', 'x.py:f', '--fold', 'maybe']).code).toBe(2);
    expect(crossrt(['torch', 'x.py:f', '--opset', 'thirteen']).stderr).toContain('--opset expects opset numbers');
  });
});
