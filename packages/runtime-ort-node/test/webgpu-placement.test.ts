/**
 * ort-node:webgpu through a real host process (SwiftShader Vulkan when the machine has no GPU), with
 * placement parsed from ORT's verbose log. Fixtures (values derived by hand in each test):
 * fixtures/models/affine-relu.onnx (opset 13, all nodes on WebGPU), fixtures/placement/
 * upsample-opset9.onnx (refused whole) and scale-upsample-relu-opset9.onnx (Upsample refused).
 */
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { findTarget, parsePlacementLog, TargetHost } from '@crossrt/runtime';

const fixture = (p: string) => fileURLToPath(new URL(`../../../fixtures/${p}`, import.meta.url));
const host = new TargetHost(findTarget('ort-node:webgpu'), { timeoutMs: 60_000 });
afterAll(() => host.close());

/** Nearest-neighbour ×2 upsampling of a 2×2 image, by hand: each value becomes a 2×2 block. */
const upsample2x2 = ([a, b, c, d]: number[]) => [a, a, b, b, a, a, b, b, c, c, d, d, c, c, d, d];

describe('ort-node:webgpu placement', () => {
  it('probes available and describes the adapter it got', async () => {
    const probe = await host.probe();
    expect(probe.available, probe.reason).toBe(true);
    expect(['system', 'swiftshader']).toContain(host.environmentInUse);
  });

  it('runs an opset-13 graph wholly on the WebGPU EP with correct numbers', async () => {
    const { reply, lines } = await host.load(fixture('models/affine-relu.onnx'));
    expect(reply.device).toMatchObject({ kind: 'gpu', details: { executionProvider: 'WebGpuExecutionProvider' } });
    const placement = parsePlacementLog(lines, 'WebGpuExecutionProvider')!;
    expect(placement.providers.every((p) => p.ep === 'WebGpuExecutionProvider')).toBe(true);
    expect(placement.fallbackNodes).toEqual([]);
    const r = await host.run({ x: { dtype: 'float32', dims: [2, 2], data: new Float32Array([1, -2, 0.5, 3]) } });
    expect([...(r.outputs['y']!.data as Float32Array)]).toEqual([1, 0, 0, 5]); // Relu(2x - 1)
    expect([...(r.outputs['z']!.data as Float32Array)]).toEqual([-5, -6, 9.5, 13]); // x · [[1,2],[3,4]]
  });

  it('shows an opset-9 Upsample graph refused by WebGPU and run on the CPU', async () => {
    const { lines } = await host.load(fixture('placement/upsample-opset9.onnx'));
    expect(parsePlacementLog(lines, 'WebGpuExecutionProvider')).toEqual({
      source: 'verbose-log',
      providers: [{ ep: 'CPUExecutionProvider', nodes: 1 }],
      fallbackNodes: [{ node: 'upsample', opType: 'Upsample', ep: 'CPUExecutionProvider' }],
    });
    const r = await host.run({ x: { dtype: 'float32', dims: [1, 1, 2, 2], data: new Float32Array([1, 2, 3, 4]) } });
    expect([...(r.outputs['y']!.data as Float32Array)]).toEqual(upsample2x2([1, 2, 3, 4]));
  });

  it('lists only the refused node when the rest of the graph stays on WebGPU', async () => {
    const { lines } = await host.load(fixture('placement/scale-upsample-relu-opset9.onnx'));
    const placement = parsePlacementLog(lines, 'WebGpuExecutionProvider')!;
    expect(placement.fallbackNodes).toEqual([{ node: 'upsample', opType: 'Upsample', ep: 'CPUExecutionProvider' }]);
    expect(placement.providers.find((p) => p.ep === 'WebGpuExecutionProvider')!.nodes).toBeGreaterThanOrEqual(3); // Mul, Sub, Relu (+ copies)
    const r = await host.run({
      x: { dtype: 'float32', dims: [1, 1, 2, 2], data: new Float32Array([-1, 0.25, 0.5, 2]) },
    });
    expect([...(r.outputs['y']!.data as Float32Array)]).toEqual(upsample2x2([0, 0, 0, 3])); // Relu(2x - 1) = [0, 0, 0, 3]
  });
});
