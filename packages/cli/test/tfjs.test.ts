/**
 * TF.js through the crossrt binary (packages/cli/dist/main.js, spawned like a user would):
 * `crossrt targets` lists the TF.js targets with availability and reason; `crossrt pair` exits 0 on an
 * equivalent conversion, 1 on a converter fault (naming the mapped output), 2 on usage/config errors.
 * Fixtures: fixtures/tfjs/conv-bn-pool (model.onnx, tfjs/model.json, wrong/bn-epsilon-dropped.onnx).
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { ReportSchema } from '@crossrt/core';

vi.setConfig({ testTimeout: 120_000 });

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const bin = join(repo, 'packages/cli/dist/main.js');
const pairDir = join(repo, 'fixtures/tfjs/conv-bn-pool');
const tmp = mkdtempSync(join(tmpdir(), 'crossrt-cli-tfjs-'));

function crossrt(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    env: { ...process.env, CI: 'true' },
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function tfjsNodeInstalled(): boolean {
  try {
    createRequire(join(repo, 'packages/runtime-tfjs/package.json')).resolve('@tensorflow/tfjs-node');
    return true;
  } catch {
    return false;
  }
}

describe('crossrt targets', () => {
  it('lists tfjs:cpu and tfjs:wasm available and tfjs-node:tensorflow with its reason', () => {
    // One probe of the whole catalogue (each target in its own host process) is slow: run it once.
    const r = crossrt('targets');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^tfjs:cpu\s+available\s+tfjs-backend-cpu 4\.22\.0 active/m);
    expect(r.stdout).toMatch(/^tfjs:wasm\s+available\s+tfjs-backend-wasm 4\.22\.0 active/m);
    const line = r.stdout.split('\n').find((l) => l.startsWith('tfjs-node:tensorflow')) ?? '';
    if (!tfjsNodeInstalled()) {
      expect(line).toMatch(
        /^tfjs-node:tensorflow\s+unavailable\s+@tensorflow\/tfjs-node is not installed: it is optional because its install script downloads libtensorflow \(npm drops it when that fails, e\.g\. offline\); add it with npm install -D @tensorflow\/tfjs-node@4\.22\.0$/,
      );
    } else {
      expect(line).toMatch(
        /^tfjs-node:tensorflow\s+(available\s+tfjs-node|unavailable\s+@tensorflow\/tfjs-node is installed but its native binding does not load|unavailable\s+.*backend "tensorflow" failed)/,
      );
    }
  });
});

describe('crossrt pair', () => {
  it('exits 0 on the correct export, prints the inferred mapping and writes a schema-valid report', () => {
    const out = join(tmp, 'pair.json');
    const r = crossrt('pair', pairDir, '--targets', 'ort-node:cpu,tfjs:cpu,tfjs:wasm', '--json', out);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toContain(
      'input  input ↔ conv_a_input  [inferred] the only input on each side; NCHW→NHWC (perm [0,2,3,1])',
    );
    expect(r.stdout).toContain('output output ↔ conv_b  [inferred]');
    expect(r.stdout).toContain('diagnosis: equivalent');
    const report = ReportSchema.parse(JSON.parse(readFileSync(out, 'utf8')));
    expect(report.command).toBe('pair');
    expect(report.cases[0]!.comparisons.map((c) => [c.target, c.verdict])).toEqual([
      ['tfjs/model.json@tfjs:cpu', 'pass'],
      ['tfjs/model.json@tfjs:wasm', 'pass'],
      ['tfjs/model.json@tfjs:wasm', 'pass'],
    ]);
  });

  it('exits 1 on a wrong export and names the mapped output and the conversion as the cause', () => {
    const r = crossrt(
      'pair',
      pairDir,
      '--onnx',
      join(pairDir, 'wrong/bn-epsilon-dropped.onnx'),
      '--targets',
      'ort-node:cpu,tfjs:cpu',
    );
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(
      /output ↔ conv_b\s+tfjs\/model\.json@tfjs:cpu\s+wrong\/bn-epsilon-dropped\.onnx@ort-node:cpu\s+MISMATCH/,
    );
    expect(r.stdout).toContain(
      'diagnosis: conversion: the wrong/bn-epsilon-dropped.onnx and tfjs/model.json artifacts disagree on output ↔ conv_b',
    );
  });

  it('--layers names the first TF.js layer whose output diverges from its ONNX tensor', () => {
    const r = crossrt(
      'pair',
      pairDir,
      '--onnx',
      join(pairDir, 'wrong/bn-epsilon-dropped.onnx'),
      '--targets',
      'ort-node:cpu,tfjs:cpu',
      '--layers',
      '-q',
    );
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/^\s+conv_a\s+conv_a_0\s+NCHW→NHWC \(perm \[0,2,3,1\]\)\s+pass/m);
    expect(r.stdout).toMatch(/^\s+bn_a\s+bn_a_1\s+NCHW→NHWC \(perm \[0,2,3,1\]\)\s+mismatch/m);
    expect(r.stdout).toContain('first divergence: layer bn_a');
  });

  it('exits 2 with a one-line error on usage and config mistakes', () => {
    const noTfjs = crossrt('pair', '--onnx', join(pairDir, 'model.onnx'));
    expect(noTfjs.code).toBe(2);
    expect(noTfjs.stderr).toMatch(/^crossrt: USAGE: a pair needs an ONNX model and a TF\.js model\.json\n {2}hint: /);
    const oneFormat = crossrt('pair', pairDir, '--targets', 'ort-node:cpu,ort-web:wasm');
    expect(oneFormat.code).toBe(2);
    expect(oneFormat.stderr).toMatch(/^crossrt: USAGE: .*a pair run needs an ONNX target and a TF\.js target/);
    const cfg = join(tmp, 'bad-pair.json');
    writeFileSync(
      cfg,
      JSON.stringify({
        onnx: join(pairDir, 'model.onnx'),
        tfjs: join(pairDir, 'tfjs/model.json'),
        outputs: [{ onnx: 'output', tfjs: 'nope' }],
      }),
    );
    const badName = crossrt('pair', cfg);
    expect(badName.code).toBe(2);
    expect(badName.stdout).toContain('PAIR_CONFIG_INVALID');
    expect(badName.stdout).toContain('mapping names TF.js output "nope"');
    expect(`${badName.stdout}${badName.stderr}`).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/);
  });
});
