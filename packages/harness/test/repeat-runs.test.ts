/**
 * `--repeat` and `--noise-floor` on real runtimes. Fixture: fixtures/models/affine-relu.onnx (outputs
 * y = relu(2x - 1) and z = x·W). The nondeterministic target is real onnxruntime-node behind the
 * test-only adapter packages/runtime-ort-node/test/jittery-runtime.mjs, which moves each float32
 * output element by up to 2^-22 relative from run to run, as reductions in varying order do.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findTarget, type TargetDescriptor } from '@crossrt/runtime';
import { runDifferential } from '../src/run/differential-run.js';

const model = fileURLToPath(new URL('../../../fixtures/models/affine-relu.onnx', import.meta.url));
const CPU = findTarget('ort-node:cpu');
const WASM = findTarget('ort-web:wasm');
const jittery: TargetDescriptor = {
  id: 'ort-node:cpu@jittery',
  runtime: 'ort-node',
  backend: 'cpu',
  environment: 'jittery',
  adapterModule: new URL('../../runtime-ort-node/test/jittery-runtime.mjs', import.meta.url).href,
  description: 'ort-node:cpu with run-to-run jitter (test only)',
};
const exact = { rtol: 0, atol: 0, source: 'cli' as const };

describe('repeat runs', { timeout: 120_000 }, () => {
  it('deterministic CPU targets report zero jitter over every repeat', async () => {
    const report = await runDifferential([model], {
      targets: [CPU, WASM],
      dims: { N: 64 },
      repeat: 5,
      inputs: { samples: 2 },
    });
    const c = report.cases[0]!;
    expect(c.verdict).toBe('pass');
    for (const o of c.outcomes) {
      expect(o.repeats).toMatchObject({ runs: 5, nondeterministic: false });
      // Two outputs × two input sets, each bit-identical in all four later runs.
      expect(o.repeats!.outputs.map((x) => [x.output, x.inputSet, x.maxAbsDiff, x.differingRuns])).toEqual([
        ['y', 'sample0', 0, 0],
        ['z', 'sample0', 0, 0],
        ['y', 'sample1', 0, 0],
        ['z', 'sample1', 0, 0],
      ]);
    }
  });

  it('finds the jitter of a nondeterministic target, and says a discrepancy of that size may be noise', async () => {
    const report = await runDifferential([model], {
      targets: [jittery, CPU],
      dims: { N: 64 },
      repeat: 6,
      tolerance: exact,
    });
    const c = report.cases[0]!;
    const noisy = c.outcomes.find((o) => o.target === jittery.id)!.repeats!;
    expect(noisy.nondeterministic).toBe(true);
    const z = noisy.outputs.find((x) => x.output === 'z')!;
    expect(z.differingRuns).toBe(5);
    expect(z.maxAbsDiff).toBeGreaterThan(0);
    // Relative moves of at most 2^-22 on each of two runs: never more than 2^-21 of the largest |z|.
    expect(z.maxAbsDiff).toBeLessThan(1e-5);
    expect(c.outcomes.find((o) => o.target === CPU.id)!.repeats!.nondeterministic).toBe(false);
    const cmp = c.comparisons.find((x) => x.output === 'z')!;
    expect(cmp.verdict).toBe('mismatch');
    expect(cmp.reason).toMatch(/within the targets' own run-to-run jitter/);
  });

  it("--noise-floor raises atol to k × the reference target's jitter, and says so in the tolerance", async () => {
    const report = await runDifferential([model], {
      targets: [jittery, CPU],
      dims: { N: 64 },
      repeat: 6,
      tolerance: exact,
      noiseFloor: 4,
    });
    const c = report.cases[0]!;
    const jitter = c.outcomes[0]!.repeats!.outputs.find((x) => x.output === 'z')!.maxAbsDiff;
    const cmp = c.comparisons.find((x) => x.output === 'z')!;
    expect(cmp.tolerance.atol).toBeCloseTo(4 * jitter, 12);
    expect(cmp.tolerance.rules?.at(-1)).toMatch(/^noise-floor 4× reference jitter/);
    expect(cmp.verdict, cmp.reason).toBe('pass');
  });
});
