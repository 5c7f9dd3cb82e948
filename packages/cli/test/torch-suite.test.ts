/**
 * `torch:` suite entries end to end: PyTorch as the oracle inside `crossrt suite run`, with shards,
 * merge and goldens. Fixture: fixtures/suites/torch-converter.yaml (two_heads at opsets 13/17,
 * spectral_head whose export raises, mobilenet_v3_small with a HardSigmoid-beta fault masked at the
 * outputs, and a plain ONNX model judged target against target).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ReportSchema, type Report } from '@crossrt/core';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const bin = join(repo, 'packages/cli/dist/main.js');
const suite = join(repo, 'fixtures/suites/torch-converter.yaml');
const tmp = mkdtempSync(join(tmpdir(), 'crossrt-torch-suite-'));

function crossrt(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    env: { ...process.env, CI: 'true' },
    timeout: 240_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const readReport = (path: string): Report => ReportSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
const IDS = [
  'torchvision_models.two_heads@opset13',
  'torchvision_models.two_heads@opset17',
  'torchvision_models.spectral_head@opset17',
  'faulty_exporters.mobilenet_v3_hardswish_offset@opset17',
  'affine-relu',
];

describe('torch entries in a suite', { timeout: 240_000 }, () => {
  const full = join(tmp, 'full.json');

  it('plans one case per export point; an export that raises is convert-error and the other cases are kept', () => {
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
      '--save-baseline',
      join(tmp, 'goldens'),
    );
    expect(r.code, r.stderr).toBe(1);
    const report = readReport(full);
    expect(report.cases.map((c) => c.id)).toEqual(IDS);
    expect(report.cases.map((c) => c.verdict)).toEqual(['pass', 'pass', 'convert-error', 'fail', 'pass']);
    const [h13, , spectral, masked, plain] = report.cases;
    expect(h13!.source?.export.opset).toBe(13);
    expect(h13!.comparisons.every((c) => c.reference === 'torch')).toBe(true);
    expect(spectral!.source).toMatchObject({
      failureClass: 'export-error',
      exportError: { type: 'UnsupportedOperatorError' },
    });
    expect(masked!.localization?.culprit?.node).toBe('features.0.2');
    // The plain ONNX entry keeps the suite's own reference: the first target.
    expect(plain!.comparisons.every((c) => c.reference === 'ort-node:cpu')).toBe(true);
  });

  it('shards split the torch cases like any other and merge back into the full report', () => {
    for (const i of [1, 2])
      crossrt(
        'suite',
        'run',
        suite,
        '--shard',
        `${i}/2`,
        '--jsonl',
        join(tmp, `s${i}.jsonl`),
        '--json',
        join(tmp, `s${i}.json`),
        '--work-dir',
        join(tmp, `w${i}`),
      );
    const merged = join(tmp, 'merged.json');
    const m = crossrt('merge', join(tmp, 's1.json'), join(tmp, 's2.json'), '--json', merged);
    expect(m.code, m.stderr).not.toBe(2);
    const report = readReport(merged);
    expect(report.cases.map((c) => c.id)).toEqual(IDS);
    expect(report.cases.map((c) => c.verdict)).toEqual(readReport(full).cases.map((c) => c.verdict));
  });

  it('goldens of torch cases compare unchanged on a re-run', () => {
    const again = join(tmp, 'again.json');
    const r = crossrt(
      'suite',
      'run',
      suite,
      '--jsonl',
      join(tmp, 'again.jsonl'),
      '--json',
      again,
      '--work-dir',
      join(tmp, 'w-again'),
      '--baseline',
      join(tmp, 'goldens'),
    );
    const report = readReport(again);
    const h17 = report.cases.find((c) => c.id === 'torchvision_models.two_heads@opset17')!;
    // Three outputs (logits, aux.0, aux.1) on two targets, each against its golden.
    expect(h17.baseline?.map((d) => `${d.target}:${d.output}:${d.classification}`).sort()).toEqual([
      'ort-node:cpu:aux.0:unchanged',
      'ort-node:cpu:aux.1:unchanged',
      'ort-node:cpu:logits:unchanged',
      'ort-web:wasm:aux.0:unchanged',
      'ort-web:wasm:aux.1:unchanged',
      'ort-web:wasm:logits:unchanged',
    ]);
    expect(report.baseline?.classes['regression'] ?? 0).toBe(0);
    // Against goldens a run fails on regressions, new failures and converter errors: the export error stays one.
    expect(r.code, r.stderr).toBe(1);
    expect(report.totals.convertErrors).toBe(1);
  });
});
