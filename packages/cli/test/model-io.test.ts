/**
 * crossrt inspect / conformance / run on model I/O fixtures, spawned like a user would
 * (packages/cli/dist/main.js): bad inputs give one typed line, exit 2 and no stack trace.
 * Fixtures: fixtures/model-io/{external,broken,arrays} (tools/make-model-io-fixtures.mjs),
 * fixtures/known-failures/*.json, libonnx-testdata node/test_abs and node/test_cast_FLOAT_to_STRING.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const bin = join(repo, 'packages/cli/dist/main.js');
const io = (p: string) => join(repo, 'fixtures/model-io', p);
const NODE = '/usr/share/libonnx-testdata/data/node';
const tmp = mkdtempSync(join(tmpdir(), 'crossrt-model-io-cli-'));

/** Spawned asynchronously so the independent checks below can run concurrently. */
function crossrt(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, CI: 'true' }, timeout: 120_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function expectOneLineError(r: { code: number | null; stderr: string }, code: string, mention: RegExp) {
  expect(r.code, r.stderr).toBe(2);
  const lines = r.stderr.trim().split('\n');
  expect(lines[0]).toMatch(new RegExp(`^crossrt: ${code}: `));
  expect(lines[0]).toMatch(mention);
  expect(r.stderr).not.toMatch(/\n\s+at .*:\d+:\d+/); // no stack trace
  expect(lines.length).toBeLessThanOrEqual(2); // the message and its hint
}

describe.concurrent('bad model and tensor files → typed one-line error, exit 2', { timeout: 60_000 }, () => {
  it.each([
    ['broken/truncated.onnx', 'MODEL_TRUNCATED', /truncated/],
    ['broken/garbage.onnx', 'MODEL_INVALID', /not an ONNX model/],
    ['broken/empty.onnx', 'MODEL_EMPTY', /empty/],
    ['broken/truncated.pb', 'TENSOR_INVALID', /truncated/],
    ['broken/garbage.pb', 'TENSOR_INVALID', /not a TensorProto/],
    ['arrays/object.npy', 'ARRAY_FILE_INVALID', /object arrays/],
    ['external/absolute/model.onnx', 'EXTERNAL_DATA_ESCAPES', /absolute path/],
    ['external/dotdot/model.onnx', 'EXTERNAL_DATA_ESCAPES', /"\.\.\/secret\.bin" climbs out/],
    ['external/symlink/model.onnx', 'EXTERNAL_DATA_ESCAPES', /symlink/],
    ['external/missing/model.onnx', 'EXTERNAL_DATA_MISSING', /not found/],
    ['external/short/model.onnx', 'EXTERNAL_DATA_SHORT', /holds 20/],
  ])('inspect %s → %s', async (file, code, mention) => {
    expectOneLineError(await crossrt('inspect', io(file)), code, mention);
  });

  it('run refuses an escaping model before any runtime loads it (case error, exit 2)', async () => {
    const r = await crossrt('run', io('external/dotdot/model.onnx'), '--targets', 'ort-node:cpu', '--shape', 'x=1x2');
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('EXTERNAL_DATA_ESCAPES');
    expect(r.stdout).not.toMatch(/ort-node:cpu: (ok|LOAD-ERROR)/);
  });
});

describe.concurrent('crossrt inspect', { timeout: 60_000 }, () => {
  it('prints IO, op counts, external files; --json carries the same facts', async () => {
    const text = await crossrt('inspect', io('external/ok/model.onnx'));
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^ir 8, opsets ai\.onnx 13, producer crossrt-fixtures 1/m);
    expect(text.stdout).toContain('  x: float32[N,2]');
    expect(text.stdout).toContain('ai.onnx: Add 1, MatMul 1');
    expect(text.stdout).toContain('external file weights.bin: 2 tensor(s), 24 B');
    const json = JSON.parse((await crossrt('inspect', io('external/ok/model.onnx'), '--json')).stdout);
    expect(json).toMatchObject({
      irVersion: 8,
      nodes: 2,
      initializers: { count: 2, bytes: 24, externalBytes: 24 },
      externalFiles: [{ location: 'weights.bin', tensors: 2, bytes: 24 }],
    });
  });

  it('flags custom domains and hygiene problems (opset-6 pytorch export, preview training op)', async () => {
    const old = await crossrt(
      'inspect',
      '/usr/share/libonnx-testdata/data/pytorch-operator/test_operator_add_broadcast',
    );
    expect(old.stdout).toMatch(/\[old-opset\] ai\.onnx opset 6 is below 7/);
    const adam = JSON.parse((await crossrt('inspect', `${NODE}/test_adam`, '--json')).stdout);
    expect(adam.customDomains).toEqual(['ai.onnx.preview.training']);
  });

  it('summarises tensor files (.pb from the suite, .npz written by numpy)', async () => {
    const pb = await crossrt('inspect', `${NODE}/test_abs/test_data_set_0/input_0.pb`);
    expect(pb.stdout).toMatch(/^x: float32\[3,4,5\] \(60 elements\)/);
    const npz = await crossrt('inspect', io('arrays/pair.npz'), '--json');
    expect(JSON.parse(npz.stdout)).toEqual([
      expect.objectContaining({ name: 'mask', dtype: 'bool', dims: [2], min: 0, max: 1 }),
      expect.objectContaining({ name: 'x', dtype: 'float32', dims: [2], min: 1.5, max: 2.5, mean: 2 }),
    ]);
  });
});

describe('crossrt conformance with known failures', { timeout: 60_000 }, () => {
  const cases = [`${NODE}/test_abs`, `${NODE}/test_cast_FLOAT_to_STRING`];

  it('without a list, a real mismatch fails the run (exit 1) and the matrix names it', async () => {
    const r = await crossrt('conformance', ...cases, '--targets', 'ort-node:cpu');
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/^test_cast_FLOAT_to_STRING\s+MISMATCH\s+Cast$/m);
    expect(r.stdout).toMatch(/^node\s+ort-node:cpu\s+2\s+1\s+1\s+0\s+0\s+0\s+0\s+0$/m);
    expect(r.stdout).toContain('failing ops on ort-node:cpu: Cast 1');
  });

  it('with the committed list it passes (exit 0); a list naming a passing case reports it as now passing', async () => {
    const ok = await crossrt(
      'conformance',
      ...cases,
      '--targets',
      'ort-node:cpu',
      '--known-failures',
      join(repo, 'fixtures/known-failures/ort-node-cpu.json'),
      '--matrix-json',
      join(tmp, 'm.json'),
    );
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toContain('known failures on ort-node:cpu: 1 still failing, 0 new, 0 now passing');
    expect(JSON.parse(readFileSync(join(tmp, 'm.json'), 'utf8')).newFailures).toBe(0);
    const list = join(tmp, 'stale.json');
    writeFileSync(
      list,
      JSON.stringify({ target: 'ort-node:cpu', failures: [{ case: 'test_abs', reason: 'was broken once' }] }),
    );
    const stale = await crossrt('conformance', cases[0]!, '--targets', 'ort-node:cpu', '-k', list);
    expect(stale.code).toBe(0);
    expect(stale.stdout).toContain('NOW PASSING');
  });

  it('per-case tolerance overrides apply to that case only', async () => {
    // DFT misses atol 1e-7 only on elements near zero (max abs 3.4e-4): atol 1e-3 clears test_dft, not test_dft_axis.
    const r = await crossrt(
      'conformance',
      `${NODE}/test_dft`,
      `${NODE}/test_dft_axis`,
      '--targets',
      'ort-node:cpu',
      '--case-tolerance',
      'node/test_dft=1e-3,1e-3',
      '--matrix',
      'all',
    );
    expect(r.code, r.stdout).toBe(1);
    expect(r.stdout).toMatch(/^test_dft\s+pass\s+DFT$/m);
    expect(r.stdout).toMatch(/^test_dft_axis\s+MISMATCH\s+DFT$/m);
  });

  it("a tolerances file in onnxruntime's overrides shape sets atol per case", async () => {
    const file = join(tmp, 'overrides.jsonc');
    writeFileSync(
      file,
      '{ // as in onnx_backend_test_series_overrides.jsonc\n "atol_overrides": { "test_dft": 1e-3 } }',
    );
    const r = await crossrt(
      'conformance',
      `${NODE}/test_dft`,
      `${NODE}/test_dft_axis`,
      '--targets',
      'ort-node:cpu',
      '--tolerances',
      file,
      '--json',
      join(tmp, 'tol.json'),
    );
    expect(r.code).toBe(1);
    const tol = JSON.parse(readFileSync(join(tmp, 'tol.json'), 'utf8')).cases.map(
      (c: { comparisons: { tolerance: unknown }[] }) => c.comparisons[0]!.tolerance,
    );
    expect(tol).toEqual([
      { rtol: 1e-3, atol: 1e-3, source: 'config' },
      { rtol: 1e-3, atol: 1e-7, source: 'oracle-default' },
    ]);
  });

  it('a broken test case is an input error (exit 2); a bad list is a typed error', async () => {
    const dir = join(tmp, 'suite', 'test_broken');
    cpSync(`${NODE}/test_abs`, dir, { recursive: true });
    cpSync(io('broken/garbage.pb'), join(dir, 'test_data_set_0/input_0.pb'));
    const r = await crossrt('conformance', dir, '--targets', 'ort-node:cpu');
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(
      /test_broken on ort-node:cpu: load-error: crossrt could not prepare the case: TENSOR_INVALID/,
    );
    const bad = join(tmp, 'bad.json');
    writeFileSync(bad, '{ "target": "ort-node:cpu", "failures": [{ "case": "x" }] }');
    expectOneLineError(
      await crossrt('conformance', cases[0]!, '--targets', 'ort-node:cpu', '-k', bad),
      'KNOWN_FAILURES_INVALID',
      /reason/,
    );
  });
});
