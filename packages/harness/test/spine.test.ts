/**
 * Integration: the spine on real runtimes (ort-node:cpu, ort-web:wasm in host processes).
 * Fixtures: fixtures/models/affine-relu.onnx, fixtures/models/mask-count.onnx (tools/make-fixtures.mjs),
 * and the ONNX backend test cases node/test_add and node/test_conv_with_strides_padding from Debian
 * libonnx-testdata, whose test_data_set outputs are the oracle.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import type { HostTensor } from '@crossrt/core';
import { findTarget } from '@crossrt/runtime';
import { executeOnTarget } from '../src/execution/execute-on-target.js';
import { TargetPool } from '../src/execution/target-pool.js';
import { runDifferential } from '../src/run/differential-run.js';
import { runOracleCases } from '../src/oracle/oracle-run.js';

const fixture = (name: string) => fileURLToPath(new URL(`../../../fixtures/models/${name}`, import.meta.url));
const NODE_SUITE = '/usr/share/libonnx-testdata/data/node';
const TARGETS = [findTarget('ort-node:cpu'), findTarget('ort-web:wasm')];
const pool = new TargetPool({ timeoutMs: 60_000 });
afterAll(() => pool.close());

describe('hand-derived outputs on both targets', () => {
  it.each(TARGETS.map((t) => [t.id, t] as const))(
    'affine-relu on %s: y = relu(2x-1), z = x·[[1,2],[3,4]]',
    async (_id, target) => {
      const x: HostTensor = { dtype: 'float32', dims: [3, 2], data: new Float32Array([-1, 0, 0.5, 2, 0.25, 1.5]) };
      const { outcome, outputs } = await executeOnTarget(pool, target, fixture('affine-relu.onnx'), [{ x }], 4);
      expect(outcome.status).toBe('ok');
      const y = outputs[0]!.get('y')!;
      const z = outputs[0]!.get('z')!;
      // relu(2x-1): relu(-3)=0, relu(-1)=0, relu(0)=0, relu(3)=3, relu(-0.5)=0, relu(2)=2
      expect([...(y.data as Float32Array)]).toEqual([0, 0, 0, 3, 0, 2]);
      // rows [x0,x1]·W = [x0+3x1, 2x0+4x1]: [-1,0]→[-1,-2]; [0.5,2]→[6.5,9]; [0.25,1.5]→[4.75,6.5]
      expect([...(z.data as Float32Array)]).toEqual([-1, -2, 6.5, 9, 4.75, 6.5]);
      expect(z.dims).toEqual([3, 2]);
    },
  );

  it.each(TARGETS.map((t) => [t.id, t] as const))('mask-count on %s: int64 sum and bool not', async (_id, target) => {
    const mask: HostTensor = { dtype: 'bool', dims: [2, 3], data: new Uint8Array([1, 0, 1, 1, 1, 0]) };
    const { outcome, outputs } = await executeOnTarget(pool, target, fixture('mask-count.onnx'), [{ mask }], 3);
    expect(outcome.status).toBe('ok');
    expect(outputs[0]!.get('count')).toMatchObject({ dtype: 'int64', dims: [] });
    expect(outputs[0]!.get('count')!.data).toEqual(new BigInt64Array([4n]));
    expect([...(outputs[0]!.get('flipped')!.data as Uint8Array)]).toEqual([0, 1, 0, 0, 0, 1]);
  });
});

describe('crossrt run', () => {
  it('agrees across targets on the fixtures and records inputs, dims and placement', async () => {
    const report = await runDifferential([fixture('affine-relu.onnx')], { targets: TARGETS, seed: 7, dims: { N: 5 } });
    const c = report.cases[0]!;
    expect(c.verdict).toBe('pass');
    expect(c.inputs[0]).toMatchObject({ name: 'x', dtype: 'float32', dims: [5, 2], generator: 'uniform[-1,1)' });
    expect(c.dims).toEqual([{ input: 'x', axis: 0, symbol: 'N', value: 5, source: 'dim-flag' }]);
    expect(c.comparisons.map((x) => [x.output, x.verdict])).toEqual([
      ['y', 'pass'],
      ['z', 'pass'],
    ]);
    // One EP per session: placed by construction, no log needed.
    const cpu = c.outcomes.find((o) => o.target === 'ort-node:cpu')!;
    expect(cpu.placement).toEqual({
      source: 'single-ep',
      providers: [{ ep: 'CPUExecutionProvider', nodes: 4 }],
      fallbackNodes: [],
    });
  });

  it("proves CPU placement from ORT's own log when asked (--placement-log)", async () => {
    const report = await runDifferential([fixture('affine-relu.onnx')], { targets: TARGETS, placementLog: 'always' });
    for (const o of report.cases[0]!.outcomes) {
      expect(o.placement, o.target).toEqual({
        source: 'verbose-log',
        providers: [{ ep: 'CPUExecutionProvider', nodes: 4 }],
        fallbackNodes: [],
      });
    }
  });

  it('states the default for a symbolic dim nobody set', async () => {
    const report = await runDifferential([fixture('affine-relu.onnx')], { targets: TARGETS });
    expect(report.cases[0]!.dims).toEqual([expect.objectContaining({ symbol: 'N', value: 1, source: 'default' })]);
    expect(report.settings.defaultDim).toBe(1);
  });

  it('keeps a case error in the report instead of throwing', async () => {
    const report = await runDifferential(['/nonexistent/model.onnx', fixture('mask-count.onnx')], { targets: TARGETS });
    expect(report.cases.map((c) => c.verdict)).toEqual(['error', 'pass']);
    expect(report.cases[0]!.error?.code).toBe('FILE_NOT_FOUND');
  });
});

describe('external data', () => {
  it('both targets load weights stored beside the model (ort-web gets them as bytes) and agree', async () => {
    const models = ['ok', 'subdir-ok'].map((d) =>
      fileURLToPath(new URL(`../../../fixtures/model-io/external/${d}/model.onnx`, import.meta.url)),
    );
    const report = await runDifferential(models, { targets: TARGETS });
    for (const c of report.cases) {
      expect(
        c.outcomes.map((o) => o.status),
        c.id,
      ).toEqual(['ok', 'ok']);
      expect(c.verdict, c.id).toBe('pass');
    }
  });
});

describe('crossrt run on a TF.js model.json', () => {
  it('runs fixtures/tfjs/conv-bn-pool on tfjs:cpu and tfjs:wasm and compares them', async () => {
    const model = fileURLToPath(new URL('../../../fixtures/tfjs/conv-bn-pool/tfjs/model.json', import.meta.url));
    const report = await runDifferential([model], { targets: [findTarget('tfjs:cpu'), findTarget('tfjs:wasm')] });
    const c = report.cases[0]!;
    expect(c.verdict).toBe('pass');
    expect(c.model!.producer).toMatch(/^tfjs layers-model/);
    expect(c.inputs[0]).toMatchObject({ dtype: 'float32', dims: [1, 8, 8, 3] });
    expect(c.comparisons.map((x) => [x.output, x.target, x.verdict])).toEqual([['conv_b', 'tfjs:wasm', 'pass']]);
    expect(c.comparisons[0]!.metrics!.maxAbsError).toBeLessThan(1e-5);
  });
});

describe('ONNX backend test cases as the oracle', () => {
  it('test_add, test_relu and test_cast_FLOAT_to_DOUBLE match their expected outputs on both targets', async () => {
    const report = await runOracleCases(
      [`${NODE_SUITE}/test_add`, `${NODE_SUITE}/test_relu`, `${NODE_SUITE}/test_cast_FLOAT_to_DOUBLE`],
      { targets: TARGETS },
    );
    for (const c of report.cases) {
      expect(c.verdict, c.id).toBe('pass');
      expect(c.comparisons.every((x) => x.reference === 'oracle' && x.inputSet === 'test_data_set_0')).toBe(true);
      expect(c.comparisons.map((x) => x.target).sort()).toEqual(['ort-node:cpu', 'ort-web:wasm']);
    }
    expect(report.settings.tolerance).toMatchObject({ rtol: 1e-3, atol: 1e-7 });
  });

  it('reports a real last-bit discrepancy between the two targets with zero tolerance', async () => {
    const report = await runDifferential([`${NODE_SUITE}/test_conv_with_strides_padding/model.onnx`], {
      targets: TARGETS,
      tolerance: { rtol: 0, atol: 0, source: 'cli' },
    });
    const cmp = report.cases[0]!.comparisons[0]!;
    expect(cmp.verdict).toBe('mismatch');
    expect(cmp.metrics!.maxAbsError).toBeGreaterThan(0);
    expect(cmp.metrics!.maxAbsError).toBeLessThan(1e-3);
  });
});
