import { describe, expect, it } from 'vitest';
import { makeTensor } from '@crossrt/core';
import { buildModel } from '@crossrt/model';
import { graphOrder } from '../graph/graph-order.js';
import { applyJumpRule, SNR_CEILING_DB, type MeasuredActivation } from './jump-rule.js';

// x → a (Relu) → b (Mul by a constant) → c (Add of b and a); `t` not compared.
const order = graphOrder(
  buildModel({
    opset: 13,
    inputs: [{ name: 'x', dtype: 'float32', dims: [4] }],
    outputs: [{ name: 'c', dtype: 'float32', dims: [4] }],
    initializers: { k: makeTensor('float32', [4], new Float32Array(4).fill(2)) },
    nodes: [
      { op: 'Relu', inputs: ['x'], outputs: ['a'] },
      { op: 'Neg', inputs: ['a'], outputs: ['t'] },
      { op: 'Mul', inputs: ['t', 'k'], outputs: ['b'] },
      { op: 'Add', inputs: ['b', 'a'], outputs: ['c'] },
    ],
  }),
);
const row = (tensor: string, index: number, snrDb: number | null): MeasuredActivation => ({
  tensor,
  variantTensor: tensor,
  match: 'name',
  index,
  node: null,
  opType: null,
  elements: 4,
  snrDb,
  cosineSimilarity: 1,
  maxAbsError: 0,
  maxAbsErrorRelative: 0,
});

describe('the jump rule', () => {
  it("drop = min(inputs' SNR, 48.2 dB) − SNR, through uncompared tensors; ≥ 20 dB jumps", () => {
    const judged = applyJumpRule(order, [row('x', 0, 46), row('a', 1, 60), row('b', 3, 30), row('c', 4, 5)]);
    // x: a graph input is judged against the exact values fed, the ceiling.
    expect(judged[0]).toMatchObject({ inputSnrDb: SNR_CEILING_DB, jump: false });
    expect(judged[0]!.dropDb!).toBeCloseTo(SNR_CEILING_DB - 46, 9);
    // a reads x (46 dB): 60 is above its input, no drop.
    expect(judged[1]).toMatchObject({ inputSnrDb: 46, dropDb: -14, jump: false });
    // b reads t (not compared), which reads a (60 dB, capped at the ceiling): 48.2 − 30 = 18.2, below 20.
    expect(judged[2]!.inputSnrDb).toBeCloseTo(SNR_CEILING_DB, 9);
    expect(judged[2]!.jump).toBe(false);
    // c reads b (30) and a (capped 48.2): min 30, 30 − 5 = 25 ≥ 20.
    expect(judged[3]).toMatchObject({ inputSnrDb: 30, dropDb: 25, jump: true });
  });

  it('an exact tensor (SNR null, infinite) never jumps; the bound is adjustable', () => {
    const judged = applyJumpRule(order, [row('a', 1, null), row('b', 3, 30)], 15);
    expect(judged[0]).toMatchObject({ dropDb: 0, jump: false });
    expect(judged[1]!.jump).toBe(true);
  });
});
