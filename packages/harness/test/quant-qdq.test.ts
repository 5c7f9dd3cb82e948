/**
 * Integration: crossrt's QDQ quantizer and quant-error on ort-node:cpu, judged by numbers from
 * outside crossrt — onnx 1.12's checker and numpy in test/quant-oracle.py (/usr/bin/python3, or
 * $CROSSRT_PYTHON), and error sizes derived by hand in the comments. Models come from
 * test/quant-models.ts (graph-builder, seeded weights). Without numpy/onnx the tests fail, never skip.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTensor, type HostTensor } from '@crossrt/core';
import { decodeModel, encodeModel, encodeNpy, tensorFromProto, tensorToProto } from '@crossrt/model';
import { findTarget } from '@crossrt/runtime';
import { executeOnTarget, quantizeModelFile, runQuantError, TargetPool } from '../src/index.js';
import { convChain, seededValues, singleConv, writeModel } from './quant-models.js';

const PYTHON = process.env['CROSSRT_PYTHON'] || '/usr/bin/python3';
const ORACLE = fileURLToPath(new URL('./quant-oracle.py', import.meta.url));
const CPU = findTarget('ort-node:cpu');
const dir = mkdtempSync(join(tmpdir(), 'crossrt-quant-qdq-'));
const pool = new TargetPool({ timeoutMs: 60_000 });
afterAll(async () => {
  await pool.close();
  rmSync(dir, { recursive: true, force: true });
});

function oracle(...args: string[]): Record<string, number | boolean> {
  const r = spawnSync(PYTHON, [ORACLE, ...args], { encoding: 'utf8' });
  if (r.status !== 0)
    throw new Error(
      `${PYTHON} quant-oracle.py ${args[0]} failed (these tests need python3-onnx and python3-numpy): ${r.stderr || r.error?.message}`,
    );
  return JSON.parse(r.stdout) as Record<string, number | boolean>;
}

async function runOne(path: string, x: HostTensor): Promise<HostTensor> {
  const exec = await executeOnTarget(pool, CPU, path, [{ x }], 0);
  expect(exec.outcome.status, exec.outcome.error?.message).toBe('ok');
  return exec.outputs[0]!.get('y')!;
}

describe('crossrt quantize (QDQ)', { timeout: 60_000 }, () => {
  // 7-bit weights (reduce_range) wherever ORT's fused int8 kernels compute the result: with full-range
  // weights, ORT on an x86 CPU without VNNI saturates int16 sums (VPMADDUBSW) and leaves the hand bound
  // (measured here on an AVX2-only EPYC: max error 0.72 against a bound of 0.072; 0.021 with ORT's QDQ
  // fusion off). The full-range parameters are checked by the weight-SNR test below and quant-params.test.ts.
  it('writes a model onnx.checker accepts, that runs on ORT, with every parameter as defined and the error inside the hand-derived bound', async () => {
    const fp32 = writeModel(dir, 'single-conv.onnx', singleConv());
    const out = join(dir, 'single-conv.qdq.onnx');
    const record = await quantizeModelFile({
      model: fp32,
      out,
      perChannel: true,
      reduceRange: true,
      calibrationSets: 8,
    });
    expect(record).toMatchObject({
      reduceRange: true,
      quantizedNodes: 1,
      activations: 2,
      weights: 1,
      biases: 1,
      check: { status: 'ok' },
      perChannel: true,
      activationType: 'uint8',
    });
    expect(oracle('check', out)).toEqual({ ok: true });
    // Inputs inside the calibration sets' range (uniform[-1,1) over 8 × 192 values reaches beyond ±0.99), so x only rounds.
    const x = makeTensor('float32', [1, 3, 8, 8], seededValues(192, 99, 0.9));
    const yq = await runOne(out, x);
    writeFileSync(join(dir, 'x.npy'), encodeNpy(x));
    writeFileSync(join(dir, 'yq.npy'), encodeNpy(yq));
    const b = oracle('conv-bound', fp32, out, join(dir, 'x.npy'), join(dir, 'yq.npy'), '64');
    expect(b['withinBound'], JSON.stringify(b)).toBe(true);
    // x over ~[-1, 1] in 255 steps: s_x ≈ 2/255, zero point ≈ 127.5.
    expect(b['xScale'] as number).toBeGreaterThan(1.95 / 255);
    expect(b['xScale'] as number).toBeLessThanOrEqual(2 / 255 + 1e-9);
    expect(Math.abs((b['xZeroPoint'] as number) - 127.5)).toBeLessThanOrEqual(2);
    // A real error, not a copy of the fp32 model: rounding 27 products per output leaves some.
    expect(b['maxError'] as number).toBeGreaterThan(0);
    expect(b['snrDb'] as number).toBeGreaterThan(30);
  });

  it('per channel beats per tensor by the hand-derived margin on a conv whose channels differ in scale up to ×100', async () => {
    const fp32 = writeModel(dir, 'uneven.onnx', singleConv([1, 0.01, 0.5, 0.02]));
    const snr = async (perChannel: boolean) => {
      const out = join(dir, `uneven.${perChannel}.onnx`);
      await quantizeModelFile({ model: fp32, out, perChannel, calibrationSets: 4 });
      return Number(oracle('weight-snr', fp32, out, 'w')['snrDb']);
    };
    const [tensor, channel] = [await snr(false), await snr(true)];
    // Rounding error power is ∝ Σ_c s_c² over equal-sized channels: one scale s for all gives 4 s²,
    // one per channel gives s² Σ k_c² (k = 1, 0.01, 0.5, 0.02) = 1.2505 s², a gain of 10·log10(4 / 1.2505) ≈ 5.05 dB
    // (the channels' own max|w| vary a little around k_c · 0.5, hence the ±1 dB).
    expect(channel - tensor).toBeGreaterThan(10 * Math.log10(4 / 1.2505) - 1);
    expect(channel - tensor).toBeLessThan(10 * Math.log10(4 / 1.2505) + 1);
  });
});

describe('crossrt quant-error on a QDQ model with one broken weight', { timeout: 60_000 }, () => {
  it('puts that weight first and names the tensor it feeds as the first jump', async () => {
    const fp32 = writeModel(dir, 'chain.onnx', convChain());
    const good = join(dir, 'chain.qdq.onnx');
    await quantizeModelFile({ model: fp32, out: good, reduceRange: true, calibrationSets: 8 });
    // Break conv2's weight: its scale ×50, its int8 values left as they are.
    const proto = decodeModel(new Uint8Array(readFileSync(good)));
    const g = proto.graph!;
    const i = g.initializer.findIndex((t) => t.name === 'w2_scale');
    const s = tensorFromProto(g.initializer[i]!);
    g.initializer[i] = tensorToProto(
      makeTensor(
        'float32',
        s.dims,
        Float32Array.from(s.data as Float32Array, (v) => v * 50),
      ),
      'w2_scale',
    );
    const broken = join(dir, 'chain.broken.onnx');
    writeFileSync(broken, encodeModel(proto));

    const report = await runQuantError({ model: fp32, variant: broken, target: CPU });
    const q = report.cases[0]!.quantError!;
    expect(q.format).toBe('qdq');
    expect(q.weights[0]!.tensor).toBe('w2');
    // Dequantized = 50 · (q·s) ≈ 50 w, so the error ≈ 49 w: SNR ≈ −20·log10(49) = −33.8 dB.
    expect(q.weights[0]!.snrDb!).toBeCloseTo(-20 * Math.log10(49), 0);
    expect(q.weights[0]!.snrDb!).toBeCloseTo(Number(oracle('weight-snr', fp32, broken, 'w2')['snrDb']), 3);
    // Round-to-nearest of correct parameters: at most half a step off.
    for (const w of q.weights.slice(1)) expect(w.maxErrorInScales, w.tensor).toBeLessThanOrEqual(0.5 + 1e-4);
    expect(q.weights[0]!.maxErrorInScales).toBeGreaterThan(1);
    expect(q.firstJump).toMatchObject({ tensor: 'c2', node: 'conv2', opType: 'Conv' });
    expect(q.firstJump!.weights).toContain('w2');
    // Upstream of conv2 nothing changed: the jump is the first tensor with a drop ≥ 20 dB.
    const before = q.activations.filter((a) => a.index < q.firstJump!.index);
    expect(before.map((a) => a.tensor)).toEqual(['x', 'c1', 'r1']);
    for (const a of before) expect(a.jump, a.tensor).toBe(false);
    // The same model unbroken: no jump, every weight within half a step.
    const clean = (await runQuantError({ model: fp32, variant: good, target: CPU })).cases[0]!.quantError!;
    expect(clean.firstJump).toBeNull();
    expect(clean.activations.map((a) => a.tensor)).toEqual(['x', 'c1', 'r1', 'c2', 'r2', 'c3', 'g', 'f', 'y']);
    expect(clean.activations.every((a) => a.match === 'dequantize-linear')).toBe(true);
  });
});
