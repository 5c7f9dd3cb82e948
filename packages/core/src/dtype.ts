/**
 * The dtype table: one row per tensor element type crossrt moves between runtimes.
 * ONNX TensorProto.DataType numbers are the wire ids; names follow onnxruntime-common's `Tensor.Type`.
 */
export const DTYPES = [
  'float32',
  'float16',
  'bfloat16',
  'float64',
  'int8',
  'int16',
  'int32',
  'int64',
  'uint8',
  'uint16',
  'uint32',
  'uint64',
  'bool',
  'string',
] as const;
export type DType = (typeof DTYPES)[number];

export type TypedArrayFor<D extends DType> = D extends 'float32'
  ? Float32Array
  : D extends 'float64'
    ? Float64Array
    : D extends 'float16' | 'bfloat16' | 'uint16'
      ? Uint16Array
      : D extends 'int8'
        ? Int8Array
        : D extends 'int16'
          ? Int16Array
          : D extends 'int32'
            ? Int32Array
            : D extends 'int64'
              ? BigInt64Array
              : D extends 'uint8' | 'bool'
                ? Uint8Array
                : D extends 'uint32'
                  ? Uint32Array
                  : D extends 'uint64'
                    ? BigUint64Array
                    : D extends 'string'
                      ? string[]
                      : never;

export type TensorData =
  | Float32Array
  | Float64Array
  | Uint16Array
  | Int8Array
  | Int16Array
  | Int32Array
  | BigInt64Array
  | Uint8Array
  | Uint32Array
  | BigUint64Array
  | string[];

interface DTypeInfo {
  /** ONNX TensorProto.DataType value. */
  readonly onnx: number;
  /** Bytes per element in raw little-endian storage; 0 for string. */
  readonly bytes: number;
  /** How the values are stored in memory (fp16/bf16 keep their raw bits in a Uint16Array). */
  readonly storage: 'float' | 'int' | 'bigint' | 'half-bits' | 'bool' | 'string';
  readonly make: (n: number) => TensorData;
}

const INFO: Record<DType, DTypeInfo> = {
  float32: { onnx: 1, bytes: 4, storage: 'float', make: (n) => new Float32Array(n) },
  uint8: { onnx: 2, bytes: 1, storage: 'int', make: (n) => new Uint8Array(n) },
  int8: { onnx: 3, bytes: 1, storage: 'int', make: (n) => new Int8Array(n) },
  uint16: { onnx: 4, bytes: 2, storage: 'int', make: (n) => new Uint16Array(n) },
  int16: { onnx: 5, bytes: 2, storage: 'int', make: (n) => new Int16Array(n) },
  int32: { onnx: 6, bytes: 4, storage: 'int', make: (n) => new Int32Array(n) },
  int64: { onnx: 7, bytes: 8, storage: 'bigint', make: (n) => new BigInt64Array(n) },
  string: { onnx: 8, bytes: 0, storage: 'string', make: (n) => new Array<string>(n).fill('') },
  bool: { onnx: 9, bytes: 1, storage: 'bool', make: (n) => new Uint8Array(n) },
  float16: { onnx: 10, bytes: 2, storage: 'half-bits', make: (n) => new Uint16Array(n) },
  float64: { onnx: 11, bytes: 8, storage: 'float', make: (n) => new Float64Array(n) },
  uint32: { onnx: 12, bytes: 4, storage: 'int', make: (n) => new Uint32Array(n) },
  uint64: { onnx: 13, bytes: 8, storage: 'bigint', make: (n) => new BigUint64Array(n) },
  bfloat16: { onnx: 16, bytes: 2, storage: 'half-bits', make: (n) => new Uint16Array(n) },
};

const BY_ONNX = new Map<number, DType>(DTYPES.map((d) => [INFO[d].onnx, d]));

/** ONNX element types crossrt does not carry (yet); named so errors can say what was found. */
const ONNX_UNSUPPORTED_NAMES: Record<number, string> = {
  0: 'UNDEFINED',
  14: 'COMPLEX64',
  15: 'COMPLEX128',
  17: 'FLOAT8E4M3FN',
  18: 'FLOAT8E4M3FNUZ',
  19: 'FLOAT8E5M2',
  20: 'FLOAT8E5M2FNUZ',
  21: 'UINT4',
  22: 'INT4',
  23: 'FLOAT4E2M1',
  24: 'FLOAT8E8M0',
  25: 'UINT2',
  26: 'INT2',
};

export function isDType(s: string): s is DType {
  return (DTYPES as readonly string[]).includes(s);
}

export function dtypeFromOnnx(elemType: number): DType | undefined {
  return BY_ONNX.get(elemType);
}

export function onnxElemTypeName(elemType: number): string {
  return BY_ONNX.get(elemType) ?? ONNX_UNSUPPORTED_NAMES[elemType] ?? `elem_type ${elemType}`;
}

export function onnxElemType(dtype: DType): number {
  return INFO[dtype].onnx;
}

export function bytesPerElement(dtype: DType): number {
  return INFO[dtype].bytes;
}

export function dtypeStorage(dtype: DType): DTypeInfo['storage'] {
  return INFO[dtype].storage;
}

export function allocate<D extends DType>(dtype: D, n: number): TypedArrayFor<D> {
  return INFO[dtype].make(n) as TypedArrayFor<D>;
}

export function isFloatDType(dtype: DType): boolean {
  return dtype === 'float32' || dtype === 'float64' || dtype === 'float16' || dtype === 'bfloat16';
}
