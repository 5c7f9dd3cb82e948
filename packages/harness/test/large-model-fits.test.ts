/**
 * The 2.25 GiB external-data model that onnxruntime-web can hold (~30 s and ~4.7 GB resident on 2
 * cores): opt-in, collected only with CROSSRT_LARGE_MODEL_TESTS=1 (packages/harness/vitest.config.ts),
 * so that a default run neither pays for it nor reports it as skipped.
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

describe('a 2.25 GiB external-data model that fits', { timeout: 300_000 }, () => {
  it('ort-web:wasm loads its > 2 GiB data file and runs it, under the size-scaled memory limit', async () => {
    const path = largeModel('fits-wasm32', 9);
    const model = await readModelFile(path);
    const { outcome, outputs } = await executeOnTarget(
      pool,
      findTarget('ort-web:wasm'),
      path,
      [feeds],
      model.proto.graph!.node.length,
      model.proto,
    );
    expect(outcome.status, outcome.error?.message).toBe('ok');
    expect([...(outputs[0]!.get('y')!.data as Float32Array)]).toEqual([0]);
  });
});
