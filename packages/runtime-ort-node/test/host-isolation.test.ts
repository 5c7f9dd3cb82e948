/**
 * Crash, hang and memory-exhaustion isolation of Node host processes, with real onnxruntime-node.
 * Fixtures: fixtures/crash/{abort,segv,hang,native-oom,heap-oom}.onnx (Relu models whose input name
 * selects the fault the test-only adapter test/fault-injecting-runtime.mjs triggers mid-run) and
 * fixtures/models/affine-relu.onnx (y = Relu(2x - 1), z = x·[[1,2],[3,4]], values derived by hand).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { TargetHost, type TargetDescriptor } from '@crossrt/runtime';
import { failureOf } from '@crossrt/runtime/testing';

const fixture = (p: string) => fileURLToPath(new URL(`../../../fixtures/${p}`, import.meta.url));
const faultTarget: TargetDescriptor = {
  id: 'ort-node:cpu',
  runtime: 'ort-node',
  backend: 'cpu',
  environment: 'node',
  adapterModule: new URL('./fault-injecting-runtime.mjs', import.meta.url).href,
  description: 'ort-node:cpu with injected faults (test only)',
};
const x = { dtype: 'float32' as const, dims: [4], data: new Float32Array([-1, 0, 0.5, 2]) };

async function runFault(kind: string, options: ConstructorParameters<typeof TargetHost>[1] = {}) {
  const host = new TargetHost(faultTarget, { timeoutMs: 20_000, ...options });
  await host.load(fixture(`crash/${kind}.onnx`));
  const failure = await failureOf(host.run({ [`crossrt_fault_${kind.replace('-', '_')}`]: x }));
  return { host, failure };
}

describe('host isolation (onnxruntime-node, real faults)', () => {
  beforeAll(() => {
    expect(existsSync(fixture('crash/abort.onnx')), 'run `node tools/make-crash-fixtures.mjs`').toBe(true);
  });

  it('reports a native abort as a crash with the signal and the log tail', async () => {
    const { host, failure } = await runFault('abort');
    expect(failure.kind).toBe('crash');
    expect(failure.message).toBe('host process killed by SIGABRT');
    expect(host.alive).toBe(false);
  });

  it('reports SIGSEGV as a crash', async () => {
    const { failure } = await runFault('segv');
    expect(failure).toMatchObject({ kind: 'crash', message: 'host process killed by SIGSEGV' });
  });

  it('kills a hung host after the per-request timeout', async () => {
    const t0 = performance.now();
    const { host, failure } = await runFault('hang', { timeoutMs: 1500 });
    expect(failure.kind).toBe('timeout');
    expect(failure.message).toBe('run did not finish within 1500 ms; host killed');
    expect(performance.now() - t0).toBeLessThan(15_000);
    expect(host.alive).toBe(false);
  });

  it('kills a host whose resident memory passes the limit', async () => {
    const { failure } = await runFault('native-oom', { memoryLimitMb: 400 });
    expect(failure.kind).toBe('crash');
    expect(failure.message).toMatch(
      /^host used \d+ MB resident memory, over the 400 MB limit; host killed \(CROSSRT_MEMORY_LIMIT_MB or --memory-limit sets the limit, 0 disables it\)$/,
    );
  });

  it("turns V8 heap exhaustion into a crash with V8's own message in the tail", async () => {
    const { failure } = await runFault('heap-oom', { memoryLimitMb: 512 });
    expect(failure.kind).toBe('crash');
    expect(failure.message).toMatch(/SIGABRT|SIGTRAP|exited with code|over the 512 MB limit/);
    expect(failure.logTail.join('\n') + failure.message).toMatch(
      /heap limit|heap out of memory|over the 512 MB limit/i,
    );
  }, 60_000);

  it('a fresh host after a crash computes correct results (Relu by hand)', async () => {
    const { host } = await runFault('abort');
    expect(host.alive).toBe(false);
    const fresh = new TargetHost(faultTarget, { timeoutMs: 20_000 });
    try {
      await fresh.load(fixture('models/affine-relu.onnx'));
      const r = await fresh.run({ x: { dtype: 'float32', dims: [1, 2], data: new Float32Array([1, -2]) } });
      expect([...(r.outputs['y']!.data as Float32Array)]).toEqual([1, 0]); // Relu(2·1-1), Relu(2·(-2)-1)
      expect([...(r.outputs['z']!.data as Float32Array)]).toEqual([-5, -6]); // [1,-2]·[[1,2],[3,4]]
    } finally {
      await fresh.close();
    }
  });
});
