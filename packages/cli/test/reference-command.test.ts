/**
 * `crossrt run --reference-command` and suite `referenceCommand` end to end: the built CLI on real
 * runtimes (ort-node:cpu, ort-web:wasm) judged against an independent NumPy oracle,
 * fixtures/reference/affine_relu_ref.py — fixtures/models/affine-relu.onnx's math written out by hand
 * (y = relu(2x - 1), z = x @ [[1, 2], [3, 4]]), with flags that make it wrong in known ways.
 * The interpreter is $CROSSRT_PYTHON, else /usr/bin/python3 (Debian's, which has numpy); without numpy
 * every test here fails, it does not skip.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ReportSchema, type CaseResult, type Report } from '@crossrt/core';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const bin = join(repo, 'packages/cli/dist/main.js');
const model = join(repo, 'fixtures/models/affine-relu.onnx');
const script = join(repo, 'fixtures/reference/affine_relu_ref.py');
const PYTHON = process.env['CROSSRT_PYTHON'] || '/usr/bin/python3';
const TARGETS = 'ort-node:cpu,ort-web:wasm';
const tmp = mkdtempSync(join(tmpdir(), 'crossrt-refcmd-'));
const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
const ref = (flags = '') => `${q(PYTHON)} ${q(script)} {inputs} {outputs}${flags ? ` ${flags}` : ''}`;

const numpy = (() => {
  const r = spawnSync(PYTHON, ['-c', 'import numpy; print(numpy.__version__)'], { encoding: 'utf8' });
  return {
    ok: r.status === 0,
    why: `${PYTHON} cannot import numpy (${(r.stderr ?? r.error?.message ?? '').trim().split('\n').pop()}); set CROSSRT_PYTHON to an interpreter with numpy`,
  };
})();

function crossrt(...args: string[]) {
  expect(numpy.ok, numpy.why).toBe(true);
  const r = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    env: { ...process.env, CI: 'true' },
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let runs = 0;
/** `crossrt run` on the fixture against a reference command; returns the exit code and the parsed JSON report. */
function runAgainst(
  command: string,
  ...extra: string[]
): { code: number | null; stdout: string; stderr: string; report: Report; c: CaseResult } {
  const json = join(tmp, `run-${runs++}.json`);
  const r = crossrt(
    'run',
    model,
    '--targets',
    TARGETS,
    '--dim',
    'N=4',
    '--reference-command',
    command,
    '--json',
    json,
    ...extra,
  );
  const report = ReportSchema.parse(JSON.parse(readFileSync(json, 'utf8')));
  return { ...r, report, c: report.cases[0]! };
}

const verdicts = (c: CaseResult) => c.comparisons.map((x) => `${x.target} ${x.output} ${x.verdict}`);
/** A failed run keeps the inputs for the user (its hint names the folder); tests clean it up. */
const dropKeptInputs = (c: CaseResult) => {
  const dir = /inputs kept in (\S+)$/.exec(c.error?.hint ?? '')?.[1];
  if (dir) rmSync(dir, { recursive: true, force: true });
};

function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    return /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

describe('crossrt run --reference-command', { timeout: 120_000 }, () => {
  it('the reference interpreter imports numpy', () => {
    expect(numpy.ok, numpy.why).toBe(true);
  });

  it('passes every target, the first included, against the NumPy oracle, one command run per input set', () => {
    const { code, stderr, stdout, report, c } = runAgainst(ref(), '--samples', '2');
    expect(code, stderr).toBe(0);
    expect(report.settings.reference).toBe('command');
    expect(stdout).toMatch(
      /reference command: .*affine_relu_ref\.py'? \{inputs\} \{outputs\}, \d+ms, exit 0, arrays paired by name/,
    );
    // 2 targets × 2 input sets × 2 outputs, all against the command.
    expect(c.comparisons).toHaveLength(8);
    expect(new Set(c.comparisons.map((x) => `${x.target}|${x.reference}|${x.inputSet}`))).toEqual(
      new Set([
        'ort-node:cpu|command|sample0',
        'ort-node:cpu|command|sample1',
        'ort-web:wasm|command|sample0',
        'ort-web:wasm|command|sample1',
      ]),
    );
    for (const x of c.comparisons) {
      expect(x.verdict, x.reason).toBe('pass');
      expect(x.tolerance).toMatchObject({ rtol: 1e-5, atol: 1e-5, rules: ['float32-default'] });
      expect(x.metrics!.maxAbsError).toBeLessThanOrEqual(1e-6);
    }
    expect(c.referenceCommand).toMatchObject({
      exitCode: 0,
      timedOut: false,
      matching: 'name',
      pairs: [
        { reference: 'y', output: 'y' },
        { reference: 'z', output: 'z' },
      ],
      extraArrays: [],
    });
    expect(c.referenceCommand!.logTail).toEqual([
      '[sample0] affine_relu_ref: x (4, 2), writing y, z',
      '[sample1] affine_relu_ref: x (4, 2), writing y, z',
    ]);
  });

  it('a wrong reference (+0.01) is a mismatch on every target, exit 1; the tolerance flags still apply', () => {
    const wrong = runAgainst(ref('--offset 0.01'));
    expect(wrong.code, wrong.stderr).toBe(1);
    expect(verdicts(wrong.c)).toEqual([
      'ort-node:cpu y mismatch',
      'ort-node:cpu z mismatch',
      'ort-web:wasm y mismatch',
      'ort-web:wasm z mismatch',
    ]);
    for (const x of wrong.c.comparisons) {
      expect(x.metrics!.maxAbsError).toBeCloseTo(0.01, 6);
      expect(x.metrics!.allcloseMismatches).toBe(8);
    }
    const loose = runAgainst(ref('--offset 0.01'), '--atol', '0.011', '--rtol', '0');
    expect(loose.code, loose.stderr).toBe(0);
    expect(
      loose.c.comparisons.every(
        (x) => x.verdict === 'pass' && x.tolerance.atol === 0.011 && x.tolerance.source === 'cli',
      ),
    ).toBe(true);
  });

  it('pairs by position, in the order the arrays were written, when no name matches', () => {
    // Alphabetical order would pair aa_matmul with y: only the archive order passes.
    const { code, stderr, c } = runAgainst(ref('--rename zz_relu,aa_matmul'));
    expect(code, stderr).toBe(0);
    expect(c.referenceCommand).toMatchObject({
      matching: 'position',
      pairs: [
        { reference: 'zz_relu', output: 'y' },
        { reference: 'aa_matmul', output: 'z' },
      ],
    });
    expect(c.notes).toContain(
      'reference arrays paired with the model outputs by position (names differ): zz_relu → y, aa_matmul → z',
    );
  });

  it("a command that exits non-zero is REFERENCE_COMMAND_FAILED, exit 2, with its output tail and the targets' outcomes kept", () => {
    const { code, stderr, stdout, c } = runAgainst(ref('--exit 3'));
    expect(code).toBe(2);
    expect(stderr.split('\n')[0]).toBe(
      'crossrt: REFERENCE_COMMAND_FAILED: reference command exited with code 3; it printed last: affine_relu_ref: refusing with exit code 3',
    );
    expect(c.verdict).toBe('error');
    expect(c.error).toMatchObject({
      code: 'REFERENCE_COMMAND_FAILED',
      hint: expect.stringMatching(/logTail.*inputs kept in /),
    });
    expect(c.referenceCommand).toMatchObject({
      exitCode: 3,
      timedOut: false,
      logTail: ['affine_relu_ref: about to fail on purpose', 'affine_relu_ref: refusing with exit code 3'],
    });
    expect(c.outcomes.map((o) => `${o.target} ${o.status}`)).toEqual(['ort-node:cpu ok', 'ort-web:wasm ok']);
    expect(c.comparisons).toEqual([]);
    expect(c.inputs.map((i) => i.name)).toEqual(['x']);
    expect(stdout).toMatch(/^ {2}\| affine_relu_ref: refusing with exit code 3$/m);
    dropKeptInputs(c);
  });

  it('a command that outlives --reference-timeout is killed with its whole process group, exit 2', () => {
    const pidFile = join(tmp, 'ref.pid');
    // The trailing `; echo` keeps the shell as python's parent: killing the shell alone would orphan python.
    const t0 = Date.now();
    const { code, c } = runAgainst(
      `${ref(`--sleep 60 --pid-file ${q(pidFile)}`)}; echo after`,
      '--reference-timeout',
      '1',
    );
    expect(Date.now() - t0).toBeLessThan(30_000);
    expect(code).toBe(2);
    expect(c.error).toMatchObject({
      code: 'REFERENCE_COMMAND_FAILED',
      message: 'reference command did not finish within 1 s (its process group was killed)',
    });
    expect(c.referenceCommand).toMatchObject({ timedOut: true, exitCode: null, signal: 'SIGKILL' });
    expect(c.referenceCommand!.durationMs).toBeGreaterThanOrEqual(1000);
    expect(processGone(Number(readFileSync(pidFile, 'utf8')))).toBe(true);
    dropKeptInputs(c);
  });

  it('a missing array is a `missing` comparison; an extra array is noted, not compared', () => {
    const { code, c } = runAgainst(ref('--drop z --extra'));
    expect(code).toBe(1);
    expect(verdicts(c)).toEqual([
      'ort-node:cpu y pass',
      'ort-node:cpu z missing',
      'ort-web:wasm y pass',
      'ort-web:wasm z missing',
    ]);
    expect(c.comparisons.find((x) => x.verdict === 'missing')!.reason).toBe('output "z" was not produced by command');
    expect(c.referenceCommand).toMatchObject({
      matching: 'name',
      pairs: [{ reference: 'y', output: 'y' }],
      extraArrays: ['debug'],
    });
    expect(c.notes).toContain('reference command wrote array(s) no model output is named after, not compared: debug');
  });

  it('a mis-shaped array is `shape`, a NaN in the reference is `nan-inf` and a note names the array and count', () => {
    const { code, c } = runAgainst(ref('--transpose-z --nan-y'));
    expect(code).toBe(1);
    expect(verdicts(c)).toEqual([
      'ort-node:cpu y nan-inf',
      'ort-node:cpu z shape',
      'ort-web:wasm y nan-inf',
      'ort-web:wasm z shape',
    ]);
    const shape = c.comparisons.find((x) => x.verdict === 'shape')!;
    expect(shape.dims).toEqual({ actual: [4, 2], reference: [2, 4] });
    expect(c.comparisons.find((x) => x.verdict === 'nan-inf')!.metrics!.nonFinite).toMatchObject({
      referenceNaN: 1,
      actualNaN: 0,
    });
    expect(c.notes).toEqual([expect.stringMatching(/^reference array "y" holds 1 NaN and 0 Inf of 8 element\(s\)/)]);
  });

  it("float64 arrays (numpy's default) against float32 outputs are `dtype`, with a note saying to cast", () => {
    const { code, c } = runAgainst(ref('--float64'));
    expect(code).toBe(1);
    expect(c.comparisons.map((x) => x.verdict)).toEqual(['dtype', 'dtype', 'dtype', 'dtype']);
    expect(c.notes).toContain(
      'reference array for output "y" is float64 but the model declares float32: cast it in the command (numpy: .astype(np.float32))',
    );
  });

  it('a command that writes no outputs file fails the case; --input files reach the command as given', () => {
    const none = runAgainst(ref('--no-write'));
    expect(none.code).toBe(2);
    expect(none.c.error!.message).toMatch(/^reference command exited 0 but wrote no outputs file at \{outputs\}/);
    dropKeptInputs(none.c);
    const npy = join(tmp, 'x.npy');
    const made = spawnSync(PYTHON, [
      '-c',
      `import numpy as np; np.save(${JSON.stringify(npy)}, np.array([[0.25, -3.0], [0.5, 1.5], [-0.75, 2.0]], dtype=np.float32))`,
    ]);
    expect(made.status).toBe(0);
    const fed = runAgainst(ref(), '--input', `x=${npy}`);
    expect(fed.code, fed.stderr).toBe(0);
    expect(fed.c.inputs[0]).toMatchObject({ name: 'x', dims: [3, 2], generator: expect.stringContaining('x.npy') });
    expect(fed.c.referenceCommand!.logTail).toEqual(['affine_relu_ref: x (3, 2), writing y, z']);
  });

  it('refuses a command without {outputs}, and --reference-timeout alone, as usage errors', () => {
    const noOut = crossrt('run', model, '--reference-command', `${q(PYTHON)} ${q(script)} {inputs}`);
    expect(noOut.code).toBe(2);
    expect(noOut.stderr).toMatch(
      /^crossrt: USAGE: --reference-command ".*" has no \{outputs\} placeholder\n {2}hint: /,
    );
    const alone = crossrt('run', model, '--reference-timeout', '5');
    expect(alone.code).toBe(2);
    expect(alone.stderr).toMatch(/^crossrt: USAGE: --reference-timeout needs --reference-command/);
  });

  it('--help names the placeholders', () => {
    const help = crossrt('run', '--help').stdout.replace(/\s+/g, ' ');
    expect(help).toMatch(/--reference-command <cmd>.*\{inputs\}.*\{outputs\}.*\{model\}/);
    expect(help).toMatch(/--reference-timeout <seconds>.*default 300/);
  });
});

describe('suite entries with referenceCommand', { timeout: 180_000 }, () => {
  it('judge path and convert entries against the command, run in the suite folder with {suiteDir}', () => {
    const dir = mkdtempSync(join(tmp, 'suite '));
    copyFileSync(script, join(dir, 'affine_relu_ref.py'));
    const suite = join(dir, 'ref.yaml');
    writeFileSync(
      suite,
      `name: reference-command
targets: [ort-node:cpu, ort-web:wasm]
dims: { N: 4 }
models:
  - path: ${JSON.stringify(model)}
    id: affine-relu.numpy
    referenceCommand: ${JSON.stringify(`${q(PYTHON)} affine_relu_ref.py {inputs} {outputs}`)}
  - convert:
      id: affine-relu.bad-converter
      command: node ${repo}fixtures/converters/mini-converter.mjs bad {out}
    referenceCommand:
      command: ${JSON.stringify(`${q(PYTHON)} {suiteDir}/affine_relu_ref.py {inputs} {outputs}`)}
      timeoutSeconds: 60
  - path: ${JSON.stringify(model)}
    id: affine-relu.failing-oracle
    referenceCommand: ${JSON.stringify(`${q(PYTHON)} affine_relu_ref.py {inputs} {outputs} --exit 5`)}
`,
    );
    const json = join(dir, 'report.json');
    const r = crossrt(
      'suite',
      'run',
      suite,
      '--jsonl',
      join(dir, 'ref.jsonl'),
      '--json',
      json,
      '--work-dir',
      join(dir, 'work'),
    );
    expect(r.code, r.stdout + r.stderr).toBe(2); // the failing oracle is a case error
    const cases = Object.fromEntries(
      ReportSchema.parse(JSON.parse(readFileSync(json, 'utf8'))).cases.map((c) => [c.id, c]),
    );
    const good = cases['affine-relu.numpy']!;
    expect(good.verdict).toBe('pass');
    expect(good.comparisons.map((x) => `${x.target} ${x.reference}`)).toEqual([
      'ort-node:cpu command',
      'ort-node:cpu command',
      'ort-web:wasm command',
      'ort-web:wasm command',
    ]);
    // The converter scales W by 1.01: the NumPy oracle of the source math catches it on z, on every target.
    const bad = cases['affine-relu.bad-converter']!;
    expect(bad.verdict).toBe('fail');
    expect(bad.conversion).toMatchObject({ exitCode: 0 });
    expect(verdicts(bad)).toEqual([
      'ort-node:cpu y pass',
      'ort-node:cpu z mismatch',
      'ort-web:wasm y pass',
      'ort-web:wasm z mismatch',
    ]);
    expect(bad.referenceCommand).toMatchObject({
      command: `${q(PYTHON)} {suiteDir}/affine_relu_ref.py {inputs} {outputs}`,
      exitCode: 0,
    });
    const failing = cases['affine-relu.failing-oracle']!;
    expect(failing.verdict).toBe('error');
    expect(failing.error!.code).toBe('REFERENCE_COMMAND_FAILED');
    expect(failing.referenceCommand!.logTail).toContain('affine_relu_ref: refusing with exit code 5');
    dropKeptInputs(failing);
  });

  it('a suite referenceCommand without {outputs} is SUITE_INVALID', () => {
    const suite = join(tmp, 'bad-ref.yaml');
    writeFileSync(
      suite,
      `name: bad\ntargets: [ort-node:cpu]\nmodels:\n  - { path: ${JSON.stringify(model)}, referenceCommand: "python3 ref.py {inputs}" }\n`,
    );
    const r = crossrt('suite', 'run', suite, '--jsonl', join(tmp, 'bad-ref.jsonl'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/SUITE_INVALID: .*models\.0.*\{outputs\}/);
  });
});
