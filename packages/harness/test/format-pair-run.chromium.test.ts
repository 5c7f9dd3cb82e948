/**
 * ONNX ↔ TF.js pairs with the TF.js side in headless Chromium (tfjs:webgl@chromium, tfjs:webgpu@chromium);
 * the Node targets are in format-pair-run.test.ts.
 * Fixture (tools/make-tfjs-fixtures.mjs): fixtures/tfjs/conv-bn-pool, a TF.js layers model, its correct
 * ONNX export and wrong/bn-epsilon-dropped.onnx.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { parseTargetList } from '@crossrt/runtime';
import { loadFormatPair } from '../src/pair/pair-config.js';
import { runFormatPairs } from '../src/pair/format-pair-run.js';

vi.setConfig({ testTimeout: 120_000 });

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const fixture = (name: string) => join(repo, 'fixtures/tfjs', name);

describe('format pairs on browser targets', () => {
  it('browser targets: the correct export passes on tfjs:webgl@chromium and tfjs:webgpu@chromium, the wrong one is a conversion fault', async () => {
    const base = await loadFormatPair(fixture('conv-bn-pool'));
    const wrong = {
      ...base,
      name: 'bn-epsilon-dropped',
      onnxPath: join(base.baseDir, 'wrong/bn-epsilon-dropped.onnx'),
    };
    const { report, pairs } = await runFormatPairs([base, wrong], {
      targets: parseTargetList('ort-node:cpu,tfjs:webgl@chromium,tfjs:webgpu@chromium'),
      seed: 3,
    });
    expect(report.cases[0]!.outcomes.map((o) => o.status)).toEqual(['ok', 'ok', 'ok']);
    expect(report.cases[0]!.comparisons.map((c) => [c.target, c.verdict])).toEqual([
      ['tfjs/model.json@tfjs:webgl@chromium', 'pass'],
      ['tfjs/model.json@tfjs:webgpu@chromium', 'pass'],
      ['tfjs/model.json@tfjs:webgpu@chromium', 'pass'],
    ]);
    expect(pairs[1]!.diagnosis).toMatchObject({ kind: 'conversion', outputs: ['output ↔ conv_b'] });
    const cross = report.cases[1]!.comparisons.filter((c) => c.reference.startsWith('wrong/'));
    expect(cross.map((c) => [c.target, c.verdict])).toEqual([
      ['tfjs/model.json@tfjs:webgl@chromium', 'mismatch'],
      ['tfjs/model.json@tfjs:webgpu@chromium', 'mismatch'],
    ]);
  });
});
