/**
 * `crossrt precision --to fp16` end to end, spawned as a user would, on ort-node:cpu, with the energy
 * model (its ReduceSumSquare writes values beyond 65504; with float16 IO only that node must stay
 * float32): usage line, the search with its files, the CI gates and their exit codes, bad input.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { BlockListFileSchema, ReportSchema } from '@crossrt/core';
import { buildModel, encodeModel } from '@crossrt/model';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const bin = join(repo, 'packages/cli/dist/main.js');
const tmp = mkdtempSync(join(tmpdir(), 'crossrt-cli-precision-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function crossrt(args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    env: { ...process.env, CI: 'true' },
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** energy = Σ (300·tanh(x·W))² over 16 columns: up to 1.4e6, beyond float16. */
function energyModel(): string {
  const path = join(tmp, 'energy.onnx');
  const w = Float32Array.from({ length: 256 }, (_, i) => Math.sin(i) * 0.3);
  writeFileSync(
    path,
    encodeModel(
      buildModel({
        opset: 17,
        inputs: [{ name: 'x', dtype: 'float32', dims: [4, 16] }],
        outputs: [{ name: 'energy', dtype: 'float32', dims: [4] }],
        initializers: {
          w: { dtype: 'float32', dims: [16, 16], data: w },
          gain: { dtype: 'float32', dims: [], data: Float32Array.from([300]) },
        },
        nodes: [
          { op: 'MatMul', inputs: ['x', 'w'], outputs: ['h'], name: 'proj' },
          { op: 'Tanh', inputs: ['h'], outputs: ['t'], name: 'tanh' },
          { op: 'Mul', inputs: ['t', 'gain'], outputs: ['e'], name: 'gain' },
          {
            op: 'ReduceSumSquare',
            inputs: ['e'],
            outputs: ['energy'],
            name: 'energy',
            attrs: { axes: [1], keepdims: 0 },
          },
        ],
      }),
    ),
  );
  return path;
}

describe('crossrt precision CLI', { timeout: 120_000 }, () => {
  it('prints its own usage line', () => {
    const r = crossrt(['precision', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('Usage: crossrt precision [options] <model>');
    for (const flag of [
      '--policy <spec>',
      '--no-keep-io',
      '--max-fp32-nodes <n>',
      '--check <block-list.json>',
      '--block-list <file>',
      '--out-model <file>',
    ])
      expect(r.stdout).toContain(flag);
  });

  it('searches, writes the block-list, the mixed model and the report; the gates exit 1 when they fail', () => {
    const model = energyModel();
    const bl = join(tmp, 'energy.block-list.json');
    const json = join(tmp, 'report.json');
    const r = crossrt([
      'precision',
      model,
      '--no-keep-io',
      '--policy',
      'snr=30,cosine=0.999',
      '--block-list',
      bl,
      '--out-model',
      join(tmp, 'energy.mixed.onnx'),
      '--json',
      json,
      '--max-fp32-nodes',
      '1',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/precision fp16: 1 node\(s\) kept in float32 \(1-minimal\)/);
    expect(r.stdout).toMatch(/energy\s+ReduceSumSquare\s+main\s+overflow/);
    const file = BlockListFileSchema.parse(JSON.parse(readFileSync(bl, 'utf8')));
    expect(file.nodes.map((n) => n.node)).toEqual(['energy']);
    const report = ReportSchema.parse(JSON.parse(readFileSync(json, 'utf8')));
    expect(report.command).toBe('precision');
    expect(report.cases[0]!.precision!.met).toBe(true);

    const gate = crossrt([
      'precision',
      model,
      '--no-keep-io',
      '--policy',
      'snr=30,cosine=0.999',
      '--max-fp32-nodes',
      '0',
    ]);
    expect(gate.code).toBe(1);
    expect(gate.stdout).toContain('gate: the block-list needs 1 float32 node(s), more than --max-fp32-nodes 0');

    const check = crossrt(['precision', model, '--no-keep-io', '--policy', 'snr=30,cosine=0.999', '--check', bl, '-q']);
    expect(check.code).toBe(0);
    expect(check.stdout).toMatch(/check: the block-list of 1 float32 node\(s\) meets the policy/);
    writeFileSync(join(tmp, 'empty.json'), JSON.stringify({ ...file, nodes: [] }));
    const miss = crossrt([
      'precision',
      model,
      '--no-keep-io',
      '--policy',
      'snr=30,cosine=0.999',
      '--check',
      join(tmp, 'empty.json'),
      '-q',
    ]);
    expect(miss.code).toBe(1);
    expect(miss.stdout).toMatch(/MISSES the policy/);
  });

  it('bad input: exit 2 with the code and what to do', () => {
    const model = energyModel();
    const to = crossrt(['precision', model, '--to', 'int8']);
    expect(to.code).toBe(2);
    expect(to.stderr).toMatch(/USAGE.*--to int8 is not supported/s);
    expect(to.stderr).toMatch(/crossrt quantize/);
    const policy = crossrt(['precision', model, '--policy', 'snr=high']);
    expect(policy.code).toBe(2);
    expect(policy.stderr).toMatch(/--policy part "snr=high"/);
    writeFileSync(join(tmp, 'not-a-list.json'), '{"schema":"x"}');
    const bad = crossrt(['precision', model, '--check', join(tmp, 'not-a-list.json')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/BLOCK_LIST_INVALID/);
    const missing = crossrt(['precision', join(tmp, 'nope.onnx')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/FILE_NOT_FOUND/);
  });
});
