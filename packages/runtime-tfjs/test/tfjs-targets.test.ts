/**
 * TF.js targets through real host processes (packages/runtime/dist host entry → this adapter's dist).
 * Fixtures: fixtures/tfjs/same-pad-even (hand-derivable 2x2 'same' conv), fixtures/tfjs/conv-bn-pool
 * (layers model names), and the real graph model node_modules/@vladmandic/human/models/antispoof.json
 * (npm @vladmandic/human 3.3.6, MIT; a 128x128x3 → 1 CNN shipped as model.json + antispoof.bin).
 */
import { createRequire } from 'node:module';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import type { HostTensor } from '@crossrt/core';
import { readTfjsModelArtifacts, tfjsModelSignature } from '@crossrt/model';
import { HostFailure } from '@crossrt/runtime';
import { f32, trackedHosts } from './tracked-hosts.js';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const samePad = join(repo, 'fixtures/tfjs/same-pad-even');
const convBnPool = join(repo, 'fixtures/tfjs/conv-bn-pool/tfjs/model.json');
const antispoof = join(repo, 'node_modules/@vladmandic/human/models/antispoof.json');

// Each test starts host processes that import tfjs; the real model runs ~130 MFLOP on JS kernels.
vi.setConfig({ testTimeout: 60_000 });

const host = trackedHosts(60_000);

describe('probing', () => {
  it('tfjs:cpu and tfjs:wasm are available, with the backend actually active', async () => {
    const cpu = await host('tfjs:cpu').probe();
    expect(cpu).toMatchObject({ available: true, runtimeVersion: '4.22.0' });
    expect(cpu.reason).toMatch(/^tfjs-backend-cpu 4\.22\.0 active/);
    const wasm = await host('tfjs:wasm').probe();
    expect(wasm).toMatchObject({ available: true, runtimeVersion: '4.22.0' });
    expect(wasm.reason).toMatch(/^tfjs-backend-wasm 4\.22\.0 active/);
  });

  it('tfjs-node:tensorflow says exactly why it is unavailable, and a load on it is a load error with that reason', async () => {
    let installed = true;
    try {
      createRequire(import.meta.url).resolve('@tensorflow/tfjs-node');
    } catch {
      installed = false;
    }
    const h = host('tfjs-node:tensorflow');
    const p = await h.probe();
    if (installed) {
      // Installed: either the native binding loads (available) or the reason names the binding failure.
      expect(p.reason).toMatch(
        p.available ? /^tfjs-node .* active/ : /native binding does not load|backend "tensorflow" failed/,
      );
      return;
    }
    expect(p.available).toBe(false);
    expect(p.reason).toBe(
      '@tensorflow/tfjs-node is not installed: it is optional because its install script downloads libtensorflow (npm drops it when that fails, e.g. offline); add it with npm install -D @tensorflow/tfjs-node@4.22.0',
    );
    const failure = await h.load(join(samePad, 'tfjs/model.json')).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(HostFailure);
    // A missing engine is `unavailable` from the adapter on: the kind the run outcome's status carries.
    expect((failure as HostFailure).kind).toBe('unavailable');
    expect((failure as HostFailure).code).toBe('TARGET_UNAVAILABLE');
    expect((failure as HostFailure).message).toContain('@tensorflow/tfjs-node is not installed');
  });
});

describe('a hand-derivable layers model: 2x2 all-ones kernel, padding "same" on 3x3', () => {
  // x = 1..9 row-major. TF pads the odd row/column at the bottom/right, so y[i][j] = sum of the 2x2
  // window starting at (i, j), with zeros past the edge: [[12,16,9],[24,28,15],[15,17,9]].
  const x = [1, 2, 3, 4, 5, 6, 7, 8, 9];
  const tfPadding = [12, 16, 9, 24, 28, 15, 15, 17, 9];
  // The wrong export pads top/left instead: y[i][j] = sum of the window ending at (i, j).
  const wrongSide = [1, 3, 5, 5, 12, 16, 11, 24, 28];

  for (const id of ['tfjs:cpu', 'tfjs:wasm']) {
    it(`${id} computes TF's 'same' padding`, async () => {
      const h = host(id);
      const { reply } = await h.load(join(samePad, 'tfjs/model.json'));
      expect(reply.inputNames).toEqual(['conv_input']);
      expect(reply.outputNames).toEqual(['conv']);
      expect(reply.device.details['modelFormat']).toBe('layers-model');
      expect(reply.placement).toMatchObject({
        source: 'requested',
        providers: [{ ep: id === 'tfjs:cpu' ? 'tfjs-cpu' : 'tfjs-wasm', nodes: 1 }],
      });
      const { outputs } = await h.run({ conv_input: f32([1, 3, 3, 1], x) });
      expect(outputs['conv']!.dims).toEqual([1, 3, 3, 1]);
      expect([...(outputs['conv']!.data as Float32Array)]).toEqual(tfPadding);
    });
  }

  it('ort-node:cpu runs the correct ONNX export to the same numbers, and the wrong-side export to the shifted ones', async () => {
    const h = host('ort-node:cpu');
    await h.load(join(samePad, 'model.onnx'));
    expect([...((await h.run({ input: f32([1, 1, 3, 3], x) })).outputs['output']!.data as Float32Array)]).toEqual(
      tfPadding,
    );
    await h.load(join(samePad, 'wrong/pad-wrong-side.onnx'));
    expect([...((await h.run({ input: f32([1, 1, 3, 3], x) })).outputs['output']!.data as Float32Array)]).toEqual(
      wrongSide,
    );
  });
});

describe('model.json signatures match what tfjs itself reports', () => {
  it('Sequential layers fixture: conv_a_input [batch=1,8,8,3] → conv_b', async () => {
    const sig = (await readTfjsModelArtifacts(convBnPool)).signature;
    expect(sig.inputs.map((i) => [i.name, i.dtype, i.dims])).toEqual([['conv_a_input', 'float32', [1, 8, 8, 3]]]);
    const { reply } = await host('tfjs:cpu').load(convBnPool);
    expect(reply.inputNames).toEqual(sig.inputs.map((i) => i.name));
    expect(reply.outputNames).toEqual(sig.outputs.map((o) => o.name));
  });
});

describe('a real TF.js graph model from npm: @vladmandic/human antispoof', () => {
  it('reads its signature from model.json', async () => {
    const a = await readTfjsModelArtifacts(antispoof);
    expect(a.format).toBe('graph-model');
    expect(tfjsModelSignature(a.json).inputs).toEqual([
      {
        name: 'conv2d_input',
        kind: 'tensor',
        dtype: 'float32',
        elemTypeName: 'DT_FLOAT',
        dims: ['batch', 128, 128, 3],
      },
    ]);
    expect(a.signature.outputs.map((o) => [o.name, o.dims])).toEqual([['activation_4', ['batch', 1]]]);
    expect(a.bytes).toBeGreaterThan(800_000);
  });

  it('runs on tfjs:cpu and tfjs:wasm and both agree within 1e-5 absolute', async () => {
    // A deterministic image-like input in [0, 1): a diagonal gradient per channel.
    const n = 128 * 128 * 3;
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++)
      data[i] = (((Math.floor(i / 3) % 128) + Math.floor(i / 384) + (i % 3) * 40) % 256) / 256;
    const feeds = { conv2d_input: f32([1, 128, 128, 3], data) };
    const results: Record<string, number> = {};
    for (const id of ['tfjs:cpu', 'tfjs:wasm']) {
      const h = host(id);
      const { reply } = await h.load(antispoof);
      expect(reply.inputNames).toEqual(['conv2d_input']);
      expect(reply.outputNames).toEqual(['activation_4']);
      const { outputs } = await h.run(feeds);
      const y = outputs['activation_4']!;
      expect(y.dims).toEqual([1, 1]);
      results[id] = (y.data as Float32Array)[0]!;
    }
    console.log(
      `antispoof on the gradient input: tfjs:cpu ${results['tfjs:cpu']}, tfjs:wasm ${results['tfjs:wasm']}, |diff| ${Math.abs(results['tfjs:cpu']! - results['tfjs:wasm']!)}`,
    );
    // The head is a sigmoid: a probability strictly inside (0, 1).
    expect(results['tfjs:cpu']).toBeGreaterThan(0);
    expect(results['tfjs:cpu']).toBeLessThan(1);
    expect(Math.abs(results['tfjs:cpu']! - results['tfjs:wasm']!)).toBeLessThanOrEqual(1e-5);
  });
});

describe('more real graph models from @vladmandic/human: no signature block, several outputs', () => {
  // numpy allclose |a - r| <= atol + rtol * |r| with r = tfjs:cpu; returns the worst excess ratio.
  const allclose = (a: Float32Array, r: Float32Array, rtol: number, atol: number) => {
    let worst = 0;
    for (let i = 0; i < r.length; i++)
      worst = Math.max(worst, Math.abs(a[i]! - r[i]!) / (atol + rtol * Math.abs(r[i]!)));
    return worst;
  };
  const cases = [
    // blazeface.json has no `signature`: inputs/outputs come from the Placeholder and unconsumed nodes.
    {
      file: 'blazeface.json',
      input: 'input',
      dims: [1, 256, 256, 3],
      outputs: ['Identity', 'Identity_2', 'Identity_3', 'Identity_1'],
      outDims: [
        [1, 512, 1],
        [1, 512, 16],
        [1, 384, 16],
        [1, 384, 1],
      ],
    },
    {
      file: 'facemesh.json',
      input: 'input_1',
      dims: [1, 192, 192, 3],
      outputs: ['output_mesh', 'output_faceflag', 'output_contours'],
      outDims: [
        [1, 1404],
        [1, 1],
        [1, 266],
      ],
    },
  ];
  for (const c of cases) {
    it(`${c.file}: model.json signature = tfjs's own names; tfjs:cpu and tfjs:wasm agree (rtol 1e-4, atol 1e-4)`, async () => {
      const path = join(repo, 'node_modules/@vladmandic/human/models', c.file);
      const sig = (await readTfjsModelArtifacts(path)).signature;
      expect(sig.inputs.map((i) => i.name)).toEqual([c.input]);
      expect(sig.outputs.map((o) => o.name)).toEqual(c.outputs);
      const n = c.dims.reduce((a, b) => a * b, 1);
      const feeds = {
        [c.input]: f32(
          c.dims,
          Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) * 0.5 + 0.5),
        ),
      };
      const got: Record<string, Record<string, HostTensor>> = {};
      for (const id of ['tfjs:cpu', 'tfjs:wasm']) {
        const h = host(id);
        const { reply } = await h.load(path);
        expect(reply.outputNames).toEqual(c.outputs);
        got[id] = (await h.run(feeds)).outputs;
      }
      c.outputs.forEach((o, i) => {
        expect(got['tfjs:cpu']![o]!.dims).toEqual(c.outDims[i]);
        const ratio = allclose(
          got['tfjs:wasm']![o]!.data as Float32Array,
          got['tfjs:cpu']![o]!.data as Float32Array,
          1e-4,
          1e-4,
        );
        console.log(`${c.file} ${o}: worst |a-r| / (1e-4 + 1e-4*|r|) = ${ratio.toFixed(3)}`);
        expect(ratio).toBeLessThanOrEqual(1);
      });
    });
  }
});

describe('a real detector with dynamic ops and a uint8 input: @vladmandic/human handtrack.json (SSD + NMS)', () => {
  it('tfjs:wasm runs it (executeAsync path) and every output matches the dims model.json declares', async () => {
    const path = join(repo, 'node_modules/@vladmandic/human/models/handtrack.json');
    const sig = (await readTfjsModelArtifacts(path)).signature;
    expect(sig.inputs).toEqual([
      { name: 'input_tensor:0', kind: 'tensor', dtype: 'uint8', elemTypeName: 'DT_UINT8', dims: [1, 320, 320, 3] },
    ]);
    const h = host('tfjs:wasm');
    const { reply } = await h.load(path);
    expect(reply.outputNames).toEqual(sig.outputs.map((o) => o.name));
    const n = 320 * 320 * 3;
    const { outputs } = await h.run({
      'input_tensor:0': {
        dtype: 'uint8',
        dims: [1, 320, 320, 3],
        data: Uint8Array.from({ length: n }, (_, i) => (i * 7) % 255),
      },
    });
    for (const o of sig.outputs) expect(outputs[o.name]!.dims, o.name).toEqual(o.dims);
    // TF Object Detection API export order: Identity_4 is detection_scores, probabilities.
    const scores = outputs['Identity_4:0']!.data as Float32Array;
    expect(Math.min(...scores)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...scores)).toBeLessThanOrEqual(1);
  });
});

describe('bad model files are load errors with a code, not crashes', () => {
  it('a missing model.json and a model.json whose shard is missing', async () => {
    const h = host('tfjs:cpu');
    const missing = await h.load(join(repo, 'fixtures/tfjs/nope/model.json')).then(
      () => undefined,
      (e: unknown) => e as HostFailure,
    );
    expect(missing?.kind).toBe('load-error');
    expect(missing?.code).toBe('FILE_NOT_FOUND');
    const dir = mkdtempSync(join(tmpdir(), 'crossrt-tfjs-'));
    writeFileSync(
      join(dir, 'model.json'),
      JSON.stringify({
        format: 'layers-model',
        modelTopology: { class_name: 'Sequential', config: { layers: [] } },
        weightsManifest: [{ paths: ['gone.bin'], weights: [] }],
      }),
    );
    const shardless = await h.load(join(dir, 'model.json')).then(
      () => undefined,
      (e: unknown) => e as HostFailure,
    );
    expect(shardless?.kind).toBe('load-error');
    expect(shardless?.code).toBe('FILE_NOT_FOUND');
    expect(shardless?.message).toContain('gone.bin');
    expect(h.alive).toBe(true);
  });
});
