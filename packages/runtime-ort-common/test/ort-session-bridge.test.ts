/**
 * The ORT session bridge against a real onnxruntime-node session (this package imports no
 * onnxruntime; the test brings one as a devDependency). Model: the embedded warm-up model,
 * y = Relu(x) on float32[4]; expected values by hand.
 */
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { isCrossrtError } from '@crossrt/core';
import { RuntimeFailure } from '@crossrt/runtime';
import { bridgeOrtSession, timedLoad, warmupModelBytes } from '../src/index.js';

const makeTensor = (f: { type: string; dims: readonly number[]; data: unknown }) =>
  new ort.Tensor(f.type as ort.Tensor.Type, f.data as ort.Tensor.DataType, f.dims);

async function relu() {
  const { session, loadMs } = await timedLoad(() => ort.InferenceSession.create(warmupModelBytes()));
  return { session: bridgeOrtSession(session, makeTensor), loadMs };
}

describe('bridgeOrtSession on onnxruntime-node', () => {
  it('runs y = Relu(x) and hands back host tensors', async () => {
    const { session, loadMs } = await relu();
    expect(loadMs).toBeGreaterThanOrEqual(0);
    expect(session.inputNames).toEqual(['x']);
    expect(session.outputNames).toEqual(['y']);
    const r = await session.run({ x: { dtype: 'float32', dims: [4], data: new Float32Array([-1.5, 0, 2, -3]) } });
    expect(r.outputs['y']).toMatchObject({ dtype: 'float32', dims: [4] });
    expect([...(r.outputs['y']!.data as Float32Array)]).toEqual([0, 0, 2, 0]);
    await session.dispose();
  });

  it('names a failed session creation load-error and a failed run run-error', async () => {
    const load = await timedLoad(() => ort.InferenceSession.create(new Uint8Array([1, 2, 3, 4]))).catch(
      (e: unknown) => e,
    );
    expect(load).toBeInstanceOf(RuntimeFailure);
    expect((load as RuntimeFailure).kind).toBe('load-error');
    const { session } = await relu();
    const run = await session
      .run({ x: { dtype: 'float32', dims: [3], data: new Float32Array([1, 2, 3]) } })
      .catch((e: unknown) => e);
    expect(run).toBeInstanceOf(RuntimeFailure);
    expect((run as RuntimeFailure).kind).toBe('run-error');
    await session.dispose();
  });

  it('refuses a bfloat16 feed, which onnxruntime JS cannot hold', async () => {
    const { session } = await relu();
    const e = await session
      .run({ x: { dtype: 'bfloat16', dims: [4], data: new Uint16Array(4) } })
      .catch((err: unknown) => err);
    expect(isCrossrtError(e) && e.code).toBe('MODEL_UNSUPPORTED_IO');
    await session.dispose();
  });
});
