/**
 * Models past onnxruntime-web's wasm32 memory (4 GiB, packages/runtime/src/model-size-limit.ts):
 * a Gather graph over N × 256 MiB float32 initializers kept as external data in one sparse file (no
 * disk blocks are written; the runtimes read zeros). ort-node:cpu runs it (it maps the data file);
 * ort-web:wasm ends `unavailable` with MODEL_TOO_LARGE_FOR_TARGET naming the limit and the size,
 * before any host loads it. The 2.25 GiB model that ort-web can hold (~30 s and ~4.7 GB resident on
 * 2 cores) runs only with CROSSRT_LARGE_MODEL_TESTS=1. The temp folder is removed afterwards.
 */
import { closeSync, ftruncateSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { HostTensor } from '@crossrt/core';
import { buildModel, encodeModel, readModelFile } from '@crossrt/model';
import { findTarget } from '@crossrt/runtime';
import { executeOnTarget, TargetPool } from '../src/index.js';

const CHUNK_ELEMENTS = 64 * 1024 ** 2; // 256 MiB of float32
const tmp = mkdtempSync(join(tmpdir(), 'crossrt-large-model-'));
const pool = new TargetPool({ timeoutMs: 120_000 });
afterAll(async () => {
  await pool.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** y = Σ_i w_i[idx] over `chunks` initializers, every one external in `model.onnx.data` (sparse: all zeros). */
function largeModel(name: string, chunks: number): string {
  const initializers = Object.fromEntries(Array.from({ length: chunks }, (_, i) => [`w${i}`, { dtype: 'float32', dims: [1], data: new Float32Array(1) } as HostTensor]));
  const nodes = Array.from({ length: chunks }, (_, i) => ({ op: 'Gather', inputs: [`w${i}`, 'idx'], outputs: [`g${i}`] }));
  for (let i = 1; i < chunks; i++) nodes.push({ op: 'Add', inputs: [i === 1 ? 'g0' : `s${i - 1}`, `g${i}`], outputs: [`s${i}`] });
  nodes.push({ op: 'Identity', inputs: [chunks === 1 ? 'g0' : `s${chunks - 1}`], outputs: ['y'] });
  const model = buildModel({ name, opset: 13, inputs: [{ name: 'idx', dtype: 'int64', dims: [1] }], outputs: [{ name: 'y', dtype: 'float32', dims: [1] }], initializers, nodes });
  model.graph!.initializer.forEach((t, i) => {
    t.dims = [BigInt(CHUNK_ELEMENTS)];
    t.rawData = new Uint8Array(0);
    t.dataLocation = 1;
    t.externalData = [
      { $typeName: 'onnx.StringStringEntryProto', key: 'location', value: 'model.onnx.data' },
      { $typeName: 'onnx.StringStringEntryProto', key: 'offset', value: String(i * CHUNK_ELEMENTS * 4) },
      { $typeName: 'onnx.StringStringEntryProto', key: 'length', value: String(CHUNK_ELEMENTS * 4) },
    ];
  });
  const dir = join(tmp, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'model.onnx'), encodeModel(model));
  const fd = openSync(join(dir, 'model.onnx.data'), 'w');
  ftruncateSync(fd, chunks * CHUNK_ELEMENTS * 4);
  closeSync(fd);
  return join(dir, 'model.onnx');
}

const feeds = { idx: { dtype: 'int64', dims: [1], data: new BigInt64Array([5n]) } as HostTensor };

describe('a model larger than onnxruntime-web can address', { timeout: 120_000 }, () => {
  // 17 × 256 MiB = 4352 MiB of weights: over the 4 GiB − 32 MiB that fit in the wasm32 memory.
  const path = largeModel('over-wasm32', 17);

  it('ort-web:wasm is refused before loading, naming the wasm memory limit and the model size', async () => {
    const model = await readModelFile(path); // the safety check every run does first: locations stay inside the folder
    const t0 = performance.now();
    const { outcome } = await executeOnTarget(pool, findTarget('ort-web:wasm'), path, [feeds], model.proto.graph!.node.length, model.proto);
    const ms = performance.now() - t0;
    expect(outcome.status).toBe('unavailable');
    expect(outcome.error?.code).toBe('MODEL_TOO_LARGE_FOR_TARGET');
    expect(outcome.error?.message).toMatch(/^ort-web:wasm cannot load this model: it is 4352 MiB \(graph \+ external data\), over the 4064 MiB that fit: .*4 GiB WebAssembly memory/);
    expect(outcome.error?.message).toMatch(/run it on ort-node:cpu/);
    // decided from the sizes, no host started and nothing read
    expect(ms).toBeLessThan(200);
  });

  it('browser targets of onnxruntime-web are refused the same way', async () => {
    const model = await readModelFile(path);
    for (const id of ['ort-web:wasm@chromium', 'ort-web:webgpu@chromium']) {
      const { outcome } = await executeOnTarget(pool, findTarget(id), path, [feeds], 0, model.proto);
      expect(outcome.status, id).toBe('unavailable');
      expect(outcome.error?.code, id).toBe('MODEL_TOO_LARGE_FOR_TARGET');
    }
  });

  it('ort-node:cpu runs it: Σ of zeros = 0', async () => {
    const model = await readModelFile(path);
    const { outcome, outputs } = await executeOnTarget(pool, findTarget('ort-node:cpu'), path, [feeds], model.proto.graph!.node.length, model.proto);
    expect(outcome.status, outcome.error?.message).toBe('ok');
    expect([...(outputs[0]!.get('y')!.data as Float32Array)]).toEqual([0]);
  });
});

describe.runIf(process.env['CROSSRT_LARGE_MODEL_TESTS'] === '1')('a 2.25 GiB external-data model that fits', { timeout: 300_000 }, () => {
  it('ort-web:wasm loads its > 2 GiB data file and runs it, under the size-scaled memory limit', async () => {
    const path = largeModel('fits-wasm32', 9);
    const model = await readModelFile(path);
    const { outcome, outputs } = await executeOnTarget(pool, findTarget('ort-web:wasm'), path, [feeds], model.proto.graph!.node.length, model.proto);
    expect(outcome.status, outcome.error?.message).toBe('ok');
    expect([...(outputs[0]!.get('y')!.data as Float32Array)]).toEqual([0]);
  });
});
