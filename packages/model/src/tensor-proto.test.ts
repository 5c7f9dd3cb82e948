import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DTYPES, bfloat16BitsToNumber, float16BitsToNumber, type DType, type HostTensor } from '@crossrt/core';
import { decodeTensorFile, encodeTensorFile } from './tensor-proto.js';

/*
 * Expected bytes are written by hand from the protobuf wire format and onnx.proto's field numbers
 * (dims=1, data_type=2, float_data=4, int32_data=5, string_data=6, int64_data=7, name=8, raw_data=9,
 * double_data=10, uint64_data=11), not produced by the code under test.
 */
function varint(v: bigint): number[] {
  let x = BigInt.asUintN(64, v);
  const out: number[] = [];
  do {
    const b = Number(x & 0x7fn);
    x >>= 7n;
    out.push(x > 0n ? b | 0x80 : b);
  } while (x > 0n);
  return out;
}
const key = (field: number, wire: number) => varint(BigInt((field << 3) | wire));
const lenDelimited = (field: number, payload: number[]) => [
  ...key(field, 2),
  ...varint(BigInt(payload.length)),
  ...payload,
];
const header = (dataType: number, dims: number[], name = 'x') => [
  ...dims.flatMap((d) => [...key(1, 0), ...varint(BigInt(d))]),
  ...key(2, 0),
  ...varint(BigInt(dataType)),
  ...lenDelimited(8, [...new TextEncoder().encode(name)]),
];
const le = (ctor: Float32ArrayConstructor | Float64ArrayConstructor, xs: number[]) => [
  ...new Uint8Array(new ctor(xs).buffer),
];
const pb = (bytes: number[]) => decodeTensorFile(new Uint8Array(bytes), 'hand.pb');

describe('TensorProto typed fields (hand-encoded wire bytes)', () => {
  it('float_data (packed fixed32) → float32', () => {
    const { name, tensor } = pb([...header(1, [2]), ...lenDelimited(4, le(Float32Array, [1.5, -2]))]);
    expect(name).toBe('x');
    expect(tensor).toEqual({ dtype: 'float32', dims: [2], data: new Float32Array([1.5, -2]) });
  });
  it('int32_data carries int8 (negative values sign-extended to 10-byte varints)', () => {
    const { tensor } = pb([...header(3, [2]), ...lenDelimited(5, [...varint(-128n), ...varint(5n)])]);
    expect(Array.from(tensor.data as Int8Array)).toEqual([-128, 5]);
    expect(tensor.dtype).toBe('int8');
  });
  it('int32_data carries float16 bit patterns and bool', () => {
    const half = pb([...header(10, [2]), ...lenDelimited(5, [...varint(0x3c00n), ...varint(0xc000n)])]).tensor;
    expect(Array.from(half.data as Uint16Array, float16BitsToNumber)).toEqual([1, -2]);
    const bool = pb([...header(9, [3]), ...lenDelimited(5, [1, 0, 1])]).tensor;
    expect(bool).toEqual({ dtype: 'bool', dims: [3], data: new Uint8Array([1, 0, 1]) });
  });
  it('int64_data, uint64_data (uint32 and uint64) and double_data', () => {
    expect(pb([...header(7, [2]), ...lenDelimited(7, [...varint(-1n), ...varint(2n ** 40n)])]).tensor.data).toEqual(
      new BigInt64Array([-1n, 2n ** 40n]),
    );
    expect(pb([...header(13, [1]), ...lenDelimited(11, varint(2n ** 64n - 1n))]).tensor.data).toEqual(
      new BigUint64Array([2n ** 64n - 1n]),
    );
    expect(pb([...header(12, [1]), ...lenDelimited(11, varint(4294967295n))]).tensor.data).toEqual(
      new Uint32Array([4294967295]),
    );
    expect(pb([...header(11, [1]), ...lenDelimited(10, le(Float64Array, [0.1]))]).tensor.data).toEqual(
      new Float64Array([0.1]),
    );
  });
  it('string_data (UTF-8 bytes per element)', () => {
    const t = pb([
      ...header(8, [2]),
      ...lenDelimited(6, [0x61]),
      ...lenDelimited(6, [...new TextEncoder().encode('héllo')]),
    ]).tensor;
    expect(t).toEqual({ dtype: 'string', dims: [2], data: ['a', 'héllo'] });
  });
  it('raw_data little-endian: bfloat16, uint16, scalar int32', () => {
    const bf = pb([...header(16, [2]), ...lenDelimited(9, [0x80, 0x3f, 0x00, 0xc0])]).tensor;
    expect(Array.from(bf.data as Uint16Array, bfloat16BitsToNumber)).toEqual([1, -2]);
    expect(pb([...header(4, [1]), ...lenDelimited(9, [0x34, 0x12])]).tensor.data).toEqual(new Uint16Array([0x1234]));
    expect(pb([...header(6, []), ...lenDelimited(9, [0xff, 0xff, 0xff, 0xff])]).tensor).toEqual({
      dtype: 'int32',
      dims: [],
      data: new Int32Array([-1]),
    });
  });
  it('empty tensors decode with zero elements', () => {
    expect(pb([...header(1, [0, 3])]).tensor).toEqual({ dtype: 'float32', dims: [0, 3], data: new Float32Array(0) });
  });
});

/** One sample tensor per dtype with edge values (extremes, negative zero, non-ASCII strings). */
function sample(dtype: DType): HostTensor {
  const dims = [2, 2];
  switch (dtype) {
    case 'float32':
      return { dtype, dims, data: new Float32Array([-0, 3.4e38, -1e-45, 0.1]) };
    case 'float64':
      return { dtype, dims, data: new Float64Array([Number.MAX_VALUE, -0, 5e-324, Math.PI]) };
    case 'float16':
    case 'bfloat16':
      return { dtype, dims, data: new Uint16Array([0x0001, 0x7bff, 0x8000, 0xfc00]) };
    case 'int8':
      return { dtype, dims, data: new Int8Array([-128, 127, 0, -1]) };
    case 'int16':
      return { dtype, dims, data: new Int16Array([-32768, 32767, 0, -1]) };
    case 'int32':
      return { dtype, dims, data: new Int32Array([-2147483648, 2147483647, 0, -1]) };
    case 'int64':
      return { dtype, dims, data: new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n, 0n, -1n]) };
    case 'uint8':
      return { dtype, dims, data: new Uint8Array([0, 255, 1, 128]) };
    case 'uint16':
      return { dtype, dims, data: new Uint16Array([0, 65535, 1, 32768]) };
    case 'uint32':
      return { dtype, dims, data: new Uint32Array([0, 4294967295, 1, 2147483648]) };
    case 'uint64':
      return { dtype, dims, data: new BigUint64Array([0n, 2n ** 64n - 1n, 1n, 2n ** 63n]) };
    case 'bool':
      return { dtype, dims, data: new Uint8Array([1, 0, 0, 1]) };
    case 'string':
      return { dtype, dims, data: ['', 'ascii', 'ünïcødé', '日本'] };
  }
}

describe('TensorProto round trip', () => {
  for (const layout of ['raw', 'typed'] as const) {
    it(`every dtype survives encode → decode with ${layout} layout`, () => {
      for (const dtype of DTYPES) {
        const t = sample(dtype);
        const back = decodeTensorFile(encodeTensorFile(t, `t_${dtype}`, { layout }), dtype);
        expect(back.name).toBe(`t_${dtype}`);
        expect(back.tensor, dtype).toEqual(t);
      }
    });
  }
});

describe('broken .pb files', () => {
  const fixture = (f: string) =>
    new Uint8Array(readFileSync(new URL(`../../../fixtures/model-io/broken/${f}`, import.meta.url)));
  it.each(['truncated.pb', 'garbage.pb'])('%s is a TENSOR_INVALID error with a one-line message', (f) => {
    let err: unknown;
    try {
      decodeTensorFile(fixture(f), f);
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ name: 'CrossrtError', code: 'TENSOR_INVALID' });
    expect((err as Error).message).not.toContain('\n');
  });
  it('an empty .pb is rejected rather than read as a default tensor', () => {
    expect(() => decodeTensorFile(new Uint8Array(0), 'empty.pb')).toThrow(/empty/);
  });
});
