import { describe, expect, it } from 'vitest';
import { isCrossrtError } from '@crossrt/core';
import { alignIntegerWidth, channelsLastPerm, describePerm, invertPerm, layoutByRank, resolveTensorMappings, transposeTensor } from './format-pair.js';

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return isCrossrtError(e) ? e.code : `not a CrossrtError: ${String(e)}`;
  }
  return undefined;
}

describe('transposeTensor', () => {
  it('NCHW → NHWC moves channels last (hand-written 1x2x2x3 → 1x2x3x2)', () => {
    // x[0,c,h,w] = 100c + 10h + w for C=2, H=2, W=3.
    const data = new Float32Array([0, 1, 2, 10, 11, 12, 100, 101, 102, 110, 111, 112]);
    const t = transposeTensor({ dtype: 'float32', dims: [1, 2, 2, 3], data }, [0, 2, 3, 1]);
    expect(t.dims).toEqual([1, 2, 3, 2]);
    expect([...(t.data as Float32Array)]).toEqual([0, 100, 1, 101, 2, 102, 10, 110, 11, 111, 12, 112]);
    const back = transposeTensor(t, invertPerm([0, 2, 3, 1]));
    expect(back.dims).toEqual([1, 2, 2, 3]);
    expect([...(back.data as Float32Array)]).toEqual([...data]);
  });

  it('keeps dtype storage (int64 stays BigInt64Array, strings stay strings)', () => {
    const i = transposeTensor({ dtype: 'int64', dims: [2, 2], data: new BigInt64Array([1n, 2n, 3n, 4n]) }, [1, 0]);
    expect([...(i.data as BigInt64Array)]).toEqual([1n, 3n, 2n, 4n]);
    const s = transposeTensor({ dtype: 'string', dims: [1, 3], data: ['a', 'b', 'c'] }, [1, 0]);
    expect(s.dims).toEqual([3, 1]);
    expect(s.data).toEqual(['a', 'b', 'c']);
  });
});

describe('perm helpers', () => {
  it('channels-last perms and their names', () => {
    expect(channelsLastPerm(4)).toEqual([0, 2, 3, 1]);
    expect(channelsLastPerm(3)).toEqual([0, 2, 1]);
    expect(channelsLastPerm(5)).toEqual([0, 2, 3, 4, 1]);
    expect(invertPerm([0, 2, 3, 1])).toEqual([0, 3, 1, 2]);
    expect(describePerm([0, 2, 3, 1])).toBe('NCHW→NHWC (perm [0,2,3,1])');
    expect(describePerm([0, 1, 2])).toBe('same layout');
  });

  it('widens TF.js int32 outputs when the ONNX side is int64', () => {
    const w = alignIntegerWidth({ dtype: 'int32', dims: [2], data: new Int32Array([-3, 7]) }, 'int64');
    expect(w.dtype).toBe('int64');
    expect([...(w.data as BigInt64Array)]).toEqual([-3n, 7n]);
    expect(alignIntegerWidth({ dtype: 'int32', dims: [1], data: new Int32Array([1]) }, 'int32').dtype).toBe('int32');
  });
});

describe('resolveTensorMappings: inference', () => {
  it('infers NCHW↔NHWC for a single input whose dims allow only that layout', () => {
    const [m] = resolveTensorMappings('input', [{ name: 'input', dims: [1, 3, 8, 8] }], [{ name: 'conv_a_input', dims: ['batch', 8, 8, 3] }], undefined);
    expect(m).toMatchObject({ onnx: 'input', tfjs: 'conv_a_input', perm: [0, 2, 3, 1], source: 'inferred' });
    expect(m!.rule).toContain('the only layout the dims allow');
  });

  it('pairs several values by name (":0" suffix and case ignored), each with its own layout', () => {
    const ms = resolveTensorMappings('input',
      [{ name: 'image', dims: [1, 3, 4, 5] }, { name: 'scale', dims: [1, 2] }],
      [{ name: 'Scale:0', dims: [1, 2] }, { name: 'image:0', dims: [1, 4, 5, 3] }], undefined);
    expect(ms.map((m) => [m.onnx, m.tfjs, m.perm])).toEqual([['image', 'image:0', [0, 2, 3, 1]], ['scale', 'Scale:0', [0, 1]]]);
    expect(ms[0]!.rule).toContain('same name');
  });

  it('pairs by shape when names differ and each shape fits one partner', () => {
    const ms = resolveTensorMappings('output',
      [{ name: 'boxes', dims: [1, 4, 10] }, { name: 'scores', dims: [1, 7] }],
      [{ name: 'Identity_1', dims: [1, 7] }, { name: 'Identity', dims: [1, 10, 4] }], undefined);
    expect(ms.map((m) => [m.onnx, m.tfjs, m.perm])).toEqual([['boxes', 'Identity', [0, 2, 1]], ['scores', 'Identity_1', [0, 1]]]);
  });

  it('refuses a square tensor whose dims fit both layouts, unless the inputs decided the layout', () => {
    const onnx = [{ name: 'y', dims: [1, 4, 4, 4] }];
    const tfjs = [{ name: 'out', dims: [1, 4, 4, 4] }];
    expect(codeOf(() => resolveTensorMappings('output', onnx, tfjs, undefined))).toBe('PAIR_MAPPING_UNRESOLVED');
    const inputs = resolveTensorMappings('input', [{ name: 'x', dims: [1, 3, 4, 4] }], [{ name: 'x', dims: [1, 4, 4, 3] }], undefined);
    const [m] = resolveTensorMappings('output', onnx, tfjs, undefined, layoutByRank(inputs));
    expect(m!.perm).toEqual([0, 2, 3, 1]);
    expect(m!.rule).toContain("following the inputs' layout");
  });

  it('refuses different counts, shuffles that are no layout, and unpairable shapes', () => {
    expect(codeOf(() => resolveTensorMappings('input', [{ name: 'a', dims: [1] }], [], undefined))).toBe('PAIR_MAPPING_UNRESOLVED');
    expect(codeOf(() => resolveTensorMappings('input', [{ name: 'a', dims: [2, 3, 5] }], [{ name: 'b', dims: [5, 2, 3] }], undefined))).toBe('PAIR_MAPPING_UNRESOLVED');
    expect(codeOf(() => resolveTensorMappings('input',
      [{ name: 'a', dims: [1, 2] }, { name: 'b', dims: [1, 2] }],
      [{ name: 'c', dims: [1, 2] }, { name: 'd', dims: [1, 2] }], undefined))).toBe('PAIR_MAPPING_UNRESOLVED');
  });
});

describe('resolveTensorMappings: config', () => {
  it('takes names and perm from config and checks them against the dims', () => {
    const [m] = resolveTensorMappings('input', [{ name: 'input', dims: [1, 2, 6, 6] }], [{ name: 'dw_input', dims: [1, 6, 6, 2] }], [{ onnx: 'input', tfjs: 'dw_input', perm: [0, 2, 3, 1] }]);
    expect(m).toMatchObject({ perm: [0, 2, 3, 1], source: 'config' });
    expect(codeOf(() => resolveTensorMappings('input', [{ name: 'input', dims: [1, 2, 6, 6] }], [{ name: 'dw_input', dims: [1, 6, 6, 2] }], [{ onnx: 'input', tfjs: 'dw_input', perm: [0, 1, 2, 3] }]))).toBe('PAIR_CONFIG_INVALID');
    expect(codeOf(() => resolveTensorMappings('input', [{ name: 'input', dims: [1, 2, 6, 6] }], [{ name: 'dw_input', dims: [1, 6, 6, 2] }], [{ onnx: 'input', tfjs: 'dw_input', perm: [0, 2, 2, 1] }]))).toBe('PAIR_CONFIG_INVALID');
    expect(codeOf(() => resolveTensorMappings('input', [{ name: 'input', dims: [1, 2, 6, 6] }], [{ name: 'dw_input', dims: [1, 6, 6, 2] }], [{ onnx: 'nope', tfjs: 'dw_input' }]))).toBe('PAIR_CONFIG_INVALID');
  });

  it('infers the perm of a configured pair when perm is left out', () => {
    const [m] = resolveTensorMappings('output', [{ name: 'output', dims: [1, 5] }], [{ name: 'fc', dims: [1, 5] }], [{ onnx: 'output', tfjs: 'fc' }]);
    expect(m).toMatchObject({ perm: [0, 1], source: 'config' });
    expect(m!.rule).toContain('names given');
  });
});
