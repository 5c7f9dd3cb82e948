/**
 * Early host processes (started before a harness asks for them, adopted by the first TargetHost with
 * the same process spec and warm-up), with real onnxruntime-node. Expected values by hand:
 * fixtures/models/affine-relu.onnx is y = Relu(2x - 1), z = x·[[1,2],[3,4]].
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { earlyHostCount, findTarget, startEarlyHost, TargetHost } from '@crossrt/runtime';
import { waitUntilGone } from '@crossrt/runtime/testing';

const affineRelu = fileURLToPath(new URL('../../../fixtures/models/affine-relu.onnx', import.meta.url));
const target = findTarget('ort-node:cpu');
const warm = { backend: 'cpu', placementLog: false, threads: 1 };

describe('early hosts', () => {
  it('are adopted by the first host probing with the same settings, and compute correct results', async () => {
    const pid = startEarlyHost(target, warm);
    expect(pid).toBeGreaterThan(0);
    expect(earlyHostCount()).toBe(1);
    const host = new TargetHost(target, { timeoutMs: 20_000 });
    try {
      expect((await host.probe({ placementLog: false, threads: 1 })).available).toBe(true);
      expect(host.pid).toBe(pid);
      expect(earlyHostCount()).toBe(0);
      const { reply } = await host.execute(
        affineRelu,
        [{ x: { dtype: 'float32', dims: [1, 2], data: new Float32Array([1, -2]) } }],
        false,
        1,
      );
      expect([...(reply.runs[0]!.outputs['y']!.data as Float32Array)]).toEqual([1, 0]); // Relu(2·1-1), Relu(2·(-2)-1)
      expect([...(reply.runs[0]!.outputs['z']!.data as Float32Array)]).toEqual([-5, -6]); // [1,-2]·[[1,2],[3,4]]
      expect(reply.device.threads).toBe(1);
    } finally {
      await host.close();
    }
  });

  it('are not adopted with other warm-up settings, and are stopped then', async () => {
    const pid = startEarlyHost(target, warm)!;
    const host = new TargetHost(target, { timeoutMs: 20_000 });
    try {
      await host.probe({ placementLog: false, threads: 2 });
      expect(host.pid).not.toBe(pid);
      expect(earlyHostCount()).toBe(0);
      expect(await waitUntilGone([pid])).toBe(true);
    } finally {
      await host.close();
    }
  });

  it('are not adopted by a host with another process spec (memory limit → V8 heap flag)', async () => {
    const pid = startEarlyHost(target, warm)!;
    const host = new TargetHost(target, { timeoutMs: 20_000, memoryLimitMb: 1024 });
    try {
      await host.probe(warm);
      expect(host.pid).not.toBe(pid);
    } finally {
      await host.close();
    }
    expect(await waitUntilGone([pid])).toBe(true);
  });

  it('never keep their parent alive, and leave with it', () => {
    const script = `
      import { findTarget, startEarlyHost } from '@crossrt/runtime';
      const pid = startEarlyHost(findTarget('ort-node:cpu'), { backend: 'cpu', placementLog: false });
      process.stdout.write(String(pid));`;
    const t0 = Date.now();
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(r.status, r.stderr).toBe(0);
    expect(Date.now() - t0).toBeLessThan(10_000);
    const pid = Number(r.stdout);
    expect(pid).toBeGreaterThan(0);
    return waitUntilGone([pid]).then((isGone) => expect(isGone).toBe(true));
  });

  it('keep their parent alive once a host waits to adopt them', () => {
    // Adoption right away, before the early warm-up answered, with nothing else holding the event loop.
    const script = `
      import { findTarget, startEarlyHost, TargetHost } from '@crossrt/runtime';
      const target = findTarget('ort-node:cpu');
      const pid = startEarlyHost(target, { backend: 'cpu', placementLog: false });
      const host = new TargetHost(target);
      const probe = await host.probe({ placementLog: false });
      process.stdout.write(JSON.stringify({ adopted: host.pid === pid, available: probe.available }));
      await host.close();`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout || '{}')).toEqual({ adopted: true, available: true });
  });

  it('only start for plain Node targets', () => {
    expect(startEarlyHost(findTarget('ort-node:webgpu'), { backend: 'webgpu', placementLog: true })).toBeUndefined();
    expect(
      startEarlyHost(findTarget('ort-web:wasm@chromium'), { backend: 'wasm', placementLog: false }),
    ).toBeUndefined();
    expect(earlyHostCount()).toBe(0);
  });
});
