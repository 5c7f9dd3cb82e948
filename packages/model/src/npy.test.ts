import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { float16BitsToNumber } from '@crossrt/core';
import { decodeNpy, encodeNpy } from './npy.js';
import { decodeNpz, encodeNpz } from './npz.js';

// Files written by NumPy itself (tools/make-model-io-fixtures.mjs); values restated here by hand.
const file = (f: string) =>
  new Uint8Array(readFileSync(new URL(`../../../fixtures/model-io/arrays/${f}`, import.meta.url)));

describe('.npy written by numpy', () => {
  it('reads float32, float16, big-endian float64, Fortran-order int64', () => {
    expect(decodeNpy(file('f32_2x3.npy'))).toEqual({
      dtype: 'float32',
      dims: [2, 3],
      data: new Float32Array([0, 0.25, 0.5, 0.75, 1, 1.25]),
    });
    const half = decodeNpy(file('f16_3.npy'));
    expect(Array.from(half.data as Uint16Array, float16BitsToNumber)).toEqual([1, -2.5, 65504]);
    expect(decodeNpy(file('f64_be.npy'))).toEqual({
      dtype: 'float64',
      dims: [2],
      data: new Float64Array([0.5, -1.25]),
    });
    // C order of [[1, 2], [3, 4]] regardless of the column-major bytes on disk.
    expect(decodeNpy(file('i64_2x2_fortran.npy'))).toEqual({
      dtype: 'int64',
      dims: [2, 2],
      data: new BigInt64Array([1n, 2n, 3n, 4n]),
    });
  });
  it('reads uint8, int8, uint64, bool, unicode strings and 0-d scalars', () => {
    expect(decodeNpy(file('u8_4.npy')).data).toEqual(new Uint8Array([0, 1, 254, 255]));
    expect(decodeNpy(file('i8_3.npy')).data).toEqual(new Int8Array([-128, 0, 127]));
    expect(decodeNpy(file('u64_2.npy')).data).toEqual(new BigUint64Array([0n, 2n ** 64n - 1n]));
    expect(decodeNpy(file('bool_2x2.npy'))).toEqual({
      dtype: 'bool',
      dims: [2, 2],
      data: new Uint8Array([1, 0, 0, 1]),
    });
    expect(decodeNpy(file('str_2.npy'))).toEqual({ dtype: 'string', dims: [2], data: ['ab', 'héllo'] });
    expect(decodeNpy(file('scalar_i32.npy'))).toEqual({ dtype: 'int32', dims: [], data: new Int32Array([7]) });
  });
  it('writes the same bytes numpy.save writes', () => {
    for (const f of ['f32_2x3.npy', 'u8_4.npy', 'bool_2x2.npy', 'scalar_i32.npy', 'u64_2.npy']) {
      expect(Buffer.from(encodeNpy(decodeNpy(file(f)))).equals(Buffer.from(file(f))), f).toBe(true);
    }
  });
  it('refuses object arrays, truncated data and non-npy bytes with ARRAY_FILE_INVALID', () => {
    expect(() => decodeNpy(file('object.npy'))).toThrow(/object arrays/);
    const f32 = file('f32_2x3.npy');
    expect(() => decodeNpy(f32.subarray(0, f32.length - 4))).toThrow(
      expect.objectContaining({ code: 'ARRAY_FILE_INVALID' }),
    );
    expect(() => decodeNpy(new TextEncoder().encode('hello world, not numpy'))).toThrow(
      expect.objectContaining({ code: 'ARRAY_FILE_INVALID' }),
    );
    expect(() => encodeNpy({ dtype: 'bfloat16', dims: [1], data: new Uint16Array(1) })).toThrow(/no NumPy dtype/);
  });
});

describe('.npz', () => {
  it('reads numpy.savez (stored) and savez_compressed (deflated) archives', () => {
    const plain = decodeNpz(file('pair.npz'));
    expect([...plain.keys()]).toEqual(['mask', 'x']);
    expect(plain.get('x')!.data).toEqual(new Float32Array([1.5, 2.5]));
    expect(plain.get('mask')!.data).toEqual(new Uint8Array([1, 0]));
    const packed = decodeNpz(file('pair_compressed.npz'));
    expect(packed.get('ids')).toEqual({ dtype: 'int32', dims: [1, 3], data: new Int32Array([1, 2, 3]) });
  });
  it('round-trips through its own writer, compressed or not', () => {
    const tensors = {
      a: { dtype: 'int16' as const, dims: [3], data: new Int16Array([-1, 0, 1]) },
      s: { dtype: 'string' as const, dims: [1], data: ['z'] },
    };
    for (const compress of [false, true])
      expect(Object.fromEntries(decodeNpz(encodeNpz(tensors, { compress })))).toEqual(tensors);
  });
  it('rejects a file that is not a zip', () => {
    expect(() => decodeNpz(file('f32_2x3.npy'))).toThrow(expect.objectContaining({ code: 'ARRAY_FILE_INVALID' }));
  });
});
