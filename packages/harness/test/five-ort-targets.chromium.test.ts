/**
 * CI sample: ONNX backend node cases (Debian libonnx-testdata, /usr/share/libonnx-testdata/data/node)
 * on all five ORT targets, judged against the expected outputs shipped with each case, with placement
 * proved from ORT's own log. test_upsample_nearest (Upsample, opset 9; the op left ONNX in opset 10)
 * has no kernel in either WebGPU EP ("webgpu kernel not found in registries for Op type: Upsample"),
 * so the whole graph runs on the CPU and must be `fallback`; the Range function expansion keeps its
 * Loop on the CPU and must be `partial-fallback`. Budget: ~40 s on 2 cores.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { findTarget } from '@crossrt/runtime';
import { runOracleCases } from '../src/oracle/oracle-run.js';

const NODE = '/usr/share/libonnx-testdata/data/node';
const TARGETS = ['ort-node:cpu', 'ort-node:webgpu', 'ort-web:wasm', 'ort-web:wasm@chromium', 'ort-web:webgpu@chromium'];
const GPU_TARGETS = ['ort-node:webgpu', 'ort-web:webgpu@chromium'];
const SAMPLE = [
  'relu',
  'add',
  'add_bcast',
  'sub',
  'mul',
  'div',
  'sigmoid',
  'tanh',
  'exp',
  'abs',
  'neg',
  'sqrt',
  'matmul_2d',
  'gemm_default_no_bias',
  'transpose_default',
  'concat_2d_axis_0',
  'softmax_axis_1',
  'reduce_mean_default_axes_keepdims_example',
  'conv_with_strides_padding',
  'maxpool_2d_default',
  'averagepool_2d_default',
  'leakyrelu',
  'gather_0',
  'reshape_reordered_all_dims',
  'flatten_axis0',
  'upsample_nearest',
  'range_float_type_positive_delta_expanded',
].map((c) => `test_${c}`);
const EXPECTED_GPU_PLACEMENT: Record<string, 'fallback' | 'partial-fallback'> = {
  test_upsample_nearest: 'fallback',
  test_range_float_type_positive_delta_expanded: 'partial-fallback',
};

describe('five ORT targets on ONNX backend node cases', () => {
  it('agree with the expected outputs, with placement proved and GPU fallbacks called out', async () => {
    expect(existsSync(NODE), `libonnx-testdata missing (${NODE}): run npm run setup`).toBe(true);
    const report = await runOracleCases(
      SAMPLE.map((c) => `${NODE}/${c}`),
      { targets: TARGETS.map(findTarget), timeoutMs: 60_000, placementLog: 'always' },
    );
    expect(report.cases).toHaveLength(SAMPLE.length);
    for (const c of report.cases) {
      const name = c.id.split('/').pop()!;
      expect(
        c.outcomes.map((o) => `${o.target}:${o.status}`),
        name,
      ).toEqual(TARGETS.map((t) => `${t}:ok`));
      for (const o of c.outcomes) {
        expect(o.placement?.source, `${name} on ${o.target}`).toBe('verbose-log');
        expect(o.device?.runtimeVersion).toBe('1.30.0');
      }
      for (const cmp of c.comparisons) {
        const where = `${name}/${cmp.output} on ${cmp.target}: ${cmp.reason}`;
        // Numbers first: every target agrees with the oracle (rtol 1e-3, atol 1e-7) ...
        expect(cmp.verdict === 'pass' || /numbers: all \d+ element/.test(cmp.reason), where).toBe(true);
        // ... then placement: only the two known cases fall back, and only on GPU targets.
        const expected = GPU_TARGETS.includes(cmp.target) ? (EXPECTED_GPU_PLACEMENT[name] ?? 'pass') : 'pass';
        expect(cmp.verdict, where).toBe(expected);
      }
    }
    const upsample = report.cases.find((c) => c.id.endsWith('test_upsample_nearest'))!;
    for (const t of GPU_TARGETS) {
      const o = upsample.outcomes.find((x) => x.target === t)!;
      // The one model node ran there, and it is compute: under any judging policy a fallback (its scales are an input: no weights).
      // (weightBytes is not pinned here: one full-suite run under load reported 16 — X's size — on one GPU target; open question in the session note.)
      expect(o.placement!.providers).toMatchObject([
        { ep: 'CPUExecutionProvider', nodes: 1, shapeNodes: 0, computeNodes: 1 },
      ]);
      expect(o.placement!.fallbackNodes.map((n) => [n.opType, n.class])).toEqual([['Upsample', 'compute']]);
    }
    // Device info names the adapter on GPU targets and threads/SIMD on WebAssembly targets.
    const relu = report.cases[0]!.outcomes;
    const device = (t: string) => relu.find((o) => o.target === t)!.device!;
    expect(device('ort-node:webgpu')).toMatchObject({
      kind: 'gpu',
      details: { executionProvider: 'WebGpuExecutionProvider' },
    });
    expect(device('ort-node:webgpu').details['adapterArchitecture']).toBeTruthy();
    expect(device('ort-web:webgpu@chromium')).toMatchObject({
      kind: 'gpu',
      details: { executionProvider: 'JsExecutionProvider', crossOriginIsolated: true },
    });
    expect(device('ort-web:webgpu@chromium').details['adapterVendor']).toBeTruthy();
    expect(device('ort-web:wasm@chromium')).toMatchObject({ kind: 'wasm', simd: true });
    expect(device('ort-web:wasm@chromium').threads).toBeGreaterThanOrEqual(1);
  }, 180_000);
});
