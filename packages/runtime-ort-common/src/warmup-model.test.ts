/**
 * The embedded warm-up model is what tools/make-warmup-model.mjs builds with @crossrt/model's graph
 * builder (y = Relu(x), float32[4], opset 13): regenerating it must give the same bytes.
 */
import { describe, expect, it } from 'vitest';
import { warmupModelBytes, WARMUP_MODEL_BASE64 } from './warmup-model.js';

describe('warm-up model', () => {
  it('equals the bytes tools/make-warmup-model.mjs builds', async () => {
    const tool = new URL('../../../tools/make-warmup-model.mjs', import.meta.url).href;
    const { warmupModel } = (await import(tool)) as { warmupModel: () => Uint8Array };
    expect(Buffer.from(warmupModel()).toString('base64')).toBe(WARMUP_MODEL_BASE64);
    expect(warmupModelBytes().byteLength).toBe(Buffer.from(WARMUP_MODEL_BASE64, 'base64').byteLength);
  });
});
