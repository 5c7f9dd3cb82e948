/**
 * Integration: quant-error on a QOperator model (QuantizeLinear → QLinearConv with the Relu folded in →
 * QLinearConv, per-channel second weight → DequantizeLinear) built by hand in test/quant-models.ts,
 * against its fp32 twin, on ort-node:cpu. Intermediate names differ between the two models, so every
 * pair must come from the structure. Weight SNRs are checked against numpy (test/quant-oracle.py).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTensor } from '@crossrt/core';
import { exposeTensors } from '@crossrt/model';
import { findTarget } from '@crossrt/runtime';
import { executeOnTarget, runQuantError, TargetPool } from '../src/index.js';
import { convReluConv, convReluConvQOperator, seededValues, writeModel } from './quant-models.js';

const PYTHON = process.env['CROSSRT_PYTHON'] || '/usr/bin/python3';
const ORACLE = fileURLToPath(new URL('./quant-oracle.py', import.meta.url));
const CPU = findTarget('ort-node:cpu');
const dir = mkdtempSync(join(tmpdir(), 'crossrt-quant-qop-'));
const pool = new TargetPool({ timeoutMs: 60_000 });
afterAll(async () => {
  await pool.close();
  rmSync(dir, { recursive: true, force: true });
});

function weightSnr(fp32: string, int8: string, name: string): number {
  const r = spawnSync(PYTHON, [ORACLE, 'weight-snr', fp32, int8, name], { encoding: 'utf8' });
  if (r.status !== 0)
    throw new Error(`quant-oracle.py needs python3-onnx and python3-numpy: ${r.stderr || r.error?.message}`);
  return (JSON.parse(r.stdout) as { snrDb: number }).snrDb;
}

describe('crossrt quant-error on a QOperator model', { timeout: 60_000 }, () => {
  it('pairs the QLinearConv outputs with the fp32 tensors by structure, the fused Relu included, and every weight', async () => {
    const fp32Proto = convReluConv();
    const fp32 = writeModel(dir, 'crc.onnx', fp32Proto);
    // The fp32 ranges of r1 and y over a few inputs give the output scales, as calibration would.
    const sets = [1, 2, 3, 4].map((k) => ({ x: makeTensor('float32', [1, 3, 8, 8], seededValues(192, k, 1)) }));
    const exposed = writeModel(dir, 'crc.exposed.onnx', exposeTensors(fp32Proto, ['r1']).model);
    const run = await executeOnTarget(pool, CPU, exposed, sets, 0);
    expect(run.outcome.status).toBe('ok');
    const all = (name: string) => run.outputs.flatMap((o) => [...(o.get(name)!.data as Float32Array)]);
    const y = all('y');
    const qop = writeModel(
      dir,
      'crc.qop.onnx',
      convReluConvQOperator(fp32Proto, Math.max(...all('r1')), { min: Math.min(...y), max: Math.max(...y) }),
    );

    const report = await runQuantError({ model: fp32, variant: qop, target: CPU });
    const c = report.cases[0]!;
    expect(c.outcomes.map((o) => o.status)).toEqual(['ok', 'ok']);
    const q = c.quantError!;
    expect(q.format).toBe('qoperator');
    expect(q.activations.map((a) => [a.tensor, a.variantTensor, a.match])).toEqual([
      ['x', 'x_quantized', 'dequantize-linear'],
      ['r1', 'conv1_out_q', 'fused'],
      ['y', 'y', 'dequantize-linear'],
    ]);
    // c1 (before the Relu) exists only in the fp32 model.
    expect(q.unmatched).toEqual({ count: 1, examples: ['c1'] });
    expect(q.weights.map((w) => [w.tensor, w.variantTensor, w.kind, w.axis, w.scales]).sort()).toEqual([
      ['b1', 'b1_quantized', 'bias', null, 1],
      ['b2', 'b2_quantized', 'bias', 0, 4],
      ['w1', 'w1_quantized', 'weight', null, 1],
      ['w2', 'w2_quantized', 'weight', 0, 4],
    ]);
    for (const name of ['w1', 'w2'])
      expect(q.weights.find((w) => w.tensor === name)!.snrDb!, name).toBeCloseTo(weightSnr(fp32, qop, name), 3);
    // Parameters made by round-to-nearest: every weight and bias within half a step of its scale.
    for (const w of q.weights) expect(w.maxErrorInScales, w.tensor).toBeLessThanOrEqual(0.5 + 1e-4);
    // uint8 over [-1, 1]: x's own error is at most half a step, 1/255.
    expect(q.activations[0]!.maxAbsError).toBeLessThanOrEqual(1 / 255 + 1e-6);
    for (const a of q.activations) expect(a.snrDb!, a.tensor).toBeGreaterThan(25);
    expect(q.firstJump).toBeNull();
  });
});
