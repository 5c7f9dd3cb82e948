/**
 * One failure vocabulary end to end: the kind an adapter throws (RuntimeFailure) is the kind the host
 * replies, the HostFailure carries and the outcome's status says, on one host per case and inside a
 * batch. Real hosts; fixtures: fixtures/tfjs/same-pad-even (TF.js layers model, y = 2x2 all-ones
 * conv with 'same' padding on 3x3: [[12,16,9],[24,28,15],[15,17,9]] by hand) and its ONNX export
 * model.onnx (which TF.js targets refuse), fixtures/models/affine-relu.onnx.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findTarget } from '@crossrt/runtime';
import { executeOnTarget } from '../src/execution/execute-on-target.js';
import { TargetPool } from '../src/execution/target-pool.js';

const repo = join(import.meta.dirname, '..', '..', '..');
const samePad = join(repo, 'fixtures/tfjs/same-pad-even');
const x = {
  conv_input: { dtype: 'float32' as const, dims: [1, 3, 3, 1], data: new Float32Array([1, 2, 3, 4, 5, 6, 7, 8, 9]) },
};
const pools: TargetPool[] = [];
const pool = (options: ConstructorParameters<typeof TargetPool>[0]) => {
  const p = new TargetPool({ timeoutMs: 60_000, ...options });
  pools.push(p);
  return p;
};
afterAll(() => Promise.all(pools.map((p) => p.close())));

describe('failure kinds from the adapter to the outcome', () => {
  it('a browser target whose Chromium is missing is unavailable, with the adapter code and reason', async () => {
    const target = findTarget('ort-web:wasm@chromium');
    const p = pool({ env: { CROSSRT_CHROMIUM: '/nonexistent/chromium' } });
    const { outcome, outputs } = await executeOnTarget(
      p,
      target,
      join(repo, 'fixtures/models/affine-relu.onnx'),
      [],
      4,
    );
    expect(outputs).toEqual([]);
    expect(outcome).toMatchObject({
      target: 'ort-web:wasm@chromium',
      status: 'unavailable',
      error: { code: 'TARGET_UNAVAILABLE' },
    });
    expect(outcome.error?.message).toContain('CROSSRT_CHROMIUM=/nonexistent/chromium is not an executable file');
  });

  it('a model the runtime refuses is load-error on its own host and inside a batch, next to a case that runs', async () => {
    const target = findTarget('tfjs:cpu');
    const single = await executeOnTarget(pool({}), target, join(samePad, 'model.onnx'), [x], 1);
    expect(single.outcome).toMatchObject({ status: 'load-error', error: { code: 'MODEL_INVALID' } });
    const batched = pool({ batchSize: 4 });
    expect(batched.batches(target)).toBe(true);
    const [ok, refused] = await Promise.all([
      executeOnTarget(batched, target, join(samePad, 'tfjs/model.json'), [x], 1),
      executeOnTarget(batched, target, join(samePad, 'model.onnx'), [x], 1),
    ]);
    expect(ok!.outcome.status).toBe('ok');
    expect([...(ok!.outputs[0]!.get('conv')!.data as Float32Array)]).toEqual([12, 16, 9, 24, 28, 15, 15, 17, 9]);
    expect(refused!.outcome).toMatchObject({ status: 'load-error', error: { code: 'MODEL_INVALID' } });
    expect(refused!.outcome.error?.message).toContain('TF.js targets run a TF.js model.json, not an ONNX file');
  });
});
