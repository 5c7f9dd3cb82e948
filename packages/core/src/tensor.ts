import { allocate, bytesPerElement, type DType, type TensorData } from './dtype.js';
import { CrossrtError } from './errors.js';
import { decodeBfloat16Array, decodeFloat16Array } from './float16.js';

/**
 * The host tensor every package speaks: plain data, no runtime objects. It crosses process boundaries
 * by structured clone (typed arrays travel as binary), so it must stay a plain object.
 */
export interface HostTensor {
  readonly dtype: DType;
  readonly dims: readonly number[];
  readonly data: TensorData;
}

export function elementCount(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

export function makeTensor(dtype: DType, dims: readonly number[], data?: TensorData): HostTensor {
  const n = elementCount(dims);
  const buf = data ?? allocate(dtype, n);
  if (buf.length !== n) {
    throw new CrossrtError(
      'TENSOR_INVALID',
      `tensor of dims [${dims.join(',')}] needs ${n} elements, got ${buf.length}`,
    );
  }
  return { dtype, dims: [...dims], data: buf };
}

export function tensorByteLength(t: HostTensor): number {
  if (t.dtype === 'string') return (t.data as string[]).reduce((s, x) => s + Buffer.byteLength(x), 0);
  return elementCount(t.dims) * bytesPerElement(t.dtype);
}

/**
 * A numeric view for comparison: float32/float64/int arrays pass through untouched; fp16/bf16 bits are
 * decoded once; 64-bit integers are returned as-is (callers compare bigints exactly).
 */
export function numericView(
  t: HostTensor,
):
  | Float32Array
  | Float64Array
  | Int8Array
  | Int16Array
  | Int32Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array
  | string[] {
  if (t.dtype === 'float16') return decodeFloat16Array(t.data as Uint16Array);
  if (t.dtype === 'bfloat16') return decodeBfloat16Array(t.data as Uint16Array);
  return t.data;
}

export function formatDims(dims: readonly (number | string)[]): string {
  return `[${dims.join(',')}]`;
}
