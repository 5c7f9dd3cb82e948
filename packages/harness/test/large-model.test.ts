/**
 * Models past onnxruntime-web's wasm32 memory (4 GiB, packages/runtime/src/model-size-limit.ts):
 * a Gather graph over N × 256 MiB float32 initializers kept as external data in one sparse file (no
 * disk blocks are written; the runtimes read zeros). ort-node:cpu runs it (it maps the data file);
 * ort-web:wasm ends `unavailable` with MODEL_TOO_LARGE_FOR_TARGET naming the limit and the size,
 * before any host loads it. The 2.25 GiB model that ort-web can hold (~30 s and ~4.7 GB resident on
 * 2 cores) is large-model-fits.test.ts, collected only with CROSSRT_LARGE_MODEL_TESTS=1 (vitest.config.ts).
 * The temp folder is removed afterwards.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { readModelFile } from '@crossrt/model';
import { findTarget } from '@crossrt/runtime';
import { executeOnTarget } from '../src/execution/execute-on-target.js';
import { TargetPool } from '../src/execution/target-pool.js';
import { feeds, largeModel, removeLargeModels } from './large-models.js';

const pool = new TargetPool({ timeoutMs: 120_000 });
afterAll(async () => {
  await pool.close();
  removeLargeModels();
});

describe('a model larger than onnxruntime-web can address', { timeout: 120_000 }, () => {
  // 17 × 256 MiB = 4352 MiB of weights: over the 4 GiB − 32 MiB that fit in the wasm32 memory.
  const path = largeModel('over-wasm32', 17);

  it('ort-web:wasm is refused before loading, naming the wasm memory limit and the model size', async () => {
    const model = await readModelFile(path); // the safety check every run does first: locations stay inside the folder
    const t0 = performance.now();
    const { outcome } = await executeOnTarget(
      pool,
      findTarget('ort-web:wasm'),
      path,
      [feeds],
      model.proto.graph!.node.length,
      model.proto,
    );
    const ms = performance.now() - t0;
    expect(outcome.status).toBe('unavailable');
    expect(outcome.error?.code).toBe('MODEL_TOO_LARGE_FOR_TARGET');
    expect(outcome.error?.message).toMatch(
      /^ort-web:wasm cannot load this model: it is 4352 MiB \(graph \+ external data\), over the 4064 MiB that fit: .*4 GiB WebAssembly memory/,
    );
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
    const { outcome, outputs } = await executeOnTarget(
      pool,
      findTarget('ort-node:cpu'),
      path,
      [feeds],
      model.proto.graph!.node.length,
      model.proto,
    );
    expect(outcome.status, outcome.error?.message).toBe('ok');
    expect([...(outputs[0]!.get('y')!.data as Float32Array)]).toEqual([0]);
  });
});
