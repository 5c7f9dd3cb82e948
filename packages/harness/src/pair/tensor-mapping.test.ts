import { describe, expect, it } from 'vitest';
import { isCrossrtError } from '@crossrt/core';
import { alignIntegerWidth, layoutByRank, resolveTensorMappings } from './tensor-mapping.js';

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return isCrossrtError(e) ? e.code : `not a CrossrtError: ${String(e)}`;
  }
  return undefined;
}

describe('resolveTensorMappings: inference', () => {
  it('infers NCHW↔NHWC for a single input whose dims allow only that layout', () => {
    const [m] = resolveTensorMappings(
      'input',
      [{ name: 'input', dims: [1, 3, 8, 8] }],
      [{ name: 'conv_a_input', dims: ['batch', 8, 8, 3] }],
      undefined,
    );
    expect(m).toMatchObject({ onnx: 'input', tfjs: 'conv_a_input', perm: [0, 2, 3, 1], source: 'inferred' });
    expect(m!.rule).toContain('the only layout the dims allow');
  });

  it('pairs several values by name (":0" suffix and case ignored), each with its own layout', () => {
    const ms = resolveTensorMappings(
      'input',
      [
        { name: 'image', dims: [1, 3, 4, 5] },
        { name: 'scale', dims: [1, 2] },
      ],
      [
        { name: 'Scale:0', dims: [1, 2] },
        { name: 'image:0', dims: [1, 4, 5, 3] },
      ],
      undefined,
    );
    expect(ms.map((m) => [m.onnx, m.tfjs, m.perm])).toEqual([
      ['image', 'image:0', [0, 2, 3, 1]],
      ['scale', 'Scale:0', [0, 1]],
    ]);
    expect(ms[0]!.rule).toContain('same name');
  });

  it('pairs by shape when names differ and each shape fits one partner', () => {
    const ms = resolveTensorMappings(
      'output',
      [
        { name: 'boxes', dims: [1, 4, 10] },
        { name: 'scores', dims: [1, 7] },
      ],
      [
        { name: 'Identity_1', dims: [1, 7] },
        { name: 'Identity', dims: [1, 10, 4] },
      ],
      undefined,
    );
    expect(ms.map((m) => [m.onnx, m.tfjs, m.perm])).toEqual([
      ['boxes', 'Identity', [0, 2, 1]],
      ['scores', 'Identity_1', [0, 1]],
    ]);
  });

  it('refuses a square tensor whose dims fit both layouts, unless the inputs decided the layout', () => {
    const onnx = [{ name: 'y', dims: [1, 4, 4, 4] }];
    const tfjs = [{ name: 'out', dims: [1, 4, 4, 4] }];
    expect(codeOf(() => resolveTensorMappings('output', onnx, tfjs, undefined))).toBe('PAIR_MAPPING_UNRESOLVED');
    const inputs = resolveTensorMappings(
      'input',
      [{ name: 'x', dims: [1, 3, 4, 4] }],
      [{ name: 'x', dims: [1, 4, 4, 3] }],
      undefined,
    );
    const [m] = resolveTensorMappings('output', onnx, tfjs, undefined, layoutByRank(inputs));
    expect(m!.perm).toEqual([0, 2, 3, 1]);
    expect(m!.rule).toContain("following the inputs' layout");
  });

  it('refuses different counts, shuffles that are no layout, and unpairable shapes', () => {
    expect(codeOf(() => resolveTensorMappings('input', [{ name: 'a', dims: [1] }], [], undefined))).toBe(
      'PAIR_MAPPING_UNRESOLVED',
    );
    expect(
      codeOf(() =>
        resolveTensorMappings('input', [{ name: 'a', dims: [2, 3, 5] }], [{ name: 'b', dims: [5, 2, 3] }], undefined),
      ),
    ).toBe('PAIR_MAPPING_UNRESOLVED');
    expect(
      codeOf(() =>
        resolveTensorMappings(
          'input',
          [
            { name: 'a', dims: [1, 2] },
            { name: 'b', dims: [1, 2] },
          ],
          [
            { name: 'c', dims: [1, 2] },
            { name: 'd', dims: [1, 2] },
          ],
          undefined,
        ),
      ),
    ).toBe('PAIR_MAPPING_UNRESOLVED');
  });
});

describe('resolveTensorMappings: config', () => {
  it('takes names and perm from config and checks them against the dims', () => {
    const [m] = resolveTensorMappings(
      'input',
      [{ name: 'input', dims: [1, 2, 6, 6] }],
      [{ name: 'dw_input', dims: [1, 6, 6, 2] }],
      [{ onnx: 'input', tfjs: 'dw_input', perm: [0, 2, 3, 1] }],
    );
    expect(m).toMatchObject({ perm: [0, 2, 3, 1], source: 'config' });
    expect(
      codeOf(() =>
        resolveTensorMappings(
          'input',
          [{ name: 'input', dims: [1, 2, 6, 6] }],
          [{ name: 'dw_input', dims: [1, 6, 6, 2] }],
          [{ onnx: 'input', tfjs: 'dw_input', perm: [0, 1, 2, 3] }],
        ),
      ),
    ).toBe('PAIR_CONFIG_INVALID');
    expect(
      codeOf(() =>
        resolveTensorMappings(
          'input',
          [{ name: 'input', dims: [1, 2, 6, 6] }],
          [{ name: 'dw_input', dims: [1, 6, 6, 2] }],
          [{ onnx: 'input', tfjs: 'dw_input', perm: [0, 2, 2, 1] }],
        ),
      ),
    ).toBe('PAIR_CONFIG_INVALID');
    expect(
      codeOf(() =>
        resolveTensorMappings(
          'input',
          [{ name: 'input', dims: [1, 2, 6, 6] }],
          [{ name: 'dw_input', dims: [1, 6, 6, 2] }],
          [{ onnx: 'nope', tfjs: 'dw_input' }],
        ),
      ),
    ).toBe('PAIR_CONFIG_INVALID');
  });

  it('infers the perm of a configured pair when perm is left out', () => {
    const [m] = resolveTensorMappings(
      'output',
      [{ name: 'output', dims: [1, 5] }],
      [{ name: 'fc', dims: [1, 5] }],
      [{ onnx: 'output', tfjs: 'fc' }],
    );
    expect(m).toMatchObject({ perm: [0, 1], source: 'config' });
    expect(m!.rule).toContain('names given');
  });
});

describe('alignIntegerWidth', () => {
  it('widens TF.js int32 outputs when the ONNX side is int64', () => {
    const w = alignIntegerWidth({ dtype: 'int32', dims: [2], data: new Int32Array([-3, 7]) }, 'int64');
    expect(w.dtype).toBe('int64');
    expect([...(w.data as BigInt64Array)]).toEqual([-3n, 7n]);
    expect(alignIntegerWidth({ dtype: 'int32', dims: [1], data: new Int32Array([1]) }, 'int32').dtype).toBe('int32');
  });
});
