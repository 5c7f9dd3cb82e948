/**
 * `crossrt localize` and `crossrt reduce` end to end (packages/cli/dist/main.js spawned like a user would).
 * Fixtures (tools/make-fault-fixtures.mjs): fixtures/faults/chain.onnx, chain-fault-bias2.onnx (bias of
 * node bias2 shifted), conv-chain.onnx (a Conv that ort-node:cpu and ort-web:wasm round differently).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ReportSchema } from '@crossrt/core';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const bin = join(repo, 'packages/cli/dist/main.js');
const fault = (name: string) => join(repo, 'fixtures/faults', name);
const tmp = mkdtempSync(join(tmpdir(), 'crossrt-cli-localize-'));

function crossrt(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    env: { ...process.env, CI: 'true' },
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('crossrt localize', { timeout: 60_000 }, () => {
  it('names the changed node of a variant, prints the per-node table, exits 1 and writes the localization into the report', () => {
    const json = join(tmp, 'localize.json');
    const r = crossrt('localize', fault('chain.onnx'), '--variant', fault('chain-fault-bias2.onnx'), '--json', json);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/CULPRIT #5 bias2 \(Add\): output h5 mismatch/);
    expect(r.stdout).toMatch(/^\s+5\s+bias2\s+Add\s+culprit/m);
    expect(r.stdout).toMatch(/variant changes: initializer b2 \(1\/8 value\(s\) differ/);
    expect(r.stdout).toMatch(/error growth/);
    const report = ReportSchema.parse(JSON.parse(readFileSync(json, 'utf8')));
    expect(report.command).toBe('localize');
    const l = report.cases[0]!.localization!;
    expect(l.culprit?.node).toBe('bias2');
    expect(l.nodes.map((n) => n.status)).toEqual([
      'agree',
      'agree',
      'agree',
      'agree',
      'agree',
      'culprit',
      ...Array(7).fill('diverged'),
    ]);
  });

  it('exits 0 when the two sides agree', () => {
    const r = crossrt('localize', fault('chain.onnx'), '--variant', fault('chain.onnx'), '-q');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/no culprit: every exposed tensor agrees/);
  });

  it('writes every file the shared report flags name (--json, --junit, --markdown, --html)', () => {
    const out = (ext: string) => join(tmp, `files.${ext}`);
    const r = crossrt(
      'localize',
      fault('chain.onnx'),
      '--variant',
      fault('chain-fault-bias2.onnx'),
      '-q',
      '--json',
      out('json'),
      '--junit',
      out('xml'),
      '--markdown',
      out('md'),
      '--html',
      out('html'),
    );
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toContain(`report written to ${out('json')}`);
    for (const [kind, ext] of [
      ['junit', 'xml'],
      ['markdown', 'md'],
      ['html', 'html'],
    ])
      expect(r.stdout).toContain(`${kind} report written to ${out(ext!)}`);
    expect(ReportSchema.parse(JSON.parse(readFileSync(out('json'), 'utf8'))).command).toBe('localize');
    // chain.onnx's two graph outputs (tools/make-fault-fixtures.mjs), both moved by the shifted bias: two failing testcases.
    const junit = readFileSync(out('xml'), 'utf8');
    expect([...junit.matchAll(/<testcase [^>]*name="([^"]+)"/g)].map((m) => m[1])).toEqual(['y', 'z']);
    expect(junit).toMatch(/<testsuites name="crossrt localize" tests="2" failures="2"/);
    expect(readFileSync(out('md'), 'utf8').split('\n')[0]).toBe('## ❌ crossrt localize: 1 of 1 case(s) fail');
    expect(readFileSync(out('html'), 'utf8')).toMatch(/^<!doctype html>/i);
  });

  it('refuses three targets for one model, several input sets and a missing model with exit 2', () => {
    const three = crossrt('localize', fault('chain.onnx'), '--targets', 'ort-node:cpu,ort-web:wasm,tfjs:cpu');
    expect(three.code).toBe(2);
    expect(three.stderr).toMatch(/^crossrt: USAGE: comparing one model needs exactly two targets/);
    const samples = crossrt(
      'reduce',
      fault('chain.onnx'),
      '--variant',
      fault('chain-fault-bias2.onnx'),
      '--samples',
      '2',
    );
    expect(samples.code).toBe(2);
    expect(samples.stderr).toMatch(/^crossrt: USAGE: localize and reduce work on one input set: --samples/);
    const missing = crossrt('localize', join(tmp, 'nope.onnx'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^crossrt: FILE_NOT_FOUND: /);
    expect(missing.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('crossrt reduce', { timeout: 60_000 }, () => {
  it('shrinks the conv-chain discrepancy between ort-node:cpu and ort-web:wasm to the Conv and the written repro reproduces with crossrt run', () => {
    const out = join(tmp, 'conv-reduced');
    const r = crossrt(
      'reduce',
      fault('conv-chain.onnx'),
      '--targets',
      'ort-node:cpu,ort-web:wasm',
      '--rtol',
      '0',
      '--atol',
      '0',
      '-o',
      out,
    );
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/nodes before: 4 {2}after: 1/);
    expect(r.stdout).toMatch(/kept conv \(Conv\)/);
    for (const f of ['model.onnx', 'inputs.npz', 'test_data_set_0/input_0.pb', 'test_data_set_0/output_0.pb'])
      expect(existsSync(join(out, f)), f).toBe(true);
    const again = crossrt(
      'run',
      join(out, 'model.onnx'),
      '--input',
      join(out, 'inputs.npz'),
      '--targets',
      'ort-node:cpu,ort-web:wasm',
      '--rtol',
      '0',
      '--atol',
      '0',
    );
    expect(again.code, again.stderr).toBe(1);
    expect(again.stdout).toMatch(/^\s+c\s+ort-web:wasm\s+ort-node:cpu\s+MISMATCH/m);
  });
});
