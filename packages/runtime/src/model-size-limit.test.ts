import { describe, expect, it } from 'vitest';
import { modelBytesLimit, modelSizeRefusal } from './model-size-limit.js';
import { findTarget } from './target-catalogue.js';

const MiB = 2 ** 20;

describe('model size limit of onnxruntime-web targets', () => {
  it("is 4 GiB of wasm32 memory minus the engine's 32 MiB, for wasm and WebGPU, in Node and Chromium", () => {
    for (const id of ['ort-web:wasm', 'ort-web:wasm@chromium', 'ort-web:webgpu@chromium'])
      expect(modelBytesLimit(findTarget(id))?.bytes, id).toBe(4064 * MiB);
  });

  it('does not apply to native runtimes or to the WebGL engine (JavaScript)', () => {
    expect(modelBytesLimit(findTarget('ort-node:cpu'))).toBeUndefined();
    expect(modelBytesLimit(findTarget('ort-web:webgl@chromium'))).toBeUndefined();
    expect(modelSizeRefusal(findTarget('ort-node:cpu'), 10 * 1024 * MiB)).toBeUndefined();
  });

  it('refuses a model one byte over, with the size and the limit; accepts one at the limit', () => {
    const wasm = findTarget('ort-web:wasm');
    expect(modelSizeRefusal(wasm, 4064 * MiB)).toBeUndefined();
    const e = modelSizeRefusal(wasm, 4064 * MiB + 1);
    expect(e?.code).toBe('MODEL_TOO_LARGE_FOR_TARGET');
    // 4064 MiB + 1 byte prints as 4064 MiB: the comparison is exact, the message rounds
    expect(e?.message).toMatch(
      /^ort-web:wasm cannot load this model: it is 4064 MiB \(graph \+ external data\), over the 4064 MiB that fit/,
    );
    expect(modelSizeRefusal(wasm, 4608 * MiB)?.message).toContain('it is 4608 MiB');
    expect(e?.hint).toMatch(/ort-node:cpu/);
  });
});
