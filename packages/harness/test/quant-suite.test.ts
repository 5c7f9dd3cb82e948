/**
 * Integration: the suite variant step — `variants: [{ id, quantize | path, quantError: { … } }]` on a
 * model entry — run by runSuite on ort-node:cpu. The model is test/quant-models.ts's conv chain; the
 * broken variant has conv2's weight scale ×50 (as in quant-qdq.test.ts). Bounds: an 8-bit chain of five
 * quantized layers keeps its output within a few dB of the 48 dB ideal, so 20 dB passes and 60 dB (above
 * the ideal) cannot.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTensor } from '@crossrt/core';
import { decodeModel, encodeModel, tensorFromProto, tensorToProto } from '@crossrt/model';
import { loadSuiteFile, planSuite, quantizeModelFile, runSuite } from '../src/index.js';
import { convChain, writeModel } from './quant-models.js';

const dir = mkdtempSync(join(tmpdir(), 'crossrt-quant-suite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function brokenVariant(fp32: string): Promise<string> {
  const good = join(dir, 'chain.int8.onnx');
  // 7-bit weights: full-range ones make ORT's int8 kernels saturate on x86 without VNNI (quant-qdq.test.ts).
  await quantizeModelFile({ model: fp32, out: good, reduceRange: true, calibrationSets: 8 });
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
  const path = join(dir, 'chain.broken.onnx');
  writeFileSync(path, encodeModel(proto));
  return path;
}

describe('suite variants with a quantError step', { timeout: 120_000 }, () => {
  it('plans one case per variant after its model, and refuses a variant with both path and quantize', async () => {
    writeFileSync(
      join(dir, 'plan.yaml'),
      [
        'name: plan',
        'targets: [ort-node:cpu]',
        'models:',
        '  - path: chain.onnx',
        '    id: chain',
        '    variants:',
        '      - { id: int8, quantize: { perChannel: true } }',
        '      - { id: file, path: other.onnx, quantError: { minSnrDb: 20 } }',
      ].join('\n'),
    );
    const planned = await planSuite(loadSuiteFile(join(dir, 'plan.yaml')), join(dir, 'work'));
    expect(planned.map((c) => [c.id, c.kind])).toEqual([
      ['chain', 'model'],
      ['chain@int8', 'variant'],
      ['chain@file', 'variant'],
    ]);
    expect(planned[1]!.path).toBe(join(dir, 'work', 'quantized', 'chain@int8.onnx'));
    expect(planned[2]!.variant).toEqual({ of: join(dir, 'chain.onnx'), quantError: { minSnrDb: 20 } });
    writeFileSync(
      join(dir, 'bad.yaml'),
      [
        'name: bad',
        'targets: [ort-node:cpu]',
        'models:',
        '  - path: chain.onnx',
        '    variants: [{ id: x, path: a.onnx, quantize: {} }]',
      ].join('\n'),
    );
    expect(() => loadSuiteFile(join(dir, 'bad.yaml'))).toThrow(/exactly one of path .* or quantize/);
  });

  it('gates on output SNR, tensor SNR and the jump rule; a failing gate fails its case with the reason', async () => {
    const fp32 = writeModel(dir, 'chain.onnx', convChain());
    const broken = await brokenVariant(fp32);
    writeFileSync(
      join(dir, 'suite.yaml'),
      [
        'name: quant-gates',
        'targets: [ort-node:cpu]',
        'models:',
        '  - path: chain.onnx',
        '    id: chain',
        '    variants:',
        '      - { id: int8, quantize: { perChannel: true, reduceRange: true }, quantError: { minSnrDb: 20, failOnJump: true } }',
        '      - { id: int8-above-ideal, quantize: {}, quantError: { minSnrDb: 60 } }',
        `      - { id: broken, path: ${broken}, quantError: { minWeightSnrDb: 20, failOnJump: true } }`,
      ].join('\n'),
    );
    const report = await runSuite({ suiteFile: join(dir, 'suite.yaml'), jsonl: join(dir, 'out', 'suite.jsonl') });
    const byId = new Map(report.cases.map((c) => [c.id, c]));
    expect(report.cases.map((c) => [c.id, c.verdict])).toEqual([
      ['chain', 'pass'],
      ['chain@int8', 'pass'],
      ['chain@int8-above-ideal', 'fail'],
      ['chain@broken', 'fail'],
    ]);
    const ok = byId.get('chain@int8')!.quantError!;
    expect(ok.gate).toMatchObject({ minSnrDb: 20, failOnJump: true, passed: true, failures: [] });
    expect(ok.outputSnrDb!).toBeGreaterThan(20);
    expect(ok.outputSnrDb!).toBeLessThan(48.2);
    expect(byId.get('chain@int8')!.notes?.[0]).toMatch(
      /quantized by crossrt quantize: 8 node\(s\), weights per channel in 7 bits, 8 calibration set\(s\) on ort-node:cpu/,
    );
    const high = byId.get('chain@int8-above-ideal')!.quantError!.gate!;
    expect(high.passed).toBe(false);
    expect(high.failures[0]).toMatch(/^output SNR \d+\.\d dB < 60 dB$/);
    const bad = byId.get('chain@broken')!.quantError!.gate!;
    expect(bad.failures).toEqual([
      expect.stringMatching(/^weight w2 SNR -33\.\d dB < 20 dB$/),
      expect.stringMatching(/^error jumps at c2 \(−\d+\.\d dB against its inputs\)$/),
    ]);
  });
});
