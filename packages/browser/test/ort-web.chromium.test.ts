/**
 * ort-web:webgpu@chromium and ort-web:wasm@chromium through real host processes and headless system
 * Chromium. Fixtures: fixtures/placement/scale-upsample-relu-opset9.onnx (y = Relu(Upsample(2x - 1)),
 * Upsample refused by the WebGPU backend), fixtures/models/mask-count.onnx (int64/bool exactness) and
 * fixtures/model-io/external/{ok,subdir-ok} (weights in external data beside the model and in a
 * subfolder, tools/make-model-io-fixtures.mjs); expected values derived by hand below.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { findTarget, parsePlacementLog, TargetHost } from '@crossrt/runtime';

const fixture = (p: string) => fileURLToPath(new URL(`../../../fixtures/${p}`, import.meta.url));
const upsample2x2 = ([a, b, c, d]: number[]) => [a, a, b, b, a, a, b, b, c, c, d, d, c, c, d, d];
const hosts: TargetHost[] = [];
afterAll(() => Promise.all(hosts.map((h) => h.close())));

describe('ort-web in headless Chromium', () => {
  it('webgpu: names the adapter, proves placement from the console and lists the refused node', async () => {
    const host = new TargetHost(findTarget('ort-web:webgpu@chromium'), { timeoutMs: 90_000 });
    hosts.push(host);
    const { reply, lines } = await host.load(fixture('placement/scale-upsample-relu-opset9.onnx'));
    expect(reply.device).toMatchObject({
      kind: 'gpu',
      runtime: 'onnxruntime-web',
      details: { executionProvider: 'JsExecutionProvider', crossOriginIsolated: true },
    });
    expect(String(reply.device.details['adapterVendor'])).not.toBe('');
    const placement = parsePlacementLog(lines, 'JsExecutionProvider')!;
    expect(placement.source).toBe('verbose-log');
    expect(placement.fallbackNodes).toEqual([{ node: 'upsample', opType: 'Upsample', ep: 'CPUExecutionProvider' }]);
    expect(placement.providers.find((p) => p.ep === 'JsExecutionProvider')!.nodes).toBeGreaterThanOrEqual(3);
    const r = await host.run({
      x: { dtype: 'float32', dims: [1, 1, 2, 2], data: new Float32Array([-1, 0.25, 0.5, 2]) },
    });
    expect(r.outputs['y']!.dims).toEqual([1, 1, 4, 4]);
    expect([...(r.outputs['y']!.data as Float32Array)]).toEqual(upsample2x2([0, 0, 0, 3]));
  }, 120_000);

  it('wasm: threads and SIMD in device info; int64 and bool cross the wire exactly', async () => {
    const host = new TargetHost(findTarget('ort-web:wasm@chromium'), { timeoutMs: 90_000 });
    hosts.push(host);
    const { reply } = await host.load(fixture('models/mask-count.onnx'));
    expect(reply.device).toMatchObject({
      kind: 'wasm',
      simd: true,
      details: { executionProvider: 'CPUExecutionProvider', crossOriginIsolated: true },
    });
    expect(reply.device.threads).toBeGreaterThanOrEqual(1);
    const mask = new Uint8Array([1, 0, 1, 1, 0, 1]);
    const r = await host.run({ mask: { dtype: 'bool', dims: [2, 3], data: mask } });
    expect(r.outputs['count']).toEqual({ dtype: 'int64', dims: [], data: new BigInt64Array([4n]) });
    expect(r.outputs['flipped']!.dtype).toBe('bool');
    expect([...(r.outputs['flipped']!.data as Uint8Array)]).toEqual([0, 1, 0, 0, 1, 0]);
  }, 120_000);

  it('wasm: a model whose weights are external data loads (the page fetches the data files from the loopback server)', async () => {
    const host = new TargetHost(findTarget('ort-web:wasm@chromium'), { timeoutMs: 90_000 });
    hosts.push(host);
    for (const dir of ['ok', 'subdir-ok']) {
      await host.load(fixture(`model-io/external/${dir}/model.onnx`), false);
      const r = await host.run({ x: { dtype: 'float32', dims: [2, 2], data: new Float32Array([1, 2, 3, 4]) } });
      // y = x·[[1,2],[3,4]] + [10,20]: [1,2] → [7,10] + b = [17,30]; [3,4] → [15,22] + b = [25,42]
      expect(r.outputs['y'], dir).toEqual({ dtype: 'float32', dims: [2, 2], data: new Float32Array([17, 30, 25, 42]) });
    }
  }, 120_000);
});
