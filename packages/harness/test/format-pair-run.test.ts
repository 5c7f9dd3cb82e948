/**
 * ONNX ↔ TF.js pairs on real targets: ort-node:cpu, ort-web:wasm, tfjs:cpu, tfjs:wasm.
 * Fixtures (tools/make-tfjs-fixtures.mjs): fixtures/tfjs/{conv-bn-pool,depthwise-dense,same-pad-even,gap-dense},
 * each a TF.js layers model, its correct ONNX export and wrong/<fault>.onnx exports.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { loadFormatPair, type FormatPair } from '../src/pair/pair-config.js';
import { runFormatPairs } from '../src/pair/format-pair-run.js';
import { localizeFormatPair } from '../src/pair/format-pair-localize.js';
import { findTarget, parseTargetList } from '@crossrt/runtime';

vi.setConfig({ testTimeout: 120_000 });

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const fixture = (name: string) => join(repo, 'fixtures/tfjs', name);
const targets = parseTargetList('ort-node:cpu,ort-web:wasm,tfjs:cpu,tfjs:wasm');

const WRONG: Record<string, { output: string; faults: string[] }> = {
  'conv-bn-pool': {
    output: 'output ↔ conv_b',
    faults: ['pad-wrong-side', 'bn-epsilon-dropped', 'kernel-layout-slip', 'activation-swapped'],
  },
  'depthwise-dense': { output: 'output ↔ fc', faults: ['flatten-order', 'kernel-layout-slip', 'pad-wrong-side'] },
  'same-pad-even': { output: 'output ↔ conv', faults: ['pad-wrong-side'] },
  'gap-dense': { output: 'output ↔ head', faults: ['kernel-layout-slip'] },
};

describe('format pairs on every Node target', () => {
  for (const [name, spec] of Object.entries(WRONG)) {
    it(`${name}: the correct export passes everywhere; each wrong export is a conversion fault on ${spec.output}`, async () => {
      const base = await loadFormatPair(fixture(name));
      const pairs: FormatPair[] = [
        base,
        ...spec.faults.map((f) => ({
          ...base,
          name: `${name}/${f}`,
          onnxPath: join(base.baseDir, 'wrong', `${f}.onnx`),
        })),
      ];
      const { report, pairs: summaries } = await runFormatPairs(pairs, { targets, seed: 7 });

      const [correct, ...wrong] = report.cases;
      expect(correct!.outcomes.map((o) => [o.target, o.status])).toEqual(targets.map((t) => [t.id, 'ok']));
      // 3 targets against the reference + tfjs:wasm against tfjs:cpu.
      expect(correct!.comparisons).toHaveLength(4);
      for (const c of correct!.comparisons) {
        expect(c.output).toBe(spec.output);
        expect(c.verdict, c.reason).toBe('pass');
        expect(c.metrics!.maxAbsError).toBeLessThan(1e-6);
      }
      expect(correct!.verdict).toBe('pass');
      expect(summaries[0]!.diagnosis.kind).toBe('equivalent');

      wrong.forEach((c, i) => {
        const fault = spec.faults[i]!;
        expect(c.verdict, fault).toBe('fail');
        const cross = c.comparisons.filter((x) => x.target.startsWith('tfjs/') !== x.reference.startsWith('tfjs/'));
        const within = c.comparisons.filter((x) => x.target.startsWith('tfjs/') === x.reference.startsWith('tfjs/'));
        // ort-web vs ort-node and tfjs:wasm vs tfjs:cpu agree: the runtimes are not the problem.
        expect(within.map((x) => [x.target.split('@')[1], x.verdict])).toEqual([
          ['ort-web:wasm', 'pass'],
          ['tfjs:wasm', 'pass'],
        ]);
        expect(cross.map((x) => [x.target.split('@')[1], x.output, x.verdict])).toEqual([
          ['tfjs:cpu', spec.output, 'mismatch'],
          ['tfjs:wasm', spec.output, 'mismatch'],
        ]);
        for (const x of cross) expect(x.metrics!.maxAbsError, fault).toBeGreaterThan(0.01);
        expect(summaries[i + 1]!.diagnosis).toMatchObject({ kind: 'conversion', outputs: [spec.output] });
        expect(summaries[i + 1]!.diagnosis.explanation).toContain(`wrong/${fault}.onnx`);
      });
    });
  }

  it('reports the mapping: conv-bn-pool inferred (NCHW↔NHWC), depthwise-dense from config', async () => {
    const { pairs } = await runFormatPairs(
      [await loadFormatPair(fixture('conv-bn-pool')), await loadFormatPair(fixture('depthwise-dense'))],
      { targets: parseTargetList('ort-node:cpu,tfjs:cpu') },
    );
    expect(pairs[0]!.inputs).toEqual([
      {
        onnx: 'input',
        tfjs: 'conv_a_input',
        perm: [0, 2, 3, 1],
        source: 'inferred',
        rule: 'the only input on each side; NCHW→NHWC (perm [0,2,3,1]) (the only layout the dims allow)',
      },
    ]);
    expect(pairs[0]!.outputs).toMatchObject([
      { onnx: 'output', tfjs: 'conv_b', perm: [0, 2, 3, 1], source: 'inferred' },
    ]);
    expect(pairs[1]!.inputs).toMatchObject([{ onnx: 'input', tfjs: 'dw_input', perm: [0, 2, 3, 1], source: 'config' }]);
    expect(pairs[1]!.outputs).toMatchObject([{ onnx: 'output', tfjs: 'fc', perm: [0, 1], source: 'config' }]);
  });

  it('an NHWC-boundary export (tf2onnx style) is paired with the same layout, inferred, and passes', async () => {
    const base = await loadFormatPair(fixture('conv-bn-pool'));
    const { report, pairs } = await runFormatPairs([{ ...base, onnxPath: join(base.baseDir, 'model.nhwc.onnx') }], {
      targets: parseTargetList('ort-node:cpu,tfjs:cpu'),
    });
    expect(pairs[0]!.inputs).toMatchObject([
      { onnx: 'input', tfjs: 'conv_a_input', perm: [0, 1, 2, 3], source: 'inferred' },
    ]);
    expect(pairs[0]!.inputs[0]!.rule).toContain('same layout (the only layout the dims allow)');
    expect(report.cases[0]!.comparisons.map((c) => [c.output, c.verdict])).toEqual([['output ↔ conv_b', 'pass']]);
  });

  it('a TF.js reference compares ONNX outputs in the TF.js layout', async () => {
    const base = await loadFormatPair(fixture('conv-bn-pool'));
    const { report } = await runFormatPairs([base], { targets: parseTargetList('tfjs:cpu,ort-node:cpu') });
    const [c] = report.cases[0]!.comparisons;
    expect(c).toMatchObject({
      output: 'output ↔ conv_b',
      target: 'model.onnx@ort-node:cpu',
      reference: 'tfjs/model.json@tfjs:cpu',
      verdict: 'pass',
    });
    expect(c!.dims.reference).toEqual([1, 2, 2, 6]);
    expect(c!.reason).toContain('ONNX output brought into the TF.js layout (NCHW→NHWC');
  });

  it('config errors are case errors with a code; one-format target lists are usage errors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'crossrt-pair-'));
    const cfg = join(dir, 'crossrt-pair.json');
    writeFileSync(
      cfg,
      JSON.stringify({
        onnx: fixture('conv-bn-pool/model.onnx'),
        tfjs: fixture('conv-bn-pool/tfjs/model.json'),
        inputs: [{ onnx: 'input', tfjs: 'conv_a_input', perm: [0, 1, 2, 3] }],
      }),
    );
    const { report } = await runFormatPairs([await loadFormatPair(dir)], {
      targets: parseTargetList('ort-node:cpu,tfjs:cpu'),
    });
    expect(report.cases[0]!.verdict).toBe('error');
    expect(report.cases[0]!.error).toMatchObject({ code: 'PAIR_CONFIG_INVALID' });
    expect(report.cases[0]!.error!.message).toContain(
      'maps ONNX [1,3,8,8] to [1,3,8,8], but TF.js input conv_a_input is [1,8,8,3]',
    );

    writeFileSync(cfg, JSON.stringify({ onnx: 'model.onnx', tfjs: 'x.json', extra: 1 }));
    await expect(loadFormatPair(cfg)).rejects.toMatchObject({ code: 'PAIR_CONFIG_INVALID' });
    await expect(runFormatPairs([], { targets: parseTargetList('ort-node:cpu,ort-web:wasm') })).rejects.toMatchObject({
      code: 'USAGE',
    });
  });
});

describe('layer-wise localization of a pair', () => {
  // Each fault is injected at one layer by tools/tfjs-onnx-exporter.mjs; the first diverging layer must be it.
  const EXPECTED: [string, string | null, string | undefined][] = [
    ['conv-bn-pool', null, undefined],
    ['conv-bn-pool', 'pad-wrong-side', 'conv_a'],
    ['conv-bn-pool', 'bn-epsilon-dropped', 'bn_a'],
    ['conv-bn-pool', 'kernel-layout-slip', 'conv_a'],
    ['conv-bn-pool', 'activation-swapped', 'conv_b'],
    ['depthwise-dense', 'flatten-order', 'flat'],
    ['depthwise-dense', 'kernel-layout-slip', 'dw'],
    ['gap-dense', 'kernel-layout-slip', 'pointwise'],
  ];
  for (const [name, fault, layer] of EXPECTED) {
    it(`${name}${fault ? `/${fault}` : ' (correct)'}: first divergence ${layer ?? 'none'}`, async () => {
      const base = await loadFormatPair(fixture(name));
      const pair = fault ? { ...base, name: fault, onnxPath: join(base.baseDir, 'wrong', `${fault}.onnx`) } : base;
      const loc = await localizeFormatPair(pair, { onnx: findTarget('ort-node:cpu'), tfjs: findTarget('tfjs:wasm') });
      expect(loc.firstDivergence).toBe(layer);
      expect(
        loc.layers.every((l) => l.comparison !== undefined),
        JSON.stringify(loc.layers.filter((l) => l.skipped)),
      ).toBe(true);
      const before = loc.layers.slice(
        0,
        loc.layers.findIndex((l) => l.layer === layer),
      );
      for (const l of layer ? before : loc.layers)
        expect(l.comparison!.metrics!.maxAbsError, l.layer).toBeLessThan(1e-5);
      if (layer)
        expect(loc.layers.find((l) => l.layer === layer)!.comparison!.metrics!.maxAbsError).toBeGreaterThan(0.01);
    });
  }

  it('refuses graph models (no layers to expose)', async () => {
    const pair: FormatPair = {
      name: 'antispoof',
      onnxPath: fixture('conv-bn-pool/model.onnx'),
      tfjsPath: join(repo, 'node_modules/@vladmandic/human/models/antispoof.json'),
      baseDir: repo,
    };
    await expect(
      localizeFormatPair(pair, { onnx: findTarget('ort-node:cpu'), tfjs: findTarget('tfjs:cpu') }),
    ).rejects.toMatchObject({ code: expect.stringMatching(/MODEL_UNSUPPORTED_IO|PAIR_MAPPING_UNRESOLVED/) });
  });
});
