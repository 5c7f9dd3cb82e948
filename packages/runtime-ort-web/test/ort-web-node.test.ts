/**
 * ort-web:wasm in a Node host process: placement proved from onnxruntime-web's own verbose log (the wasm
 * module prints the same "Node placements" block as onnxruntime-node). Fixture:
 * fixtures/models/affine-relu.onnx (y = Relu(2x - 1), z = x·[[1,2],[3,4]]; 4 nodes), values by hand.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { findTarget, parsePlacementLog, TargetHost } from '@crossrt/runtime';

const host = new TargetHost(findTarget('ort-web:wasm'), { timeoutMs: 60_000 });
afterAll(() => host.close());

describe('ort-web:wasm in Node', () => {
  it('proves placement from the verbose log and computes the fixture by hand', async () => {
    const { reply, lines } = await host.load(fileURLToPath(new URL('../../../fixtures/models/affine-relu.onnx', import.meta.url)));
    expect(reply.device).toMatchObject({ kind: 'wasm', runtime: 'onnxruntime-web', details: { executionProvider: 'CPUExecutionProvider' } });
    expect(parsePlacementLog(lines, 'CPUExecutionProvider')).toEqual({ source: 'verbose-log', providers: [{ ep: 'CPUExecutionProvider', nodes: 4 }], fallbackNodes: [] });
    const r = await host.run({ x: { dtype: 'float32', dims: [1, 2], data: new Float32Array([1, -2]) } });
    expect([...(r.outputs['y']!.data as Float32Array)]).toEqual([1, 0]);
    expect([...(r.outputs['z']!.data as Float32Array)]).toEqual([-5, -6]);
  });
});
