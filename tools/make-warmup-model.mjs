#!/usr/bin/env node
/**
 * Prints the warm-up model embedded in packages/runtime-ort-common/src/warmup-model.ts (base64): y = Relu(x),
 * float32[4], opset 13. packages/runtime-ort-common/src/warmup-model.test.ts checks the embedded bytes equal this output.
 */
import { buildModel, encodeModel } from '@crossrt/model';

export function warmupModel() {
  return encodeModel(
    buildModel({
      name: 'warmup',
      opset: 13,
      producer: 'crossrt-warmup',
      inputs: [{ name: 'x', dtype: 'float32', dims: [4] }],
      outputs: [{ name: 'y', dtype: 'float32', dims: [4] }],
      nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['y'] }],
    }),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(Buffer.from(warmupModel()).toString('base64'));
