/**
 * The crossrt binary end to end (packages/cli/dist/main.js, spawned like a user would):
 * exit 0 on agreement, 1 on a real discrepancy, 2 on usage/input errors with a one-line message.
 * Fixtures: fixtures/models/affine-relu.onnx, libonnx-testdata node/test_conv_with_strides_padding.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ReportSchema } from '@crossrt/core';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const bin = join(repo, 'packages/cli/dist/main.js');
const fixture = join(repo, 'fixtures/models/affine-relu.onnx');
const conv = '/usr/share/libonnx-testdata/data/node/test_conv_with_strides_padding/model.onnx';
const tmp = mkdtempSync(join(tmpdir(), 'crossrt-cli-'));

function crossrt(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    env: { ...process.env, CI: 'true' },
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function expectOneLineError(stderr: string, code: string, mention: string) {
  const lines = stderr.trim().split('\n');
  expect(lines[0]).toMatch(new RegExp(`^crossrt: ${code}: .*${mention.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  expect(stderr).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/); // no stack trace
  expect(lines.length).toBeLessThanOrEqual(2); // the message and its hint
}

describe('crossrt run exit codes', () => {
  it('exits 0 when both targets agree, prints the table and writes a schema-valid report', () => {
    const out = join(tmp, 'ok.json');
    const r = crossrt(
      'run',
      fixture,
      '--targets',
      'ort-node:cpu,ort-web:wasm',
      '--dim',
      'N=4',
      '--seed',
      '3',
      '--json',
      out,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/output\s+target\s+vs\s+verdict\s+max_abs\s+max_rel/);
    expect(r.stdout).toMatch(/^\s+y\s+ort-web:wasm\s+ort-node:cpu\s+pass/m);
    const report = ReportSchema.parse(JSON.parse(readFileSync(out, 'utf8')));
    expect(report.settings.seed).toBe(3);
    expect(report.cases[0]!.inputs[0]!.dims).toEqual([4, 2]);
  });

  it('exits 1 on a real last-bit discrepancy (conv with strides/padding, rtol 0 atol 0)', () => {
    const r = crossrt('run', conv, '--targets', 'ort-node:cpu,ort-web:wasm', '--rtol', '0', '--atol', '0');
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/^\s+y\s+ort-web:wasm\s+ort-node:cpu\s+MISMATCH/m);
  });

  it('exits 2 for a missing file', () => {
    const r = crossrt('run', join(tmp, 'nope.onnx'));
    expect(r.code).toBe(2);
    expectOneLineError(r.stderr, 'FILE_NOT_FOUND', 'nope.onnx');
  });

  it('exits 2 for a file that is not ONNX and for a truncated model', () => {
    const garbage = join(tmp, 'garbage.onnx');
    writeFileSync(garbage, 'this is not a protobuf model at all\n');
    const g = crossrt('run', garbage);
    expect(g.code).toBe(2);
    expect(g.stdout).toMatch(/MODEL_(INVALID|TRUNCATED): .*garbage\.onnx/);
    const truncated = join(tmp, 'truncated.onnx');
    const bytes = readFileSync(fixture);
    writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    const t = crossrt('run', truncated);
    expect(t.code).toBe(2);
    expect(t.stdout).toMatch(/MODEL_TRUNCATED: .*truncated\.onnx is truncated/);
    expect(`${g.stdout}${g.stderr}${t.stdout}${t.stderr}`).not.toMatch(/\n\s+at /);
  });

  it('exits 2 for an unknown target id, a malformed one, a bad number and an unknown flag', () => {
    expectOneLineError(
      crossrt('run', fixture, '--targets', 'ort-node:cpu,ort-node:tpu').stderr,
      'UNKNOWN_TARGET',
      'ort-node:tpu',
    );
    expect(crossrt('run', fixture, '--targets', 'ort-node:cpu,ort-node:tpu').code).toBe(2);
    expectOneLineError(
      crossrt('run', fixture, '--targets', 'cpu').stderr,
      'UNKNOWN_TARGET',
      '"cpu" is not a target id',
    );
    expectOneLineError(
      crossrt('run', fixture, '--rtol', 'abc').stderr,
      'USAGE',
      '--rtol expects a non-negative number',
    );
    const flag = crossrt('run', fixture, '--no-such-flag');
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/^crossrt: USAGE: unknown option '--no-such-flag'/);
  });
});

describe('crossrt targets', () => {
  // Probing launches Chromium and the WebGPU adapters: 5-10 s on 2 busy cores.
  it('lists each known target with its availability and reason', { timeout: 60_000 }, () => {
    const r = crossrt('targets', '--json');
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as { target: string; available: boolean; reason: string }[];
    expect(rows.find((x) => x.target === 'ort-node:cpu')).toMatchObject({
      available: true,
      reason: expect.stringMatching(/onnxruntime-node 1\.\d+/),
    });
    expect(rows.find((x) => x.target === 'ort-web:wasm')).toMatchObject({ available: true });
    for (const row of rows) expect(row.reason.length).toBeGreaterThan(0);
  });
});
