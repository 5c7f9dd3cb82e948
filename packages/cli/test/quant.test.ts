/**
 * `crossrt quantize` and `crossrt quant-error` end to end, spawned as a user would, on ort-node:cpu.
 * Models: fixtures/inputs/classifier-fp32.onnx (logits = x·W + b) and classifier-int8.onnx, its
 * weight-only int8 twin from tools/make-inputs-fixtures.mjs (DequantizeLinear(Wq, scale, 0) writes W, so
 * every activation keeps its name), fixtures/models/affine-relu.onnx as an unrelated model.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { QuantizeRecordSchema, ReportSchema } from '@crossrt/core';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const bin = join(repo, 'packages/cli/dist/main.js');
const fixture = (p: string) => join(repo, 'fixtures', p);
const fp32 = fixture('inputs/classifier-fp32.onnx');
const int8 = fixture('inputs/classifier-int8.onnx');
const tmp = mkdtempSync(join(tmpdir(), 'crossrt-cli-quant-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function crossrt(args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    env: { ...process.env, CI: 'true' },
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('crossrt quantize / quant-error CLI', { timeout: 120_000 }, () => {
  it("prints each command's own usage line", () => {
    const q = crossrt(['quant-error', '--help']);
    expect(q.code).toBe(0);
    expect(q.stdout.split('\n')[0]).toBe('Usage: crossrt quant-error [options] <fp32> <int8>');
    expect(q.stdout).toMatch(/--jump-db <dB>/);
    const z = crossrt(['quantize', '--help']);
    expect(z.code).toBe(0);
    expect(z.stdout.split('\n')[0]).toBe('Usage: crossrt quantize [options] <model>');
    expect(z.stdout).toMatch(/--per-channel/);
    expect(z.stdout).toMatch(/--calibration-sets <n>/);
  });

  it('quantizes a model, writes the record, and quant-error reads the result back (exit 0, JSON and HTML)', () => {
    const out = join(tmp, 'classifier.qdq.onnx');
    const q = crossrt([
      'quantize',
      fp32,
      '--out',
      out,
      '--per-channel',
      '--calibration-sets',
      '3',
      '--seed',
      '7',
      '--json',
      join(tmp, 'q.json'),
    ]);
    expect(q.code, q.stderr).toBe(0);
    // MatMul and Add: x, xw, logits get Q/DQ pairs; W (per channel) and the Add's b (a constant, uint8) are quantized.
    expect(q.stdout).toMatch(/2 node\(s\) quantized: 3 activation\(s\), 2 weight\(s\), 0 bias\(es\)/);
    const record = QuantizeRecordSchema.parse(JSON.parse(readFileSync(join(tmp, 'q.json'), 'utf8')));
    expect(record).toMatchObject({ calibrationSets: 3, seed: 7, perChannel: true, check: { status: 'ok' } });
    expect(existsSync(out)).toBe(true);
    const e = crossrt([
      'quant-error',
      fp32,
      out,
      '--json',
      join(tmp, 'qe.json'),
      '--html',
      join(tmp, 'qe.html'),
      '--all',
    ]);
    expect(e.code, e.stderr).toBe(0);
    expect(e.stdout).toMatch(/quant-error \(qdq\)/);
    expect(e.stdout).toMatch(/tensors in graph order:/);
    const report = ReportSchema.parse(JSON.parse(readFileSync(join(tmp, 'qe.json'), 'utf8')));
    expect(report.command).toBe('quant-error');
    const qe = report.cases[0]!.quantError!;
    expect(qe.activations.map((a) => [a.tensor, a.match])).toEqual([
      ['x', 'dequantize-linear'],
      ['xw', 'dequantize-linear'],
      ['logits', 'dequantize-linear'],
    ]);
    expect(qe.weights.map((w) => [w.tensor, w.kind, w.axis]).sort()).toEqual([
      ['W', 'weight', 1],
      ['b', 'constant', null],
    ]);
    expect(readFileSync(join(tmp, 'qe.html'), 'utf8')).toContain('Quantization error: int8 against fp32');
  });

  it('matches a weight-only int8 model whose DequantizeLinear keeps the fp32 names', () => {
    const e = crossrt(['quant-error', fp32, int8, '--json', join(tmp, 'w.json')]);
    expect(e.code, e.stderr).toBe(0);
    const qe = ReportSchema.parse(JSON.parse(readFileSync(join(tmp, 'w.json'), 'utf8'))).cases[0]!.quantError!;
    expect(qe.activations.map((a) => [a.tensor, a.variantTensor, a.match])).toEqual([
      ['x', 'x', 'name'],
      ['xw', 'xw', 'name'],
      ['logits', 'logits', 'name'],
    ]);
    // The input is fed unquantized to both: identical.
    expect(qe.activations[0]!.snrDb).toBeNull();
    expect(qe.weights.map((w) => [w.tensor, w.variantTensor, w.scales])).toEqual([['W', 'Wq', 1]]);
    expect(qe.weights[0]!.maxErrorInScales).toBeLessThanOrEqual(0.5 + 1e-6);
  });

  it('exit 2 with a typed error for inputs that cannot be compared', () => {
    const notQuantized = crossrt(['quant-error', fp32, fp32]);
    expect(notQuantized.code).toBe(2);
    expect(notQuantized.stderr).toMatch(/^crossrt: MODEL_NOT_QUANTIZED: /);
    expect(notQuantized.stderr).toMatch(/hint: /);
    const mismatched = crossrt(['quant-error', fixture('models/affine-relu.onnx'), int8]);
    expect(mismatched.code).toBe(2);
    expect(mismatched.stderr).toMatch(/^crossrt: QUANT_MODELS_MISMATCHED: /);
    const missing = crossrt(['quant-error', join(tmp, 'nope.onnx'), int8]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^crossrt: FILE_NOT_FOUND: /);
    const twoTargets = crossrt(['quant-error', fp32, int8, '-t', 'ort-node:cpu,ort-web:wasm']);
    expect(twoTargets.code).toBe(2);
    expect(twoTargets.stderr).toMatch(/^crossrt: USAGE: quant-error compares both models on one target/);
    expect(crossrt(['quantize', fp32]).code).toBe(2);
    const badType = crossrt(['quantize', fp32, '--out', join(tmp, 'x.onnx'), '--activation-type', 'int4']);
    expect(badType.code).toBe(2);
    expect(badType.stderr).toMatch(/--activation-type expects uint8 or int8/);
  });
});
