/**
 * A crash or hang in one case costs only that case, on a browser target too: `crossrt run` over five
 * models where a faulty ort-web:wasm in Chromium runs out of renderer heap on one and never yields on
 * another keeps every other case's results (the Node-host cases are in isolation.test.ts).
 * Fixtures: fixtures/models/{affine-relu,mask-count}.onnx, fixtures/crash/{heap-oom,hang}.onnx; the
 * faulty target is real onnxruntime-web in Chromium behind the test-only adapter
 * packages/browser/test/fault-injecting-browser-runtime.mjs (faults picked by the models' input names).
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findTarget, type TargetDescriptor } from '@crossrt/runtime';
import { runDifferential } from '../src/run/differential-run.js';

const fixture = (p: string) => fileURLToPath(new URL(`../../../fixtures/${p}`, import.meta.url));
const faultyBrowser: TargetDescriptor = {
  id: 'ort-web:wasm@faulty-chromium',
  runtime: 'ort-web',
  backend: 'wasm',
  environment: 'faulty-chromium',
  adapterModule: new URL('../../browser/test/fault-injecting-browser-runtime.mjs', import.meta.url).href,
  description: 'ort-web:wasm@chromium with injected faults (test only)',
};

describe('crash and hang isolation across cases in Chromium', () => {
  it('does the same for a browser target: renderer out of heap → crash, page that never yields → timeout', async () => {
    const models = [
      'models/affine-relu.onnx',
      'crash/heap-oom.onnx',
      'models/mask-count.onnx',
      'crash/hang.onnx',
      'models/affine-relu.onnx',
    ].map(fixture);
    const report = await runDifferential(models, {
      targets: [findTarget('ort-node:cpu'), faultyBrowser],
      timeoutMs: 6000,
      dims: { N: 3 },
    });
    const outcome = (i: number) => report.cases[i]!.outcomes.find((o) => o.target === faultyBrowser.id)!;
    expect(report.cases.map((c) => c.verdict)).toEqual(['pass', 'fail', 'pass', 'fail', 'pass']);
    expect(outcome(1).status).toBe('crash');
    expect(outcome(1).error!.message).toMatch(/Chromium renderer crashed|page went away/);
    expect(outcome(3)).toMatchObject({
      status: 'timeout',
      error: { message: 'load + run did not finish within 12000 ms; host killed' },
    });
    for (const i of [0, 2, 4]) {
      expect(outcome(i).status).toBe('ok');
      expect(report.cases[i]!.comparisons.every((c) => c.verdict === 'pass')).toBe(true);
    }
  }, 120_000);
});
