/**
 * Integration on a real network: torchvision's resnet18 (random weights, torch.manual_seed(0)) exported by
 * /usr/bin/python3 (Debian's torch 1.13, or $CROSSRT_PYTHON) with torch.onnx.export at opset 13 in the
 * setup, quantized by crossrt quantize (per channel, 8 calibration sets on ort-node:cpu) and analysed
 * by quant-error on ort-node:cpu. Without torch/torchvision the test fails, it never skips.
 *
 * Weight bounds, by hand: a symmetric int8 quantizer with step Δ = max|w|/127 leaves uniform rounding
 * noise of power Δ²/12. torchvision initializes convs kaiming-normal (BN, folded in by the export, is
 * the identity at init), so per channel SNR = 10·log10(12·127² / (max|w|/σ)²); the channels hold 147
 * (conv1) to 4608 (layer4) samples, whose max is ≈ 2.5σ–4σ: 40.8–44.9 dB, [38, 48] with slack. The fc
 * layer is uniform on [−a, a] (max ≈ a): SNR = 10·log10(4·127²) = 48.1 dB.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findTarget } from '@crossrt/runtime';
import { quantizeModelFile, runQuantError } from '../src/index.js';

const PYTHON = process.env['CROSSRT_PYTHON'] || '/usr/bin/python3';
const dir = mkdtempSync(join(tmpdir(), 'crossrt-quant-resnet-'));
const fp32 = join(dir, 'resnet18.onnx');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const EXPORT = `
import sys, torch, torchvision
torch.manual_seed(0)
m = torchvision.models.resnet18(weights=None).eval()
torch.onnx.export(m, torch.randn(1, 3, 224, 224), sys.argv[1], opset_version=13, input_names=["input"], output_names=["logits"])
`;

beforeAll(() => {
  const r = spawnSync(PYTHON, ['-c', EXPORT, fp32], { encoding: 'utf8', timeout: 240_000 });
  if (r.status !== 0)
    throw new Error(
      `exporting resnet18 needs torch and torchvision in ${PYTHON} (apt-get install python3-torch python3-torchvision): ${r.stderr || r.error?.message}`,
    );
}, 240_000);

describe('quantize and quant-error on torchvision resnet18', { timeout: 300_000 }, () => {
  it('quantizes every conv, gemm and activation, and measures each weight within the hand-derived bounds', async () => {
    const out = join(dir, 'resnet18.int8.onnx');
    const record = await quantizeModelFile({ model: fp32, out, perChannel: true, calibrationSets: 8 });
    expect(record.check.status).toBe('ok');
    // 20 convs + fc, each with its bias (torch shares one zero bias through Identity nodes: each reader gets its own int32 copy).
    expect(record).toMatchObject({ weights: 21, biases: 21 });
    const checked = spawnSync(
      PYTHON,
      ['-c', 'import onnx, sys; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)', out],
      { encoding: 'utf8' },
    );
    expect(checked.status, checked.stderr).toBe(0);
    const report = await runQuantError({
      model: fp32,
      variant: out,
      target: findTarget('ort-node:cpu'),
      inputs: { samples: 2 },
    });
    const c = report.cases[0]!;
    const q = c.quantError!;
    console.log(
      `resnet18 int8 (per channel): output SNR ${q.outputSnrDb?.toFixed(1)} dB, cosine ${c.comparisons.map((x) => x.metrics?.cosineSimilarity?.toFixed(5)).join(', ')}, ` +
        `top-1 ${c.comparisons.map((x) => x.metrics?.topK?.top1).join(', ')}; ${q.activations.length} tensors, worst ${[
          ...q.activations,
        ]
          .sort((a, b) => (a.snrDb ?? 1e9) - (b.snrDb ?? 1e9))
          .slice(0, 3)
          .map((a) => `${a.tensor} ${a.snrDb?.toFixed(1)}`)
          .join(', ')}; ` +
        `first jump ${q.firstJump ? `${q.firstJump.tensor} −${q.firstJump.dropDb.toFixed(1)} dB` : 'none'}; weights ${q.weights
          .filter((w) => w.kind === 'weight')
          .map((w) => w.snrDb?.toFixed(1))
          .join(' ')}; ${q.runs} runs`,
    );
    expect(q.format).toBe('qdq');
    expect(q.unmatched.count).toBe(0);
    const weights = q.weights.filter((w) => w.kind === 'weight');
    expect(weights).toHaveLength(21);
    for (const w of q.weights) expect(w.maxErrorInScales, w.tensor).toBeLessThanOrEqual(0.5 + 1e-4);
    const fc = weights.find((w) => w.opType === 'Gemm')!;
    expect(fc.snrDb!).toBeGreaterThan(10 * Math.log10(4 * 127 ** 2) - 0.6);
    expect(fc.snrDb!).toBeLessThan(10 * Math.log10(4 * 127 ** 2) + 0.3);
    for (const w of weights.filter((x) => x.opType === 'Conv')) {
      expect(w.snrDb!, w.tensor).toBeGreaterThan(38);
      expect(w.snrDb!, w.tensor).toBeLessThan(48);
    }
  });
});
