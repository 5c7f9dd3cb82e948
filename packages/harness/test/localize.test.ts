/**
 * Integration: localization on real runtimes (host processes).
 * Fixtures (tools/make-fault-fixtures.mjs): fixtures/faults/chain.onnx and its variants with one node
 * changed at depths 2, 3, 5 and 11 (chain-fault-*.onnx), branch.onnx / branch-fault-then.onnx (the
 * change sits inside an If's then-branch), conv-chain.onnx (a Conv that ort-node:cpu and ort-web:wasm
 * round differently). The injected node is known from how each variant was made; the expected error
 * sizes come from the injected change (a ×1.001 constant gives a relative error of 1e-3 exactly).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { findTarget } from '@crossrt/runtime';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HostTensor } from '@crossrt/core';
import { encodeTensorFile, readModelFile, tensorFromProto } from '@crossrt/model';
import { executeOnTarget } from '../src/execution/execute-on-target.js';
import { TargetPool } from '../src/execution/target-pool.js';
import { localizeDiscrepancy, localizeWith } from '../src/discrepancy/localize.js';
import { prepareSideInputs, resolveDiscrepancy, SideRunner } from '../src/discrepancy/discrepancy-sides.js';

const fault = (name: string) => fileURLToPath(new URL(`../../../fixtures/faults/${name}`, import.meta.url));
const CPU = findTarget('ort-node:cpu');
const WASM = findTarget('ort-web:wasm');
const WEBGPU = findTarget('ort-node:webgpu');
const pool = new TargetPool({ timeoutMs: 60_000 });
afterAll(() => pool.close());

async function localizeVariant(variant: string, chunkSize = 128, maxChunkBytes?: number) {
  const options = { model: fault('chain.onnx'), variant: fault(variant), targets: [CPU], seed: 0 };
  const { spec } = await resolveDiscrepancy(options);
  const inputs = await prepareSideInputs(spec, options);
  const runner = new SideRunner(spec, pool);
  try {
    return (await localizeWith(spec, inputs, runner, {}, chunkSize, maxChunkBytes)).localization;
  } finally {
    await runner.close();
  }
}

describe('localize names the injected node (variants on ort-node:cpu)', { timeout: 30_000 }, () => {
  it.each([
    ['chain-fault-act1.onnx', 'act1', 2, 'op Relu → LeakyRelu'],
    ['chain-fault-scale1.onnx', 'scale1', 3, 'initializer s1'],
    ['chain-fault-bias2.onnx', 'bias2', 5, 'initializer b2'],
    ['chain-fault-scale3.onnx', 'scale3', 11, 'initializer s3'],
  ] as const)('%s → %s at depth %i', async (variant, node, depth, change) => {
    const l = await localizeVariant(variant);
    expect(l.culprit?.node).toBe(node);
    expect(l.culprit?.index).toBe(depth);
    expect(l.otherOrigins).toEqual([]);
    // Everything upstream of the injected node is computed from identical values by identical ops.
    for (const n of l.nodes.slice(0, depth)) expect(n.status, n.name).toBe('agree');
    for (const n of l.nodes.slice(0, depth)) expect(n.maxAbsError, n.name).toBe(0);
    const culprit = l.nodes[depth]!;
    expect(culprit.status).toBe('culprit');
    expect(culprit.parameterDiffs?.join('; ')).toContain(change);
    expect(culprit.inputMaxAbsError).toBe(0);
    // Nothing diverges without a diverging input once the culprit is found.
    expect(l.nodes.filter((n) => n.status === 'origin')).toEqual([]);
  });

  it('measures the injected error: ×1.001 on the last node is a relative error of 1e-3 on every element', async () => {
    const l = await localizeVariant('chain-fault-scale3.onnx');
    const y = l.nodes[11]!.outputs[0]!;
    expect(y.tensor).toBe('y');
    expect(y.mismatches).toBe(4);
    // |1.001·h − h| / |h| = 1e-3 up to float32 rounding of 1.001 and of the products.
    expect(y.maxRelError).toBeGreaterThan(1e-3 - 1e-6);
    expect(y.maxRelError).toBeLessThan(1e-3 + 1e-6);
  });

  it('measures the injected error: +0.01 on one bias element moves exactly one element by 0.01', async () => {
    const l = await localizeVariant('chain-fault-bias2.onnx');
    const h5 = l.nodes[5]!.outputs[0]!;
    expect(h5).toMatchObject({ tensor: 'h5', verdict: 'mismatch', mismatches: 1, elements: 8 });
    expect(Math.abs(h5.maxAbsError! - 0.01)).toBeLessThan(1e-6);
  });

  it('gives the same table when tensors are exposed in chunks of 3', async () => {
    const whole = await localizeVariant('chain-fault-scale1.onnx');
    const chunked = await localizeVariant('chain-fault-scale1.onnx', 3);
    expect(whole.chunks).toBe(1);
    expect(chunked.chunks).toBe(Math.ceil(13 / 3));
    // Statuses and the culprit match. Downstream metrics may differ in the last bits: which tensors are
    // graph outputs changes what onnxruntime fuses (e.g. MatMul+Add into Gemm) in each chunk's model.
    expect(chunked.nodes.map((n) => [n.name, n.status])).toEqual(whole.nodes.map((n) => [n.name, n.status]));
    expect(chunked.culprit).toEqual(whole.culprit);
    expect(chunked.nodes.slice(0, 4)).toEqual(whole.nodes.slice(0, 4));
  });

  it('shrinks later chunks when one run returns more bytes than the budget', async () => {
    // 6 exposed [1,8]/[1,4] float32 tensors plus the outputs y, z come back from both sides: > 200 bytes.
    const l = await localizeVariant('chain-fault-scale1.onnx', 6, 200);
    expect(l.notes.join('\n')).toMatch(
      /a chunk of 6 tensor\(s\) returned \d+ bytes \(budget 200 bytes\); later chunks hold [1-5]$/m,
    );
    expect(l.chunks).toBeGreaterThan(3);
    expect(l.culprit?.node).toBe('scale1');
  });

  it('finds nothing when the variant is the same model', async () => {
    const options = { model: fault('chain.onnx'), variant: fault('chain.onnx'), targets: [CPU] };
    const report = await localizeDiscrepancy(options);
    const l = report.cases[0]!.localization!;
    expect(l.culprit).toBeNull();
    expect(l.nodes.every((n) => n.status === 'agree')).toBe(true);
    expect(report.cases[0]!.verdict).toBe('pass');
  });

  it('names an If as one unit when the change sits inside its branch', async () => {
    const report = await localizeDiscrepancy({
      model: fault('branch.onnx'),
      variant: fault('branch-fault-then.onnx'),
      targets: [CPU],
    });
    const l = report.cases[0]!.localization!;
    expect(l.culprit).toMatchObject({ node: 'gate', opType: 'If', controlFlow: true });
    expect(l.notes.join('\n')).toMatch(/control-flow node.*gate If.*one unit/);
    expect(l.nodes.find((n) => n.name === 'gate')?.parameterDiffs).toEqual(['attribute then_branch']);
  });
});

describe('localize between two real targets', { timeout: 30_000 }, () => {
  it('conv-chain: ort-web:wasm rounds the strided Conv differently from ort-node:cpu; the exact ops around it agree', async () => {
    const report = await localizeDiscrepancy({
      model: fault('conv-chain.onnx'),
      targets: [CPU, WASM],
      policy: { base: { rtol: 0, atol: 0 } },
      seed: 0,
    });
    const c = report.cases[0]!;
    const l = c.localization!;
    expect(c.verdict).toBe('fail');
    expect(l.mode).toBe('targets');
    expect(l.culprit?.node).toBe('conv');
    // x·2 is exact in IEEE arithmetic on any runtime.
    expect(l.nodes[0]).toMatchObject({ name: 'double', status: 'agree', maxAbsError: 0 });
    // A last-bits difference: a few float32 ULPs of values of order 1.
    expect(l.nodes[1]!.maxAbsError).toBeGreaterThan(0);
    expect(l.nodes[1]!.maxAbsError).toBeLessThan(1e-6);
    expect(l.tolerance).toMatchObject({ rtol: 0, atol: 0 });
  });
});

describe('localize a real runtime bug', { timeout: 60_000 }, () => {
  it('webgpu-conv129: ort-node:webgpu computes a 129-channel Conv1d wrong; a float64 conv computed here sides with ort-node:cpu', async () => {
    // x[c, l] = sin(0.37·(3c + l)) fed from a file, so the test can compute the Conv itself.
    const x: HostTensor = {
      dtype: 'float32',
      dims: [1, 129, 3],
      data: Float32Array.from({ length: 387 }, (_, i) => Math.sin(0.37 * i)),
    };
    const dir = mkdtempSync(join(tmpdir(), 'crossrt-localize-'));
    writeFileSync(join(dir, 'x.pb'), encodeTensorFile(x, 'x'));
    const report = await localizeDiscrepancy({
      model: fault('webgpu-conv129.onnx'),
      targets: [CPU, WEBGPU],
      inputs: { files: [{ path: join(dir, 'x.pb') }] },
    });
    const l = report.cases[0]!.localization!;
    expect(l.culprit).toMatchObject({ node: 'conv129', opType: 'Conv' });
    expect(l.nodes[0]).toMatchObject({ name: 'double', status: 'agree', maxAbsError: 0 });

    // c[o, t] = B[o] + Σ_c Σ_k W[o, c, k] · 2x[c, t + k − 1] (pads 1, stride 1), in float64.
    const model = await readModelFile(fault('webgpu-conv129.onnx'));
    const init = (name: string) =>
      tensorFromProto(model.proto.graph!.initializer.find((t) => t.name === name)!).data as Float32Array;
    const [W, B] = [init('W'), init('B')];
    const xs = x.data as Float32Array;
    const expected: number[] = [];
    for (let o = 0; o < 4; o++) {
      for (let t = 0; t < 3; t++) {
        let sum = B[o]!;
        for (let c = 0; c < 129; c++)
          for (let k = 0; k < 3; k++)
            if (t + k - 1 >= 0 && t + k - 1 < 3) sum += W[(o * 129 + c) * 3 + k]! * 2 * xs[c * 3 + t + k - 1]!;
        expected.push(sum);
      }
    }
    const maxErr = async (target: typeof CPU) => {
      const r = await executeOnTarget(pool, target, fault('webgpu-conv129.onnx'), [{ x }], 3);
      const y = r.outputs[0]!.get('y')!.data as Float32Array;
      return Math.max(...expected.map((c, i) => Math.abs(y[i]! - 0.5 * c)));
    };
    expect(await maxErr(CPU)).toBeLessThan(1e-5);
    expect(await maxErr(WEBGPU)).toBeGreaterThan(1e-2);
  });
});
