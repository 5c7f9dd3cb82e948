/**
 * Early host processes (started before a harness asks for them, adopted by the first TargetHost with
 * the same process spec and warm-up), with real onnxruntime-node. Expected values by hand:
 * fixtures/models/affine-relu.onnx is y = Relu(2x - 1), z = x·[[1,2],[3,4]].
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { earlyHostCount, findTarget, startEarlyHost, TargetHost } from '@crossrt/runtime';
import { waitUntilGone } from '@crossrt/runtime/testing';

const affineRelu = fileURLToPath(new URL('../../../fixtures/models/affine-relu.onnx', import.meta.url));
const target = findTarget('ort-node:cpu');
const warm = { backend: 'cpu', placementLog: false, threads: 1 };
const tmp = mkdtempSync(join(tmpdir(), 'crossrt-early-hosts-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/**
 * affine-relu.onnx with W[0][0] = 5 instead of 1, patched in W's raw float32 bytes (1, 2, 3, 4 appear
 * once in the file): the same size, and z = [1,-2]·[[5,2],[3,4]] = [-1, -6].
 */
function affineReluW00is5(): Uint8Array {
  const bytes = new Uint8Array(readFileSync(affineRelu));
  const w = new Uint8Array(new Float32Array([1, 2, 3, 4]).buffer);
  const at = Buffer.from(bytes).indexOf(Buffer.from(w));
  expect(at).toBeGreaterThan(0);
  bytes.set(new Uint8Array(new Float32Array([5]).buffer), at);
  return bytes;
}
const x = { x: { dtype: 'float32', dims: [1, 2], data: new Float32Array([1, -2]) } } as const;
const zOf = (reply: Awaited<ReturnType<TargetHost['execute']>>['reply']) => [...(reply.runs[0]!.outputs['z']!.data as Float32Array)];

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
      const { reply } = await host.execute(affineRelu, [{ x: { dtype: 'float32', dims: [1, 2], data: new Float32Array([1, -2]) } }], false, 1);
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
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: fileURLToPath(new URL('..', import.meta.url)), encoding: 'utf8', timeout: 20_000 });
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
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: fileURLToPath(new URL('..', import.meta.url)), encoding: 'utf8', timeout: 20_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout || '{}')).toEqual({ adopted: true, available: true });
  });

  it('load the model they are told to preload, and the first load of that same file adopts the session', async () => {
    const path = join(tmp, 'preload-adopted.onnx');
    writeFileSync(path, readFileSync(affineRelu));
    utimesSync(path, 1_700_000_000, 1_700_000_000);
    const pid = startEarlyHost(target, warm, {}, path)!;
    const host = new TargetHost(target, { timeoutMs: 20_000 });
    try {
      await host.probe(warm);
      expect(host.pid).toBe(pid);
      await new Promise((r) => setTimeout(r, 2000)); // the preload has read the file by now
      // Rewritten in place with the same size, mtime and inode: only an adopted session still computes W[0][0] = 1.
      const w00is5 = affineReluW00is5();
      expect(w00is5.length).toBe(readFileSync(affineRelu).length);
      writeFileSync(path, w00is5);
      utimesSync(path, 1_700_000_000, 1_700_000_000);
      const { reply } = await host.execute(path, [x], false, 1);
      expect(zOf(reply)).toEqual([-5, -6]); // [1,-2]·[[1,2],[3,4]]: the preloaded model
      const again = await host.execute(path, [x], false, 1);
      expect(zOf(again.reply)).toEqual([-1, -6]); // only the first load adopts; this one reads the file
    } finally {
      await host.close();
    }
  });

  it('drop the preloaded session when the file changed before the load asked for it', async () => {
    const path = join(tmp, 'preload-changed.onnx');
    writeFileSync(path, readFileSync(affineRelu));
    utimesSync(path, 1_700_000_000, 1_700_000_000);
    startEarlyHost(target, warm, {}, path);
    const host = new TargetHost(target, { timeoutMs: 20_000 });
    try {
      await host.probe(warm);
      await new Promise((r) => setTimeout(r, 2000));
      writeFileSync(path, affineReluW00is5());
      utimesSync(path, 1_700_000_100, 1_700_000_100);
      const { reply } = await host.execute(path, [x], false, 1);
      expect(zOf(reply)).toEqual([-1, -6]); // [1,-2]·[[5,2],[3,4]]: the file as it is now
    } finally {
      await host.close();
    }
  });

  it('only start for plain Node targets', () => {
    expect(startEarlyHost(findTarget('ort-node:webgpu'), { backend: 'webgpu', placementLog: true })).toBeUndefined();
    expect(startEarlyHost(findTarget('ort-web:wasm@chromium'), { backend: 'wasm', placementLog: false })).toBeUndefined();
    expect(earlyHostCount()).toBe(0);
  });
});
