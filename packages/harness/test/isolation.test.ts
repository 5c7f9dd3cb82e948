/**
 * A crash or hang in one case costs only that case: `crossrt run` over five models where a faulty
 * target aborts (SIGABRT) on one and hangs on another keeps every other case's results.
 * Fixtures: fixtures/models/{affine-relu,mask-count}.onnx, fixtures/crash/{abort,hang}.onnx; the
 * faulty target is real onnxruntime-node behind the test-only adapter
 * packages/runtime-ort-node/test/fault-injecting-runtime.mjs (faults picked by the models' input names).
 * The same on a browser target: isolation.chromium.test.ts.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findTarget, type TargetDescriptor } from '@crossrt/runtime';
import { runDifferential } from '../src/run/differential-run.js';
import { executeOnTarget } from '../src/execution/execute-on-target.js';
import { TargetPool } from '../src/execution/target-pool.js';

const fixture = (p: string) => fileURLToPath(new URL(`../../../fixtures/${p}`, import.meta.url));
const faulty: TargetDescriptor = {
  id: 'ort-node:cpu@faulty',
  runtime: 'ort-node',
  backend: 'cpu',
  environment: 'faulty',
  adapterModule: new URL('../../runtime-ort-node/test/fault-injecting-runtime.mjs', import.meta.url).href,
  description: 'ort-node:cpu with injected faults (test only)',
};

describe('crash isolation inside a batch', () => {
  it('pins an abort on its own case, keeps a load error per case, and runs the rest', async () => {
    // The fault-injecting adapter on a Node host, so its cases are batched like conformance cases.
    const batchedFaulty: TargetDescriptor = { ...faulty, id: 'ort-node:cpu@faulty-node', environment: 'node' };
    const pool = new TargetPool({ batchSize: 8, timeoutMs: 20_000 });
    expect(pool.batches(batchedFaulty)).toBe(true);
    const x = (n: number) => ({
      x: { dtype: 'float32' as const, dims: [n, 2], data: Float32Array.from({ length: 2 * n }, (_, i) => i - 2) },
    });
    const cases = [
      ['models/affine-relu.onnx', [x(1)]],
      ['bad/unknown-domain.onnx', [{ x: { dtype: 'float32' as const, dims: [4], data: new Float32Array(4) } }]],
      [
        'crash/abort.onnx',
        [{ crossrt_fault_abort: { dtype: 'float32' as const, dims: [4], data: new Float32Array(4) } }],
      ],
      ['models/affine-relu.onnx', [x(2), x(3)]],
      ['models/affine-relu.onnx', [x(3)]],
    ] as const;
    try {
      const runs = await Promise.all(
        cases.map(([model, feeds]) => executeOnTarget(pool, batchedFaulty, fixture(model), feeds, 4)),
      );
      expect(runs.map((r) => r.outcome.status)).toEqual(['ok', 'load-error', 'crash', 'ok', 'ok']);
      expect(runs[1]!.outcome.error!.message).toMatch(/FancyActivation|com\.example\.custom/);
      expect(runs[2]!.outcome.error!.message).toBe('host process killed by SIGABRT');
      // y = Relu(2x - 1) by hand, per input set, from the batched host.
      expect(runs[3]!.outputs.map((o) => [...(o.get('y')!.data as Float32Array)])).toEqual([
        [0, 0, 0, 1],
        [0, 0, 0, 1, 3, 5],
      ]);
      expect([...(runs[0]!.outputs[0]!.get('y')!.data as Float32Array)]).toEqual([0, 0]);
    } finally {
      await pool.close();
    }
  }, 60_000);
});

describe('crash and hang isolation across cases', () => {
  it('marks the crashed and hung cases, restarts the host, and keeps the others', async () => {
    const models = [
      'models/affine-relu.onnx',
      'crash/abort.onnx',
      'models/mask-count.onnx',
      'crash/hang.onnx',
      'models/affine-relu.onnx',
    ].map(fixture);
    const report = await runDifferential(models, {
      targets: [findTarget('ort-node:cpu'), faulty],
      timeoutMs: 4000,
      dims: { N: 3 },
    });
    const faultyOutcome = (i: number) => report.cases[i]!.outcomes.find((o) => o.target === faulty.id)!;
    expect(report.cases.map((c) => c.verdict)).toEqual(['pass', 'fail', 'pass', 'fail', 'pass']);
    expect(faultyOutcome(1)).toMatchObject({ status: 'crash', error: { message: 'host process killed by SIGABRT' } });
    expect(faultyOutcome(3)).toMatchObject({
      status: 'timeout',
      error: { message: 'load + run did not finish within 8000 ms; host killed' },
    });
    for (const i of [0, 2, 4]) {
      expect(faultyOutcome(i).status).toBe('ok');
      expect(report.cases[i]!.comparisons.length).toBeGreaterThan(0);
      expect(report.cases[i]!.comparisons.every((c) => c.verdict === 'pass')).toBe(true);
    }
    // The reference target never shared a process with the faulty one: all its cases ran.
    expect(report.cases.every((c) => c.outcomes.find((o) => o.target === 'ort-node:cpu')!.status === 'ok')).toBe(true);
    expect(report.totals.outcomes).toEqual({ ok: 8, crash: 1, timeout: 1 });
  }, 60_000);
});
