/**
 * `crossrt precision --to fp16` on the WebGPU targets this machine has (SwiftShader, no GPU), one of them
 * in headless Chromium: the model built so one node's float32 value leaves the float16 range
 * (precision-models.ts). The CPU and real-model cases are in precision-search.test.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findTarget } from '@crossrt/runtime';
import { runPrecisionSearch } from '../src/precision/precision-search.js';
import { overflowModel } from './precision-models.js';

const dir = mkdtempSync(join(tmpdir(), 'crossrt-precision-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cpu = findTarget('ort-node:cpu');

describe('precision search on the WebGPU targets of this machine (SwiftShader, no GPU)', () => {
  it('ort-node:webgpu leaves the search with the device reason; ort-web:webgpu@chromium answers zeros for float16 and keeps every node float32', async () => {
    const model = overflowModel(dir);
    const { search } = await runPrecisionSearch({
      model,
      targets: [cpu, findTarget('ort-node:webgpu'), findTarget('ort-web:webgpu@chromium')],
      precisionPolicy: { minSnrDb: 30, minCosine: 0.999 },
    });
    console.log(
      `webgpu: unsupported ${JSON.stringify(search.unsupportedTargets)}; block-list ${search.blockList.length}/${search.nodes.candidates}; notes ${search.notes.join(' | ')}`,
    );
    const node = search.unsupportedTargets.find((u) => u.target === 'ort-node:webgpu');
    expect(node?.reason).toMatch(/requires f16 but the device does not support it/);
    expect(search.targets).toEqual(['ort-node:cpu', 'ort-web:webgpu@chromium']);
    expect(
      search.notes.some((n) => n.startsWith('ort-web:webgpu@chromium returned all-zero outputs for the float16 model')),
    ).toBe(true);
    expect(search.met).toBe(true);
    expect(search.after.filter((c) => c.target === 'ort-web:webgpu@chromium').every((c) => c.pass)).toBe(true);
    expect(search.blockList.length).toBe(search.nodes.candidates);
  }, 300_000);
});
