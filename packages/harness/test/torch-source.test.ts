/**
 * Integration: the PyTorch source oracle on real parts — Debian's torch 1.13 / torchvision 0.14 through
 * crossrt's Python bridge, torch.onnx.export as the converter under test, onnxruntime-node and
 * onnxruntime-web as targets. Expected values come from PyTorch itself (the module's own forward on
 * the same inputs), never from crossrt.
 * Fixtures: fixtures/torch/torchvision_models.py (torchvision architectures, seeded random weights,
 * randomized BatchNorm statistics), fixtures/torch/faulty_exporters.py (one wrong symbolic each,
 * registered with torch.onnx.register_custom_op_symbolic: BatchNorm epsilon 1e-2, HardSigmoid beta
 * 0.50002 inside Hardswish, MaxPool ceil_mode flipped, Relu with an attribute it lacks),
 * fixtures/torch/bad_sources.py.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CaseResultSchema, type Report } from '@crossrt/core';
import { modelSignature, opsetMap, readModelFile } from '@crossrt/model';
import { findTarget } from '@crossrt/runtime';
import { runTorchSource } from '../src/source/torch-source-run.js';

const torchDir = fileURLToPath(new URL('../../../fixtures/torch/', import.meta.url));
const outDir = mkdtempSync(join(tmpdir(), 'crossrt-torch-test-'));
const CPU = findTarget('ort-node:cpu');
const WASM = findTarget('ort-web:wasm');
const WEBGPU = findTarget('ort-node:webgpu');

function run(
  callable: string,
  opsets: number[],
  targets = [CPU, WASM],
  extra: Partial<Parameters<typeof runTorchSource>[0]> = {},
): Promise<Report> {
  return runTorchSource({
    callable,
    cwd: torchDir,
    matrix: { opsets },
    targets,
    outDir,
    layerwise: 'always',
    ...extra,
  });
}

describe('torchvision exports against PyTorch', { timeout: 240_000 }, () => {
  for (const arch of ['resnet18', 'mobilenet_v3_small', 'squeezenet1_1']) {
    it(`${arch} at opsets 13 and 17 passes on ort-node:cpu and ort-web:wasm, with no divergent module`, async () => {
      const report = await run(`torchvision_models.py:${arch}`, [13, 17]);
      expect(report.settings.reference).toBe('torch');
      expect(report.cases.map((c) => c.id)).toEqual([
        `torchvision_models.${arch}@opset13`,
        `torchvision_models.${arch}@opset17`,
      ]);
      for (const [i, c] of report.cases.entries()) {
        CaseResultSchema.parse(c);
        expect(c.verdict, JSON.stringify(c.comparisons.filter((x) => x.verdict !== 'pass').map((x) => x.reason))).toBe(
          'pass',
        );
        expect(c.source?.failureClass).toBe('pass');
        expect(c.source?.export.opset).toBe([13, 17][i]);
        expect(c.source?.checker?.ok).toBe(true);
        expect(c.source?.frameworkVersion).toMatch(/^1\.13/);
        // The file on disk is what was judged, at the opset asked for.
        expect(opsetMap((await readModelFile(c.model!.path)).proto)['ai.onnx']).toBe([13, 17][i]);
        expect(c.comparisons.map((x) => x.target).sort()).toEqual(['ort-node:cpu', 'ort-web:wasm']);
        expect(c.comparisons.every((x) => x.reference === 'torch' && x.metrics!.elements === 1000)).toBe(true);
        const l = c.localization!;
        expect(l.mode).toBe('source');
        expect(l.culprit).toBeNull();
        expect(l.nodes.filter((n) => n.status !== 'agree')).toEqual([]);
        expect(l.coverage!.matched).toBe(l.coverage!.total);
        expect(l.coverage!.total).toBeGreaterThan(40);
      }
    });
  }

  it('resnet18 passes on ort-node:webgpu too, every node placed on the WebGPU EP or as shape work on the CPU', async () => {
    const report = await run('torchvision_models.py:resnet18', [17], [WEBGPU], { layerwise: 'auto' });
    const c = report.cases[0]!;
    expect(c.verdict, JSON.stringify(c.comparisons.map((x) => x.reason))).toBe('pass');
    expect(c.outcomes[0]!.placement?.source).toBe('verbose-log');
    expect(c.outcomes[0]!.placement?.providers.find((p) => p.ep === 'WebGpuExecutionProvider')?.nodes).toBeGreaterThan(
      40,
    );
  });

  it('dict and tuple outputs are flattened to stable names and each is judged', async () => {
    const report = await run('torchvision_models.py:two_heads', [17]);
    const c = report.cases[0]!;
    expect(c.source?.outputs.map((o) => o.name)).toEqual(['logits', 'aux.0', 'aux.1']);
    expect(c.source?.outputs.map((o) => o.dims)).toEqual([
      [2, 5],
      [2, 8],
      [2, 12, 12],
    ]);
    expect(c.comparisons.map((x) => `${x.target}:${x.output}:${x.verdict}`).sort()).toEqual([
      'ort-node:cpu:aux.0:pass',
      'ort-node:cpu:aux.1:pass',
      'ort-node:cpu:logits:pass',
      'ort-web:wasm:aux.0:pass',
      'ort-web:wasm:aux.1:pass',
      'ort-web:wasm:logits:pass',
    ]);
  });

  it('constant folding off and dynamic axes are points of the matrix, each its own case', async () => {
    const report = await runTorchSource({
      callable: 'torchvision_models.py:two_heads',
      cwd: torchDir,
      targets: [CPU],
      outDir,
      layerwise: 'off',
      matrix: { opsets: [17], constantFolding: [true, false], dynamicAxes: { x: [0] } },
    });
    expect(report.cases.map((c) => c.id)).toEqual([
      'torchvision_models.two_heads@opset17',
      'torchvision_models.two_heads@opset17-dynamic',
      'torchvision_models.two_heads@opset17-nofold',
      'torchvision_models.two_heads@opset17-nofold-dynamic',
    ]);
    expect(report.cases.every((c) => c.verdict === 'pass')).toBe(true);
    const dynamic = await readModelFile(report.cases[1]!.model!.path);
    expect(modelSignature(dynamic.proto).inputs[0]!.dims).toEqual(['x_0', 3, 12, 12]);
    expect(report.cases[1]!.source?.export.dynamicAxes).toEqual({ x: [0] });
  });
});

describe('converter faults injected into torch.onnx', { timeout: 240_000 }, () => {
  it('a wrong BatchNorm epsilon is flagged and traced to the first Conv+BatchNorm the exporter fused', async () => {
    const c = (await run('faulty_exporters.py:resnet18_bn_epsilon', [13])).cases[0]!;
    expect(c.verdict).toBe('fail');
    expect(c.source?.failureClass).toBe('numeric-mismatch');
    expect(c.comparisons.every((x) => x.verdict === 'mismatch')).toBe(true);
    expect(c.localization?.culprit).toMatchObject({
      node: 'conv1',
      opType: 'Conv2d',
      outputs: ['/conv1/Conv_output_0'],
    });
    expect(c.localization?.nodes.find((n) => n.name === 'conv1')?.fusedModules).toEqual(['bn1']);
    // Its input is the graph input itself: bit-identical on both sides.
    expect(c.localization?.nodes.find((n) => n.name === 'conv1')?.inputMaxAbsError ?? 0).toBe(0);
  });

  it('a wrong HardSigmoid constant masked at the outputs is found layer-wise, in the first Hardswish', async () => {
    const c = (await run('faulty_exporters.py:mobilenet_v3_hardswish_offset', [13, 17])).cases;
    for (const x of c) {
      // Every model output passes; the only failing comparison is the culprit module, judged like an output.
      expect(
        x.comparisons
          .filter((cmp) => cmp.verdict !== 'pass')
          .map((cmp) => `${cmp.output}@${cmp.target}: ${cmp.verdict}`),
      ).toEqual(['features.0.2 [module]@ort-node:cpu: mismatch']);
      expect(x.verdict).toBe('fail');
      expect(x.source?.failureClass).toBe('numeric-mismatch');
      expect(x.source?.reason).toMatch(/masked/);
      expect(x.localization?.culprit).toMatchObject({ node: 'features.0.2', opType: 'Hardswish' });
      expect(x.localization?.culprit?.reason).toMatch(/SNR \d+\.\d dB is below the layer floor of 100 dB/);
      // Every other Hardswish carries the same fault: each shows up as an independent origin.
      expect(x.localization?.otherOrigins.filter((o) => /features\.\d+\.block\.\d\.2$/.test(o)).length).toBeGreaterThan(
        4,
      );
    }
  });

  it('a flipped MaxPool ceil_mode is traced to the pool whose output changed shape', async () => {
    const c = (await run('faulty_exporters.py:squeezenet_ceil_mode_flipped', [13])).cases[0]!;
    expect(c.verdict).toBe('fail');
    expect(c.localization?.culprit).toMatchObject({ node: 'features.2', opType: 'MaxPool2d' });
    expect(c.localization?.culprit?.reason).toContain('dims [1,64,15,15] differ from reference [1,64,16,16]');
    expect(c.localization?.otherOrigins).toEqual([]);
  });

  it('an exported model the ONNX checker and every target refuse is invalid-model', async () => {
    const c = (await run('faulty_exporters.py:two_heads_relu_bogus_attribute', [17])).cases[0]!;
    expect(c.verdict).toBe('fail');
    expect(c.source).toMatchObject({ failureClass: 'invalid-model', checker: { ok: false } });
    expect(c.source?.checker?.message).toContain('Unrecognized attribute: alpha for operator Relu');
    expect(c.outcomes.map((o) => o.status)).toEqual(['load-error', 'load-error']);
  });

  it('an architecture whose export raises is export-error with the exception, every point kept', async () => {
    const report = await run('torchvision_models.py:spectral_head', [13, 17]);
    expect(report.cases).toHaveLength(2);
    for (const c of report.cases) {
      expect(c.verdict).toBe('convert-error');
      expect(c.source?.failureClass).toBe('export-error');
      expect(c.source?.exportError?.type).toBe('UnsupportedOperatorError');
      expect(c.source?.exportError?.message).toContain("'aten::fft_rfft'");
      expect(c.source?.exportError?.traceback.length).toBeGreaterThan(0);
    }
    expect(report.totals.convertErrors).toBe(2);
  });
});

describe('bad source input', { timeout: 120_000 }, () => {
  it('a forward that raises is SOURCE_FORWARD_FAILED with the exception', async () => {
    // crossrt runs the forward once before exporting, to name the flattened outputs: it fails there.
    const c = (await run('bad_sources.py:raising_forward', [17], [CPU], { layerwise: 'off' })).cases[0]!;
    expect(c.verdict).toBe('error');
    expect(c.error).toMatchObject({ code: 'SOURCE_FORWARD_FAILED' });
    expect(c.error?.message).toContain(
      "RuntimeError: forward refused: this module only runs under the exporter's tracer",
    );
  });

  it('a source process that dies is SOURCE_BRIDGE_FAILED, and the points after it are reported, not lost', async () => {
    const report = await run('bad_sources.py:crashing_forward', [13, 17], [CPU], { layerwise: 'off' });
    expect(report.cases.map((c) => c.error?.code)).toEqual(['SOURCE_BRIDGE_FAILED', 'SOURCE_BRIDGE_FAILED']);
    expect(report.cases[0]!.error?.message).toMatch(/exited \(code 3\)/);
    expect(report.cases[1]!.error?.message).toMatch(/died on an earlier export point/);
  });

  it('source outputs that do not fit the exported model (count, shape) are verdicts per output', async () => {
    const c = (await run('bad_sources.py:shifting_outputs', [17], [CPU], { layerwise: 'off' })).cases[0]!;
    expect(c.verdict).toBe('fail');
    // PyTorch returns one [1,2,8,8] tensor (named `output`); the traced export has two outputs, the
    // first [1,4,8,8] under that name, the second unnamed by the exporter.
    const byOutput = Object.fromEntries(c.comparisons.map((x) => [x.output, `${x.verdict}: ${x.reason}`]));
    expect(byOutput['output']).toBe('shape: dims [1,4,8,8] differ from reference [1,2,8,8]');
    expect(
      Object.entries(byOutput)
        .filter(([k]) => k !== 'output')
        .map(([, v]) => v),
    ).toEqual([expect.stringMatching(/^missing: output "\d+" was not produced by torch$/)]);
  });

  for (const [fn, message] of [
    ['not_a_module', /returned dict, not a torch\.nn\.Module/],
    ['raising_builder', /raised ValueError: the builder needs a checkpoint/],
    ['no_such_function', /defines no callable no_such_function/],
  ] as const) {
    it(`a builder that is not usable (${fn}) is SOURCE_CALLABLE_INVALID for every point`, async () => {
      const report = await run(`bad_sources.py:${fn}`, [13, 17], [CPU]);
      expect(report.cases.map((c) => c.error?.code)).toEqual(['SOURCE_CALLABLE_INVALID', 'SOURCE_CALLABLE_INVALID']);
      expect(report.cases[0]!.error?.message).toMatch(message);
    });
  }

  it('a builder that declares no inputs needs --shape', async () => {
    const noShape = (await run('bad_sources.py:no_inputs', [17], [CPU])).cases[0]!;
    expect(noShape.error).toMatchObject({ code: 'USAGE' });
    expect(noShape.error?.hint).toMatch(/--shape/);
    const given = (await run('bad_sources.py:no_inputs', [17], [CPU], { shapes: { x: [1, 3, 5, 5] } })).cases[0]!;
    expect(given.verdict).toBe('pass');
    expect(given.inputs[0]).toMatchObject({ name: 'x', dims: [1, 3, 5, 5] });
  });
});
