/**
 * Crash and hang isolation of browser targets: the page really runs out of heap (renderer crash) or
 * never yields (per-request timeout); the host reports `crash`/`timeout` with the console tail, the
 * browser processes go away with it, and a fresh host computes correct numbers.
 * Fixtures: fixtures/crash/{hang,heap-oom}.onnx (faults picked by input name in the test-only
 * test/fault-page-runner.mjs), /usr/share/libonnx-testdata/data/node/test_relu (expected output).
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { processDescendants, processTreeRssBytes, TargetHost, type TargetDescriptor } from '@crossrt/runtime';
import { failureOf, processGone, waitUntilGone } from '@crossrt/runtime/testing';

const fixture = (p: string) => fileURLToPath(new URL(`../../../fixtures/${p}`, import.meta.url));
const target: TargetDescriptor = {
  id: 'ort-web:wasm@chromium',
  runtime: 'ort-web',
  backend: 'wasm',
  environment: 'chromium',
  adapterModule: new URL('./fault-injecting-browser-runtime.mjs', import.meta.url).href,
  description: 'ort-web in Chromium with injected faults (test only)',
};
const x = { dtype: 'float32' as const, dims: [4], data: new Float32Array([-1, 0, 0.5, 2]) };

describe('browser host isolation (headless Chromium, real faults)', () => {
  it('a renderer that runs out of heap is a crash; the host exits and a fresh one runs test_relu correctly', async () => {
    const host = new TargetHost(target, { timeoutMs: 60_000 });
    await host.load(fixture('crash/heap-oom.onnx'));
    const failure = await failureOf(host.run({ crossrt_fault_heap_oom: x }));
    expect(failure.kind).toBe('crash');
    expect(failure.message).toMatch(/Chromium renderer crashed|page went away/);
    await new Promise((r) => setTimeout(r, 500));
    expect(host.alive).toBe(false);

    const fresh = new TargetHost(target, { timeoutMs: 60_000 });
    try {
      const dir = '/usr/share/libonnx-testdata/data/node/test_relu';
      await fresh.load(`${dir}/model.onnx`);
      const input = new Float32Array(60).map((_, i) => (i % 7) - 3.5);
      const r = await fresh.run({ x: { dtype: 'float32', dims: [3, 4, 5], data: input } });
      expect([...(r.outputs['y']!.data as Float32Array)]).toEqual([...input].map((v) => Math.max(0, v)));
    } finally {
      await fresh.close();
    }
  }, 90_000);

  it('a page that never yields times out; the host and its browser processes are gone', async () => {
    // The timeout covers the first load too, which launches Chromium: 8.4–8.7 s on a loaded 2-core machine.
    const host = new TargetHost(target, { timeoutMs: 20_000 });
    await host.load(fixture('crash/hang.onnx'));
    const browserPids = processDescendants(host.pid!);
    expect(browserPids.length).toBeGreaterThan(0);
    expect(processTreeRssBytes(host.pid!)).toBeGreaterThan(0);
    const failure = await failureOf(host.run({ crossrt_fault_hang: x }));
    expect(failure).toMatchObject({ kind: 'timeout', message: 'run did not finish within 20000 ms; host killed' });
    expect(host.alive).toBe(false);
    // Chromium notices its control pipe closed and exits; give it a few seconds.
    await waitUntilGone(browserPids, 10_000);
    expect(browserPids.filter((p) => !processGone(p))).toEqual([]);
  }, 60_000);
});
