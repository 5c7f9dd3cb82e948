import { describe, expect, it } from 'vitest';
import { decodeTensorBundle, encodeTensorBundle } from '../page/tensor-wire.mjs';

describe('tensor wire format', () => {
  it('lays out header and 8-aligned payloads byte for byte', () => {
    const bytes = encodeTensorBundle({ a: { dtype: 'int32', dims: [2], data: new Int32Array([1, -1]) } });
    const header = '[{"name":"a","dtype":"int32","dims":[2],"offset":0,"length":8}]';
    const payloadStart = (4 + header.length + 7) & ~7;
    expect(new DataView(bytes.buffer).getUint32(0, true)).toBe(header.length);
    expect(new TextDecoder().decode(bytes.subarray(4, 4 + header.length))).toBe(header);
    expect([...bytes.subarray(payloadStart)]).toEqual([1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]);
  });

  it('round-trips every dtype without going through numbers in JSON', () => {
    const tensors = {
      f32: { dtype: 'float32', dims: [3], data: new Float32Array([1.5, -0, Number.NaN]) },
      f64: { dtype: 'float64', dims: [1], data: new Float64Array([Math.PI]) },
      f16: { dtype: 'float16', dims: [2], data: new Uint16Array([0x3c00, 0x7c00]) },
      i8: { dtype: 'int8', dims: [1], data: new Int8Array([-128]) },
      i64: { dtype: 'int64', dims: [2], data: new BigInt64Array([-(2n ** 63n), 2n ** 53n + 1n]) },
      u64: { dtype: 'uint64', dims: [1], data: new BigUint64Array([2n ** 64n - 1n]) },
      b: { dtype: 'bool', dims: [3], data: new Uint8Array([1, 0, 1]) },
      s: { dtype: 'string', dims: [2], data: ['héllo', ''] },
      empty: { dtype: 'float32', dims: [0, 3], data: new Float32Array(0) },
    };
    const out = decodeTensorBundle(encodeTensorBundle(tensors));
    for (const [name, t] of Object.entries(tensors)) {
      expect(out[name]!.dtype).toBe(t.dtype);
      expect(out[name]!.dims).toEqual(t.dims);
      expect(Array.from(out[name]!.data as ArrayLike<unknown>)).toEqual(Array.from(t.data as ArrayLike<unknown>));
    }
    expect(Object.is((out['f32']!.data as Float32Array)[1], -0)).toBe(true);
  });

  it('decodes from an unaligned slice (copying once)', () => {
    const bytes = encodeTensorBundle({ x: { dtype: 'float64', dims: [1], data: new Float64Array([2.5]) } });
    const shifted = new Uint8Array(bytes.length + 3);
    shifted.set(bytes, 3);
    expect([...(decodeTensorBundle(shifted.subarray(3))['x']!.data as Float64Array)]).toEqual([2.5]);
  });
});
