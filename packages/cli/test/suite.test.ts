/**
 * `crossrt suite run` / `crossrt merge` end to end, spawned like CI would:
 * SIGKILL mid-run + --resume, shards + merge, goldens with a converter that regresses, converter
 * failures and timeouts. Fixtures: fixtures/models/{affine-relu,mask-count}.onnx,
 * fixtures/converters/mini-converter.mjs, libonnx-testdata node cases.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ReportSchema, type Report } from '@crossrt/core';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const bin = join(repo, 'packages/cli/dist/main.js');
const tmp = mkdtempSync(join(tmpdir(), 'crossrt-suite-'));
const NODE = '/usr/share/libonnx-testdata/data/node';

function writeSuite(name: string, converterMode = 'good', extra = ''): string {
  const file = join(tmp, `${name}.yaml`);
  writeFileSync(
    file,
    `name: ${name}
targets: [ort-node:cpu, ort-web:wasm]
dims: { N: 4 }
models:
  - { path: ${repo}fixtures/models/affine-relu.onnx, id: affine-relu }
  - { path: ${repo}fixtures/models/mask-count.onnx, id: mask-count }
  - convert:
      id: affine-relu.converted
      command: node ${repo}fixtures/converters/mini-converter.mjs ${converterMode} {out}
      versionCommand: node ${repo}fixtures/converters/mini-converter.mjs --version
      timeoutSeconds: 5
  - testCases: ${NODE}
    include: [test_add, test_relu, test_sigmoid, test_matmul_2d, test_abs, test_neg, test_exp, test_log]
${extra}`,
  );
  return file;
}

function crossrt(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    env: { ...process.env, CI: 'true' },
    timeout: 180_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const readReport = (path: string): Report => ReportSchema.parse(JSON.parse(readFileSync(path, 'utf8')));

/** A report minus what legitimately differs between two runs of the same plan (time, host logs). */
function stable(report: Report): unknown {
  return JSON.parse(
    JSON.stringify({ ...report, createdAt: undefined, cases: report.cases }, (k, v) =>
      ['timings', 'logTail', 'durationMs'].includes(k) ? undefined : v,
    ),
  );
}

describe('suite run', () => {
  const suite = writeSuite('resume-me');
  const full = join(tmp, 'full.json');

  it('runs every planned case and streams one JSON line per case', () => {
    const r = crossrt(
      'suite',
      'run',
      suite,
      '--jsonl',
      join(tmp, 'full.jsonl'),
      '--json',
      full,
      '--work-dir',
      join(tmp, 'w'),
    );
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const report = readReport(full);
    expect(report.cases.map((c) => c.id)).toEqual([
      'affine-relu',
      'mask-count',
      'affine-relu.converted',
      'node/test_abs',
      'node/test_add',
      'node/test_exp',
      'node/test_log',
      'node/test_matmul_2d',
      'node/test_neg',
      'node/test_relu',
      'node/test_sigmoid',
    ]);
    expect(report.cases.find((c) => c.id === 'affine-relu.converted')!.conversion).toMatchObject({
      exitCode: 0,
      version: 'mini-converter 2.1.0',
    });
    const lines = readFileSync(join(tmp, 'full.jsonl'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(1 + 11);
    expect(r.stderr).toMatch(/^\[11\/11\] pass node\/test_sigmoid/m); // plain progress lines off a TTY
  });

  it('after a real SIGKILL mid-run, --resume yields the same report as an uninterrupted run', async () => {
    const jsonl = join(tmp, 'killed.jsonl');
    const child = spawn(
      process.execPath,
      [bin, 'suite', 'run', suite, '--jsonl', jsonl, '--work-dir', join(tmp, 'w'), '-q'],
      { stdio: 'ignore' },
    );
    // Kill once at least 3 cases have streamed (and before the last one).
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        const n = existsSync(jsonl) ? readFileSync(jsonl, 'utf8').split('\n').filter(Boolean).length - 1 : 0;
        if (n >= 3) {
          clearInterval(timer);
          child.kill('SIGKILL');
          resolve();
        }
      }, 20);
      child.on('exit', () => {
        clearInterval(timer);
        reject(new Error('suite finished before it could be killed'));
      });
    });
    await new Promise((r) => child.once('exit', r));
    const streamed = readFileSync(jsonl, 'utf8').split('\n').filter(Boolean).length - 1;
    expect(streamed).toBeLessThan(11);
    const resumedJson = join(tmp, 'resumed.json');
    const r = crossrt(
      'suite',
      'run',
      suite,
      '--jsonl',
      jsonl,
      '--json',
      resumedJson,
      '--work-dir',
      join(tmp, 'w'),
      '--resume',
    );
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stderr).toMatch(/resuming: \d+\/11 cases already in the stream/);
    expect(stable(readReport(resumedJson))).toEqual(stable(readReport(full)));
  });

  it('three shards merged equal the unsharded run', () => {
    const shardReports = [1, 2, 3].map((i) => {
      const out = join(tmp, `shard-${i}.json`);
      const r = crossrt(
        'suite',
        'run',
        suite,
        '--shard',
        `${i}/3`,
        '--jsonl',
        join(tmp, `shard-${i}.jsonl`),
        '--json',
        out,
        '--work-dir',
        join(tmp, 'w'),
        '-q',
      );
      expect(r.code, r.stdout + r.stderr).toBe(0);
      return out;
    });
    const shardCounts = shardReports.map((f) => readReport(f).cases.length);
    expect(shardCounts).toEqual([4, 4, 3]);
    const merged = join(tmp, 'merged.json');
    const m = crossrt('merge', ...shardReports, '--json', merged);
    expect(m.code, m.stderr).toBe(0);
    expect(stable(readReport(merged))).toEqual(stable(readReport(full)));
    const partial = crossrt('merge', shardReports[0]!, shardReports[2]!, '--json', join(tmp, 'partial.json'));
    expect(partial.code).toBe(2);
    expect(partial.stderr).toMatch(/MERGE_CONFLICT: shard\(s\) 2\/3 missing/);
  });
});

describe('goldens', () => {
  const golden = join(tmp, 'golden');

  it('classifies a converter that changed one model as a regression on that model only', () => {
    const save = crossrt(
      'suite',
      'run',
      writeSuite('golden-save'),
      '--save-baseline',
      golden,
      '--jsonl',
      join(tmp, 'g0.jsonl'),
      '--work-dir',
      join(tmp, 'g0'),
      '-q',
    );
    expect(save.code, save.stdout + save.stderr).toBe(0);

    const same = join(tmp, 'same.json');
    const unchanged = crossrt(
      'suite',
      'run',
      writeSuite('golden-same'),
      '--baseline',
      golden,
      '--json',
      same,
      '--jsonl',
      join(tmp, 'g1.jsonl'),
      '--work-dir',
      join(tmp, 'g1'),
      '-q',
    );
    expect(unchanged.code, unchanged.stdout).toBe(0);
    const classes = readReport(same).baseline!.classes;
    expect(classes['regression'] ?? 0).toBe(0);
    expect(classes['unchanged']).toBeGreaterThan(0);

    const bad = join(tmp, 'bad.json');
    const regressed = crossrt(
      'suite',
      'run',
      writeSuite('golden-bad', 'bad'),
      '--baseline',
      golden,
      '--json',
      bad,
      '--jsonl',
      join(tmp, 'g2.jsonl'),
      '--work-dir',
      join(tmp, 'g2'),
      '-q',
    );
    expect(regressed.code).toBe(1);
    const report = readReport(bad);
    const converted = report.cases.find((c) => c.id === 'affine-relu.converted')!;
    // The bad converter scaled W by 1.01: z = x·W moves by 1% (regression), y = relu(2x-1) does not.
    const z = converted.baseline!.filter((d) => d.output === 'z');
    expect(z.map((d) => d.classification)).toEqual(['regression', 'regression']);
    expect(z[0]!.reason).toMatch(/model file changed since the golden/);
    expect(z[0]!.maxAbsError).toBeGreaterThan(0.001);
    expect(converted.baseline!.filter((d) => d.output === 'y').every((d) => d.classification === 'unchanged')).toBe(
      true,
    );
    const others = report.cases.filter((c) => c.id !== 'affine-relu.converted').flatMap((c) => c.baseline ?? []);
    expect(others.every((d) => d.classification === 'unchanged')).toBe(true);
  });

  it('replays goldens saved under another runtime version and says so', () => {
    const index = JSON.parse(readFileSync(join(golden, 'baseline.json'), 'utf8'));
    for (const e of index.entries) e.runtimeVersion = '1.29.0';
    const older = join(tmp, 'golden-older');
    spawnSync('cp', ['-r', golden, older]);
    writeFileSync(join(older, 'baseline.json'), JSON.stringify(index));
    const out = join(tmp, 'upgrade.json');
    const r = crossrt(
      'suite',
      'run',
      writeSuite('golden-upgrade'),
      '--baseline',
      older,
      '--json',
      out,
      '--jsonl',
      join(tmp, 'g3.jsonl'),
      '--work-dir',
      join(tmp, 'g3'),
      '-q',
    );
    expect(r.code, r.stdout).toBe(0);
    const deltas = readReport(out).cases.flatMap((c) => c.baseline ?? []);
    expect(deltas.length).toBeGreaterThan(0);
    expect(deltas.every((d) => d.classification === 'unchanged')).toBe(true);
    expect(deltas[0]!.runtimeVersion).toEqual({ baseline: '1.29.0', current: expect.stringMatching(/^1\.\d+/) });
  });
});

describe('converter steps', () => {
  it('turns a failing or hanging converter into convert-error with its output, and keeps going', () => {
    for (const [mode, why] of [
      ['fail', /exited with code 1/],
      ['hang', /did not finish within 5 s/],
    ] as const) {
      const out = join(tmp, `conv-${mode}.json`);
      const r = crossrt(
        'suite',
        'run',
        writeSuite(`conv-${mode}`, mode),
        '--json',
        out,
        '--jsonl',
        join(tmp, `c-${mode}.jsonl`),
        '--work-dir',
        join(tmp, `c-${mode}`),
        '-q',
      );
      expect(r.code).toBe(1);
      const report = readReport(out);
      const c = report.cases.find((x) => x.id === 'affine-relu.converted')!;
      expect(c.verdict).toBe('convert-error');
      expect(c.error!.message).toMatch(why);
      if (mode === 'fail') expect(c.conversion!.logTail).toContain('mini-converter: unsupported op Foo in node foo_0');
      expect(report.totals.passed).toBe(10);
    }
  });

  it('rejects a suite file with wrong types with a one-line error and exit 2', () => {
    const file = join(tmp, 'bad-types.yaml');
    writeFileSync(file, 'name: x\ntargets: ort-node:cpu\nmodels: []\n');
    const r = crossrt('suite', 'run', file);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^crossrt: SUITE_INVALID: .*targets: /);
  });
});
