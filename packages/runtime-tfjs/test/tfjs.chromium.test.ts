/**
 * tfjs:webgl@chromium and tfjs:webgpu@chromium through the browser host (system Chromium, SwiftShader
 * without a GPU). Fixtures: fixtures/tfjs/same-pad-even (hand-derivable) and the real graph model
 * node_modules/@vladmandic/human/models/emotion.json (npm @vladmandic/human 3.3.6).
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import type { TargetHost } from '@crossrt/runtime';
import { f32, trackedHosts } from './tracked-hosts.js';

vi.setConfig({ testTimeout: 120_000 });

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const samePad = join(repo, 'fixtures/tfjs/same-pad-even/tfjs/model.json');
const emotion = join(repo, 'node_modules/@vladmandic/human/models/emotion.json');

const host = trackedHosts(120_000);

// 64x64 grey image-like input for emotion.json, values in [0, 1).
const face = f32(
  [1, 64, 64, 1],
  Array.from({ length: 64 * 64 }, (_, i) => (Math.sin(i * 0.37) * 0.5 + 0.5) * 0.999),
);

let cpuEmotion: Float32Array | undefined;
async function emotionOnCpu(): Promise<Float32Array> {
  if (!cpuEmotion) {
    const h = host('tfjs:cpu');
    await h.load(emotion);
    cpuEmotion = (await h.run({ input_1: face })).outputs['Identity']!.data as Float32Array;
  }
  return cpuEmotion;
}

for (const [id, ep] of [
  ['tfjs:webgl@chromium', 'tfjs-webgl'],
  ['tfjs:webgpu@chromium', 'tfjs-webgpu'],
] as const) {
  describe(id, () => {
    // One browser per target for the whole describe: starting Chromium dominates the time.
    let shared: TargetHost | undefined;
    const pageHost = () => (shared ??= host(id));
    it('is available and says on which adapter; the requested backend is the active one', async () => {
      const p = await pageHost().probe();
      expect(p.available, p.reason).toBe(true);
      expect(p.reason).toMatch(
        id.startsWith('tfjs:webgl')
          ? /^TF\.js 4\.22\.0 WebGL \d on .+; Chromium \d+/
          : /^TF\.js 4\.22\.0 WebGPU on .+; Chromium \d+/,
      );
    });

    it("computes TF's 'same' padding by hand: [[12,16,9],[24,28,15],[15,17,9]]", async () => {
      const h = pageHost();
      const { reply } = await h.load(samePad);
      expect(reply.device.kind).toBe('gpu');
      expect(reply.placement).toMatchObject({ source: 'requested', providers: [{ ep, nodes: 1 }] });
      const { outputs } = await h.run({ conv_input: f32([1, 3, 3, 1], [1, 2, 3, 4, 5, 6, 7, 8, 9]) });
      expect([...(outputs['conv']!.data as Float32Array)]).toEqual([12, 16, 9, 24, 28, 15, 15, 17, 9]);
    });

    it('runs the real emotion.json graph model and agrees with tfjs:cpu within atol 1e-5', async () => {
      const h = pageHost();
      const { reply } = await h.load(emotion);
      expect(reply.outputNames).toEqual(['Identity']);
      const y = (await h.run({ input_1: face })).outputs['Identity']!;
      expect(y.dims).toEqual([1, 7]);
      const ref = await emotionOnCpu();
      const got = y.data as Float32Array;
      const maxAbs = Math.max(...[...got].map((v, i) => Math.abs(v - ref[i]!)));
      console.log(`emotion.json ${id} vs tfjs:cpu: max abs ${maxAbs}`);
      // Class probabilities (softmax): they sum to 1 on both sides.
      expect([...got].reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      expect(maxAbs).toBeLessThanOrEqual(1e-5);
    });
  });
}
