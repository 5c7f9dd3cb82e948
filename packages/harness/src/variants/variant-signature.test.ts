import { describe, expect, it } from 'vitest';
import type { ValueSignature } from '@crossrt/model';
import { mergeVariantInputs } from './variant-signature.js';

const t = (name: string, dtype: 'float32' | 'int64' | 'float16', dims: (number | string | null)[]): ValueSignature => ({
  name,
  kind: 'tensor',
  dtype,
  elemTypeName: dtype,
  dims,
});

describe('mergeVariantInputs', () => {
  it('unions inputs by name, fixed dims beat symbols, differing symbols become aliases', () => {
    const m = mergeVariantInputs([
      {
        label: 'a.onnx',
        inputs: [t('input', 'float32', [null, null]), t('state', 'float32', [2, null, 128]), t('sr', 'int64', [])],
      },
      {
        label: 'b.onnx',
        inputs: [t('input', 'float32', ['batch', 'sequence']), t('state', 'float32', [2, 'batch', 128])],
      },
      { label: 'c.onnx', inputs: [t('input', 'float32', ['N', 512])] },
    ]);
    expect(m.inputs.map((i) => [i.name, i.dims])).toEqual([
      ['input', ['batch', 512]],
      ['state', [2, 'batch', 128]],
      ['sr', []],
    ]);
    expect(m.aliases.get('N')).toBe('batch');
    expect(m.declaredBy.get('sr')).toEqual(['a.onnx']);
  });

  it('says what differs when the same input cannot feed both', () => {
    expect(() =>
      mergeVariantInputs([
        { label: 'a', inputs: [t('x', 'float32', [1, 3])] },
        { label: 'b', inputs: [t('x', 'float16', [1, 3])] },
      ]),
    ).toThrow(/dtype of input "x": a declares float32\[1,3\], b declares float16\[1,3\]/);
    expect(() =>
      mergeVariantInputs([
        { label: 'a', inputs: [t('x', 'float32', [1, 3])] },
        { label: 'b', inputs: [t('x', 'float32', [1, 4])] },
      ]),
    ).toThrow(/axis 1 of input "x"/);
    expect(() =>
      mergeVariantInputs([
        { label: 'a', inputs: [t('x', 'float32', [1, 3])] },
        { label: 'b', inputs: [t('x', 'float32', [3])] },
      ]),
    ).toThrow(/rank of input "x"/);
  });
});
