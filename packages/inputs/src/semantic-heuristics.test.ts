import { describe, expect, it } from 'vitest';
import type { HostTensor } from '@crossrt/core';
import { buildModel, decodeModel, encodeModel, modelSignature, type GraphSpec } from '@crossrt/model';
import { generateInputs } from './generate.js';
import { inspectInputs } from './model-facts.js';

const f32 = (dims: number[]): HostTensor => ({
  dtype: 'float32',
  dims,
  data: new Float32Array(dims.reduce((a, b) => a * b, 1)),
});

/** Encode and decode, so the heuristics see exactly what a model file would give them. */
function prepare(spec: GraphSpec, options: Parameters<typeof generateInputs>[1]) {
  const proto = decodeModel(encodeModel(buildModel(spec)));
  const signature = modelSignature(proto);
  return generateInputs(signature.inputs, { modelFacts: inspectInputs(proto), ...options });
}

/** A BERT-like embedding block: word (vocab 30), token type (2) and position (16) tables, plus a mask. */
const bertLike: GraphSpec = {
  opset: 13,
  inputs: [
    { name: 'input_ids', dtype: 'int64', dims: ['batch', 'seq'] },
    { name: 'attention_mask', dtype: 'int64', dims: ['batch', 'seq'] },
    { name: 'token_type_ids', dtype: 'int64', dims: ['batch', 'seq'] },
    { name: 'position_ids', dtype: 'int64', dims: ['batch', 'seq'] },
  ],
  outputs: [{ name: 'hidden', dtype: 'float32', dims: ['batch', 'seq', 4] }],
  initializers: {
    'word_embeddings.weight': f32([30, 4]),
    'token_type_embeddings.weight': f32([2, 4]),
    'position_embeddings.weight': f32([16, 4]),
    axes: { dtype: 'int64', dims: [1], data: new BigInt64Array([2n]) },
  },
  nodes: [
    { op: 'Cast', inputs: ['input_ids'], outputs: ['ids32'], attrs: { to: 6 } },
    { op: 'Gather', inputs: ['word_embeddings.weight', 'ids32'], outputs: ['w'], name: 'embeddings/word' },
    { op: 'Gather', inputs: ['token_type_embeddings.weight', 'token_type_ids'], outputs: ['t'] },
    { op: 'Gather', inputs: ['position_embeddings.weight', 'position_ids'], outputs: ['p'] },
    { op: 'Add', inputs: ['w', 't'], outputs: ['wt'] },
    { op: 'Add', inputs: ['wt', 'p'], outputs: ['sum'] },
    { op: 'Cast', inputs: ['attention_mask'], outputs: ['maskf'], attrs: { to: 1 } },
    { op: 'Unsqueeze', inputs: ['maskf', 'axes'], outputs: ['mask3'] },
    { op: 'Mul', inputs: ['sum', 'mask3'], outputs: ['hidden'] },
  ],
};

describe('semantic heuristics on models that trigger them', () => {
  const g = prepare(bertLike, { seed: 5, dims: { batch: 3, seq: 12 } });
  const values = (name: string) => [...(g.tensors.get(name)!.data as BigInt64Array)].map(Number);
  const record = (name: string) => g.records.find((r) => r.name === name)!;

  it('token ids stay below the vocabulary read from the embedding Gather (through a Cast)', () => {
    const ids = values('input_ids');
    expect(Math.max(...ids)).toBeLessThan(30);
    expect(Math.max(...ids)).toBeGreaterThan(20); // the range is used, not a tiny fallback
    expect(Math.min(...ids)).toBeGreaterThanOrEqual(0);
    expect(record('input_ids').heuristic).toMatch(
      /^token-ids: vocabulary 30 from Gather "embeddings\/word" over word_embeddings.weight/,
    );
  });

  it('attention mask rows are 1s with trailing 0s, at least half 1s', () => {
    const m = values('attention_mask');
    for (let row = 0; row < 3; row++) {
      const r = m.slice(row * 12, row * 12 + 12);
      const ones = r.indexOf(0) < 0 ? 12 : r.indexOf(0);
      expect(ones).toBeGreaterThanOrEqual(6);
      expect(r.slice(0, ones).every((v) => v === 1) && r.slice(ones).every((v) => v === 0)).toBe(true);
    }
    expect(m.includes(0)).toBe(true); // with 3 rows of 12 at least one row is padded (seed 5)
    expect(record('attention_mask').heuristic).toMatch(/^attention-mask/);
  });

  it('token type ids are 0s then 1s; position ids count along each row', () => {
    const t = values('token_type_ids');
    for (let row = 0; row < 3; row++) {
      const r = t.slice(row * 12, row * 12 + 12);
      expect(r.every((v) => v === 0 || v === 1) && r.every((v, j) => j === 0 || v >= r[j - 1]!)).toBe(true);
      expect(r[0]).toBe(0);
      expect(r[11]).toBe(1);
    }
    expect(values('position_ids')).toEqual([0, 1, 2].flatMap(() => Array.from({ length: 12 }, (_, j) => j)));
    expect(record('token_type_ids').heuristic).toMatch(/^token-type-ids/);
    expect(record('position_ids').heuristic).toMatch(/^position-ids/);
  });

  it('token ids without a readable vocabulary fall back to a small range and say so', () => {
    const noTable = prepare(
      {
        opset: 13,
        inputs: [{ name: 'input_ids', dtype: 'int32', dims: [1, 50] }],
        outputs: [{ name: 'y', dtype: 'int32', dims: [1, 50] }],
        nodes: [{ op: 'Identity', inputs: ['input_ids'], outputs: ['y'] }],
      },
      { seed: 0 },
    );
    expect(Math.max(...(noTable.tensors.get('input_ids')!.data as Int32Array))).toBeLessThan(100);
    expect(noTable.records[0]!.heuristic).toMatch(/vocabulary not found/);
  });

  it('image-like inputs: float NCHW in [0,1), uint8 NHWC in [0,255]', () => {
    const img = prepare(
      {
        opset: 13,
        inputs: [
          { name: 'x', dtype: 'float32', dims: ['N', 3, 'H', 'W'] },
          { name: 'frame', dtype: 'uint8', dims: [1, 32, 32, 3] },
        ],
        outputs: [
          { name: 'y', dtype: 'float32', dims: ['N', 3, 'H', 'W'] },
          { name: 'z', dtype: 'uint8', dims: [1, 32, 32, 3] },
        ],
        nodes: [
          { op: 'Relu', inputs: ['x'], outputs: ['y'] },
          { op: 'Identity', inputs: ['frame'], outputs: ['z'] },
        ],
      },
      { seed: 0, dims: { H: 32, W: 32 } },
    );
    const x = img.tensors.get('x')!.data as Float32Array;
    expect(Math.min(...x)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...x)).toBeLessThan(1);
    expect(img.records[0]!.heuristic).toMatch(/^image-like \(NCHW with 3 channels\)/);
    const f = img.tensors.get('frame')!.data as Uint8Array;
    expect(Math.max(...f)).toBeGreaterThan(200);
    expect(img.records[1]!.heuristic).toMatch(/^image-like \(NHWC with 3 channels\): pixel values 0..255/);
  });

  it('sample rate scalars get 16000 and recurrent state zeros (silero-like signature)', () => {
    const vad = prepare(
      {
        opset: 16,
        inputs: [
          { name: 'input', dtype: 'float32', dims: ['batch', 'sequence'] },
          { name: 'state', dtype: 'float32', dims: [2, 'batch', 128] },
          { name: 'sr', dtype: 'int64', dims: [] },
        ],
        outputs: [{ name: 'out', dtype: 'float32', dims: ['batch', 'sequence'] }],
        nodes: [{ op: 'Identity', inputs: ['input'], outputs: ['out'] }],
      },
      { seed: 0, shapes: { input: [1, 64] } },
    );
    expect((vad.tensors.get('sr')!.data as BigInt64Array)[0]).toBe(16000n);
    expect([...(vad.tensors.get('state')!.data as Float32Array)].every((v) => v === 0)).toBe(true);
    expect(vad.records.map((r) => r.heuristic)).toEqual([undefined, 'recurrent-state: zeros', 'sample-rate: 16000 Hz']);
    expect(vad.records[0]!.generator).toBe('uniform[-1,1)');
  });

  it('is overridable: a disabled heuristic or a per-input plan wins', () => {
    const off = prepare(bertLike, {
      seed: 5,
      dims: { batch: 1, seq: 8 },
      heuristicSettings: { disabled: ['attention-mask'], tokenIdFallbackLimit: 5 },
    });
    expect(off.records.find((r) => r.name === 'attention_mask')!.heuristic).toBeUndefined();
    const plan = prepare(bertLike, {
      seed: 5,
      dims: { batch: 1, seq: 8 },
      plans: { input_ids: { kind: 'constant', value: 7 } },
    });
    expect([...(plan.tensors.get('input_ids')!.data as BigInt64Array)].every((v) => v === 7n)).toBe(true);
    const none = prepare(bertLike, { seed: 5, dims: { batch: 1, seq: 8 }, heuristicSettings: { disabled: ['all'] } });
    expect(none.records.every((r) => r.heuristic === undefined)).toBe(true);
  });
});
