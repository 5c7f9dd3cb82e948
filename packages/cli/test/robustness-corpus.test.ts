/**
 * The robustness corpus (fixtures/bad/, made by tools/make-bad-fixtures.mjs, plus the external-data
 * traversal cases in fixtures/model-io/external/): every bad input ends in its documented error code
 * and exit code with a one-line cause and a hint — never a stack trace, never a report that looks
 * complete. The "runtime aborts" case is packages/runtime-ort-node/test/host-isolation.test.ts
 * (a real SIGABRT/SIGSEGV in the host, with the other cases' results kept).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ReportSchema } from '@crossrt/core';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const bin = join(repo, 'packages/cli/dist/main.js');
const bad = (f: string) => join(repo, 'fixtures/bad', f);
const ext = (d: string) => join(repo, 'fixtures/model-io/external', d, 'model.onnx');
const tmp = mkdtempSync(join(tmpdir(), 'crossrt-corpus-'));

function crossrt(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    env: { ...process.env, CI: 'true' },
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const MODEL_CASES: [string, string, string, RegExp][] = [
  ['zero-byte file', bad('zero-byte.onnx'), 'MODEL_EMPTY', /is empty \(0 bytes\)/],
  ['random bytes', bad('random-bytes.onnx'), 'MODEL_INVALID', /is not an ONNX model/],
  ['truncated protobuf', bad('truncated.onnx'), 'MODEL_TRUNCATED', /is truncated/],
  ['valid protobuf that is not a model', bad('not-a-model.onnx'), 'MODEL_INVALID', /is not an ONNX model/],
  [
    'input dims needing petabytes',
    bad('petabyte-input.onnx'),
    'INPUT_TOO_LARGE',
    /inputs would need \d+\.\d+ GiB \(limit 2\.00 GiB\)/,
  ],
  ['sequence IO', bad('sequence-io.onnx'), 'MODEL_UNSUPPORTED_IO', /"seq" is a sequence/],
  ['map IO', bad('map-io.onnx'), 'MODEL_UNSUPPORTED_IO', /"m" is a map/],
  ['dangling symlink', bad('dangling-link.onnx'), 'FILE_NOT_FOUND', /model file not found/],
  ['external data at an absolute path', ext('absolute'), 'EXTERNAL_DATA_ESCAPES', /absolute/],
  ['external data escaping with ..', ext('dotdot'), 'EXTERNAL_DATA_ESCAPES', /\.\./],
  ['external data leaving through a symlink', ext('symlink'), 'EXTERNAL_DATA_ESCAPES', /symlink|outside/],
  ['missing external file', ext('missing'), 'EXTERNAL_DATA_MISSING', /missing|not found|does not exist/],
  ['short external file', ext('short'), 'EXTERNAL_DATA_SHORT', /short|bytes/],
];

describe('robustness corpus: models', () => {
  it.each(MODEL_CASES)('%s → %s, exit 2, one line, and the report says error', (_name, path, code, message) => {
    const json = join(tmp, `${code}-${Math.random().toString(36).slice(2)}.json`);
    const r = crossrt('run', path, '--json', json);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    const line = r.stderr.trim().split('\n')[0]!;
    expect(line.startsWith(`crossrt: ${code}: `), line).toBe(true);
    expect(line).toMatch(message);
    expect(`${r.stdout}${r.stderr}`).not.toMatch(/\n\s+at .+:\d+:\d+/);
    // The report is written, schema-valid, and does not look complete: the case is an error.
    const report = ReportSchema.parse(JSON.parse(readFileSync(json, 'utf8')));
    expect(report.cases[0]!.verdict).toBe('error');
    expect(report.cases[0]!.error!.code).toBe(code);
    expect(report.totals).toMatchObject({ passed: 0, errored: 1 });
  });

  it('an op from an unknown custom domain is a load-error on every target (exit 1), naming the domain', () => {
    const r = crossrt('run', bad('unknown-domain.onnx'));
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/ort-node:cpu: LOAD-ERROR .*com\.example\.custom/);
    expect(r.stdout).toMatch(/ort-web:wasm: LOAD-ERROR/);
    const inspect = crossrt('inspect', bad('unknown-domain.onnx'));
    expect(inspect.stdout).toMatch(/com\.example\.custom/);
  });

  it('string IO is supported: Identity on strings agrees across targets (exit 0)', () => {
    const r = crossrt('run', bad('string-io.onnx'));
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^\s+t\s+ort-web:wasm\s+ort-node:cpu\s+pass/m);
  });
});

describe('robustness corpus: configuration and flags', () => {
  it('a run config with wrong types → CONFIG_INVALID, exit 2', () => {
    const r = crossrt(
      'run',
      join(repo, 'fixtures/models/affine-relu.onnx'),
      '--config',
      bad('wrong-types.config.json'),
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^crossrt: CONFIG_INVALID: .*wrong-types\.config\.json: /);
  });

  it('a suite file with wrong types → SUITE_INVALID, exit 2', () => {
    const r = crossrt('suite', 'run', bad('wrong-types.suite.yaml'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^crossrt: SUITE_INVALID: .*wrong-types\.suite\.yaml: name: /);
  });

  it('an unknown flag or a missing argument → USAGE, exit 2, with a hint', () => {
    for (const args of [['run', bad('string-io.onnx'), '--frobnicate'], ['suite', 'run'], ['nonsense-command']]) {
      const r = crossrt(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(/^crossrt: USAGE: .+\n {2}hint: /);
    }
  });
});
