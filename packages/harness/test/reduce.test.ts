/**
 * Integration: reduction on real runtimes. Fixtures (tools/make-fault-fixtures.mjs): fixtures/faults/
 * chain.onnx with its single-node variants, and conv-chain.onnx (ort-node:cpu vs ort-web:wasm round
 * its Conv differently). Each reduced repro is checked independently of the search: its written files
 * (model.onnx, test_data_set_0/*.pb) are decoded and run again, and must still disagree.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HostTensor } from '@crossrt/core';
import { compareOutput } from '@crossrt/compare';
import { decodeNpz, decodeTensorFile, encodeTensorFile, readModelFile } from '@crossrt/model';
import { findTarget } from '@crossrt/runtime';
import { executeOnTarget } from '../src/execution/execute-on-target.js';
import { TargetPool } from '../src/execution/target-pool.js';
import { reduceDiscrepancy } from '../src/discrepancy/reduce.js';

const fault = (name: string) => fileURLToPath(new URL(`../../../fixtures/faults/${name}`, import.meta.url));
const CPU = findTarget('ort-node:cpu');
const WASM = findTarget('ort-web:wasm');
const tmp = mkdtempSync(join(tmpdir(), 'crossrt-reduce-'));
const pool = new TargetPool({ timeoutMs: 60_000 });
afterAll(() => pool.close());

function writtenInputs(dir: string): Record<string, HostTensor> {
  const set = join(dir, 'test_data_set_0');
  const feeds: Record<string, HostTensor> = {};
  for (const f of readdirSync(set).filter((n) => n.startsWith('input_'))) {
    const { name, tensor } = decodeTensorFile(new Uint8Array(readFileSync(join(set, f))), f);
    feeds[name] = tensor;
  }
  return feeds;
}

describe('reduce a single-node fault to at most 3 nodes (variants on ort-node:cpu)', { timeout: 30_000 }, () => {
  it.each([
    ['chain-fault-act1.onnx', 'act1', 'Relu'],
    ['chain-fault-scale1.onnx', 'scale1', 'Mul'],
    ['chain-fault-bias2.onnx', 'bias2', 'Add'],
    ['chain-fault-scale3.onnx', 'scale3', 'Mul'],
  ] as const)('%s → %s', async (variant, node, op) => {
    const out = join(tmp, variant);
    const report = await reduceDiscrepancy({
      model: fault('chain.onnx'),
      variant: fault(variant),
      targets: [CPU],
      outDir: out,
    });
    const r = report.cases[0]!.reduction!;
    expect(r.nodesBefore).toBe(13);
    expect(r.nodesAfter).toBeLessThanOrEqual(3);
    expect(r.nodes).toContainEqual({ name: node, opType: op });
    expect(r.verdict).toBe('mismatch');
    expect(r.runs).toBeLessThan(60);
    // The written repro, run again from its files: reference model vs variant model on the same inputs.
    const feeds = writtenInputs(out);
    const refModel = await readModelFile(join(out, 'model.onnx'));
    expect(refModel.proto.graph!.node.length).toBe(r.nodesAfter);
    const a = await executeOnTarget(pool, CPU, join(out, 'model.onnx'), [feeds], r.nodesAfter);
    const b = await executeOnTarget(pool, CPU, join(out, 'variant.onnx'), [feeds], r.nodesAfter);
    const cmp = compareOutput({
      output: r.output,
      target: 'b',
      reference: 'a',
      expected: a.outputs[0]?.get(r.output),
      actual: b.outputs[0]?.get(r.output),
      policy: {},
    });
    expect(cmp.verdict).toBe('mismatch');
    // The expected output stored beside the inputs is what the reference side computes.
    const stored = decodeTensorFile(
      new Uint8Array(readFileSync(join(out, 'test_data_set_0', 'output_0.pb'))),
      'output_0.pb',
    );
    expect(stored.name).toBe(r.output);
    expect(stored.tensor.data).toEqual(a.outputs[0]!.get(r.output)!.data);
  });

  it('--output may name an intermediate tensor: downstream of the fault it reduces, upstream there is nothing to reduce', async () => {
    const common = { model: fault('chain.onnx'), variant: fault('chain-fault-bias2.onnx'), targets: [CPU] };
    const downstream = await reduceDiscrepancy({ ...common, outDir: join(tmp, 'h7'), output: 'h7' });
    expect(downstream.cases[0]!.reduction).toMatchObject({
      originalOutput: 'h7',
      nodesAfter: 1,
      nodes: [{ name: 'bias2', opType: 'Add' }],
    });
    const upstream = await reduceDiscrepancy({ ...common, outDir: join(tmp, 'h4'), output: 'h4' });
    expect(upstream.cases[0]!.reduction).toBeUndefined();
    expect(upstream.cases[0]!.comparisons.find((c) => c.output === 'h4')?.verdict).toBe('pass');
    await expect(reduceDiscrepancy({ ...common, outDir: join(tmp, 'nope'), output: 'nope' })).rejects.toMatchObject({
      code: 'GRAPH_TENSOR_NOT_FOUND',
    });
  });

  it('has nothing to reduce when both models agree', async () => {
    const report = await reduceDiscrepancy({
      model: fault('chain.onnx'),
      variant: fault('chain.onnx'),
      targets: [CPU],
      outDir: join(tmp, 'same'),
    });
    expect(report.cases[0]!.reduction).toBeUndefined();
    expect(report.cases[0]!.verdict).toBe('pass');
  });
});

describe('reduce a real two-target discrepancy', { timeout: 30_000 }, () => {
  it('conv-chain on ort-node:cpu vs ort-web:wasm (tolerance 0) shrinks to the Conv and still reproduces from its files', async () => {
    const out = join(tmp, 'conv');
    // A known input fed from a file (values k/7 − 2.3 for k = 0..34), so the captured cut value can be checked by hand.
    const x: HostTensor = {
      dtype: 'float32',
      dims: [1, 1, 7, 5],
      data: Float32Array.from({ length: 35 }, (_, k) => k / 7 - 2.3),
    };
    const xFile = join(tmp, 'x.pb');
    writeFileSync(xFile, encodeTensorFile(x, 'x'));
    const report = await reduceDiscrepancy({
      model: fault('conv-chain.onnx'),
      targets: [CPU, WASM],
      outDir: out,
      policy: { base: { rtol: 0, atol: 0 } },
      inputs: { files: [{ path: xFile }] },
    });
    const r = report.cases[0]!.reduction!;
    expect(r.nodes).toEqual([{ name: 'conv', opType: 'Conv' }]);
    expect(r.inputs).toEqual([{ name: 'x2', dtype: 'float32', dims: [1, 1, 7, 5], captured: true }]);
    const npz = decodeNpz(new Uint8Array(readFileSync(join(out, 'inputs.npz'))));
    const feeds = Object.fromEntries(npz);
    const cpu = await executeOnTarget(pool, CPU, join(out, 'model.onnx'), [feeds], 1);
    const wasm = await executeOnTarget(pool, WASM, join(out, 'model.onnx'), [feeds], 1);
    const cmp = compareOutput({
      output: 'c',
      target: 'ort-web:wasm',
      reference: 'ort-node:cpu',
      expected: cpu.outputs[0]?.get('c'),
      actual: wasm.outputs[0]?.get('c'),
      tolerance: { rtol: 0, atol: 0, source: 'cli' },
    });
    expect(cmp.verdict).toBe('mismatch');
    // The captured cut input x2 = 2·x, exact in float32.
    expect([...(feeds['x2']!.data as Float32Array)]).toEqual([...(x.data as Float32Array)].map((v) => 2 * v));
  });
});

describe('reduce a run failure on one side', { timeout: 60_000 }, () => {
  it('strnorm-locale: ort-node:cpu refuses the locale at load, ort-web:wasm runs it; shrinks to the StringNormalizer', async () => {
    const out = join(tmp, 'strnorm');
    const report = await reduceDiscrepancy({ model: fault('strnorm-locale.onnx'), targets: [WASM, CPU], outDir: out });
    const r = report.cases[0]!.reduction!;
    expect(r.failure?.status).toBe('load-error');
    expect(r.failure?.message).toMatch(/locale/);
    expect(r.verdict).toBe('missing');
    expect(r.nodes).toEqual([{ name: 'normalize', opType: 'StringNormalizer' }]);
    expect(r.inputs).toEqual([{ name: 's', dtype: 'string', dims: [4], captured: true }]);
    // The written repro, run again: still refused by ort-node:cpu, still run by ort-web:wasm.
    const feeds = writtenInputs(out);
    expect((await executeOnTarget(pool, CPU, join(out, 'model.onnx'), [feeds], 1)).outcome.status).toBe('load-error');
    const wasm = await executeOnTarget(pool, WASM, join(out, 'model.onnx'), [feeds], 1);
    expect(wasm.outcome.status).toBe('ok');
    // s holds |x| printed as plain decimals (seed 0): upper-casing digits and dots changes nothing, y = s.
    expect(wasm.outputs[0]!.get('y')!.data).toEqual(feeds['s']!.data);
  });
});
