import { describe, expect, it } from 'vitest';
import { isCrossrtError } from '@crossrt/core';
import { fromTfjsFields, toTfjsFields } from './tfjs-tensor-bridge.js';

describe('HostTensor ↔ TF.js fields', () => {
  it('narrows int64 to int32 when every value fits', () => {
    const f = toTfjsFields('ids', {
      dtype: 'int64',
      dims: [3],
      data: new BigInt64Array([-(2n ** 31n), 0n, 2n ** 31n - 1n]),
    });
    expect(f.dtype).toBe('int32');
    expect([...(f.values as Int32Array)]).toEqual([-2147483648, 0, 2147483647]);
  });

  it('refuses int64 values outside int32 and dtypes TF.js cannot hold', () => {
    const codes = [
      () => toTfjsFields('ids', { dtype: 'int64', dims: [1], data: new BigInt64Array([2n ** 31n]) }),
      () => toTfjsFields('x', { dtype: 'float64', dims: [1], data: new Float64Array([1]) }),
      () => toTfjsFields('h', { dtype: 'float16', dims: [1], data: new Uint16Array([0x3c00]) }),
    ].map((f) => {
      try {
        f();
        return 'no error';
      } catch (e) {
        return isCrossrtError(e) ? e.code : 'other';
      }
    });
    expect(codes).toEqual(['MODEL_UNSUPPORTED_IO', 'MODEL_UNSUPPORTED_IO', 'MODEL_UNSUPPORTED_IO']);
  });

  it('brings bool back as 0/1 bytes and decodes byte strings', () => {
    expect(fromTfjsFields('m', { dtype: 'bool', shape: [2], values: new Uint8Array([1, 0]) })).toEqual({
      dtype: 'bool',
      dims: [2],
      data: new Uint8Array([1, 0]),
    });
    const s = fromTfjsFields('s', {
      dtype: 'string',
      shape: [1],
      values: [new TextEncoder().encode('hé')] as unknown as string[],
    });
    expect(s.data).toEqual(['hé']);
  });
});
