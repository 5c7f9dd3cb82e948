/**
 * Integration: localization with a headless Chromium host on one side.
 * Fixture (tools/make-fault-fixtures.mjs): fixtures/faults/conv-chain.onnx, a Conv that ort-node:cpu
 * and ort-web:wasm round differently (the Node-only cases are in localize.test.ts).
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findTarget } from '@crossrt/runtime';
import { localizeDiscrepancy } from '../src/discrepancy/localize.js';

const fault = (name: string) => fileURLToPath(new URL(`../../../fixtures/faults/${name}`, import.meta.url));
const CPU = findTarget('ort-node:cpu');

describe('localize with a browser target', { timeout: 90_000 }, () => {
  it('conv-chain on ort-node:cpu vs ort-web:wasm@chromium (headless Chromium host) names the Conv', async () => {
    const report = await localizeDiscrepancy({
      model: fault('conv-chain.onnx'),
      targets: [CPU, findTarget('ort-web:wasm@chromium')],
      policy: { base: { rtol: 0, atol: 0 } },
      timeoutMs: 60_000,
    });
    const c = report.cases[0]!;
    expect(c.outcomes.map((o) => [o.target, o.status])).toEqual([
      ['ort-node:cpu', 'ok'],
      ['ort-web:wasm@chromium', 'ok'],
    ]);
    expect(c.localization?.culprit?.node).toBe('conv');
    expect(c.localization?.nodes[0]).toMatchObject({ name: 'double', status: 'agree', maxAbsError: 0 });
  });
});
