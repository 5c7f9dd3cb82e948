import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { TensorProtoSchema, type TensorProto } from 'onnx-buf';
import {
  allocate,
  bytesPerElement,
  CrossrtError,
  dtypeFromOnnx,
  dtypeStorage,
  elementCount,
  onnxElemType,
  onnxElemTypeName,
  type DType,
  type HostTensor,
  type TensorData,
} from '@crossrt/core/base';
import { isExternalTensor, readExternalBytes } from './external-data.js';

type NumericData = Exclude<TensorData, string[]>;

export interface TensorFromProtoOptions {
  /** Folder of the model the tensor belongs to; without it an external tensor is an error. */
  readonly modelDir?: string;
}

/**
 * TensorProto → HostTensor. Handles raw_data (little-endian) and every typed repeated field as the ONNX
 * spec lays them out: int32_data also carries int8/16, uint8/16, bool and fp16/bf16 bits; uint64_data
 * carries uint32/uint64; int64_data int64; float_data and double_data their own types.
 * External tensors are read from their (validated) file when `modelDir` is given.
 */
export function tensorFromProto(
  t: TensorProto,
  label = t.name || 'tensor',
  options: TensorFromProtoOptions = {},
): HostTensor {
  const dtype = dtypeFromOnnx(t.dataType);
  if (!dtype) {
    throw new CrossrtError(
      'TENSOR_INVALID',
      `${label}: element type ${onnxElemTypeName(t.dataType)} is not supported`,
      'crossrt carries float/int/uint/bool/string tensors',
    );
  }
  if (t.segment)
    throw new CrossrtError(
      'TENSOR_INVALID',
      `${label}: segmented tensors are not supported`,
      'write the tensor in one piece',
    );
  const dims = t.dims.map((d) => {
    const n = Number(d);
    if (!Number.isSafeInteger(n) || n < 0) throw new CrossrtError('TENSOR_INVALID', `${label}: invalid dim ${d}`);
    return n;
  });
  const n = elementCount(dims);
  if (!Number.isSafeInteger(n))
    throw new CrossrtError('TENSOR_INVALID', `${label}: dims [${dims.join(',')}] hold too many elements`);
  if (isExternalTensor(t)) {
    if (options.modelDir === undefined) {
      throw new CrossrtError(
        'TENSOR_INVALID',
        `${label}: stored as external data`,
        'load it through the model so its external file is resolved',
      );
    }
    return { dtype, dims, data: fromRawBytes(dtype, readExternalBytes(t, options.modelDir), n, label) };
  }
  if (dtype === 'string') {
    if (t.stringData.length !== n) throw sizeError(label, n, t.stringData.length);
    const dec = new TextDecoder();
    return { dtype, dims, data: t.stringData.map((b) => dec.decode(b)) };
  }
  if (t.rawData.length > 0) return { dtype, dims, data: fromRawBytes(dtype, t.rawData, n, label) };
  return { dtype, dims, data: fromTypedFields(dtype, t, n, label) };
}

function sizeError(label: string, expected: number, got: number): CrossrtError {
  return new CrossrtError(
    'TENSOR_INVALID',
    `${label}: dims need ${expected} elements but the data holds ${got}`,
    'the tensor file is corrupt or truncated',
  );
}

export function fromRawBytes(dtype: DType, raw: Uint8Array, n: number, label = 'tensor'): TensorData {
  const bpe = bytesPerElement(dtype);
  if (raw.length !== n * bpe) throw sizeError(label, n, Math.floor(raw.length / bpe));
  const out = allocate(dtype, n) as NumericData;
  // Copy into the new (aligned) buffer; the platform is little-endian like the wire format.
  new Uint8Array(out.buffer, out.byteOffset, out.byteLength).set(raw);
  return out;
}

/** Which repeated field of TensorProto holds a dtype's values when raw_data is not used. */
export type TypedField = 'floatData' | 'doubleData' | 'int32Data' | 'int64Data' | 'uint64Data' | 'stringData';

export function typedFieldFor(dtype: DType): TypedField {
  switch (dtype) {
    case 'float32':
      return 'floatData';
    case 'float64':
      return 'doubleData';
    case 'int64':
      return 'int64Data';
    case 'uint32':
    case 'uint64':
      return 'uint64Data';
    case 'string':
      return 'stringData';
    default:
      return 'int32Data';
  }
}

function fromTypedFields(dtype: DType, t: TensorProto, n: number, label: string): TensorData {
  const src: ArrayLike<number | bigint> = t[typedFieldFor(dtype) as Exclude<TypedField, 'stringData'>];
  if (src.length !== n) throw sizeError(label, n, src.length);
  const out = allocate(dtype, n) as NumericData;
  if (dtypeStorage(dtype) === 'bigint') {
    const o = out as BigInt64Array | BigUint64Array;
    for (let i = 0; i < n; i++) o[i] = BigInt(src[i]!);
  } else {
    // Typed-array assignment truncates to the element type, as the spec's int32_data packing intends.
    const o = out as Exclude<NumericData, BigInt64Array | BigUint64Array>;
    for (let i = 0; i < n; i++) o[i] = Number(src[i]!);
  }
  return out;
}

export interface TensorToProtoOptions {
  /** `raw` (default): little-endian raw_data; `typed`: the dtype's repeated field. Strings are always typed. */
  readonly layout?: 'raw' | 'typed';
}

/** HostTensor → TensorProto. */
export function tensorToProto(t: HostTensor, name = '', options: TensorToProtoOptions = {}): TensorProto {
  const p = create(TensorProtoSchema, { name, dataType: onnxElemType(t.dtype), dims: t.dims.map((d) => BigInt(d)) });
  if (t.dtype === 'string') {
    const enc = new TextEncoder();
    p.stringData = (t.data as string[]).map((s) => enc.encode(s));
    return p;
  }
  const d = t.data as NumericData;
  if (options.layout !== 'typed') {
    p.rawData = new Uint8Array(d.buffer.slice(d.byteOffset, d.byteOffset + d.byteLength)) as Uint8Array<ArrayBuffer>;
    return p;
  }
  switch (typedFieldFor(t.dtype)) {
    case 'floatData':
      p.floatData = Array.from(d as Float32Array);
      break;
    case 'doubleData':
      p.doubleData = Array.from(d as Float64Array);
      break;
    case 'int64Data':
      p.int64Data = Array.from(d as BigInt64Array);
      break;
    case 'uint64Data':
      p.uint64Data = Array.from(d as ArrayLike<number | bigint>, (x) => BigInt(x));
      break;
    default:
      p.int32Data = Array.from(d as Exclude<NumericData, BigInt64Array | BigUint64Array>, Number);
      break;
  }
  return p;
}

/** Decode a `.pb` holding one TensorProto; its `name` field (possibly empty) comes back with it. */
export function decodeTensorFile(bytes: Uint8Array, label: string): { name: string; tensor: HostTensor } {
  if (bytes.length === 0)
    throw new CrossrtError(
      'TENSOR_INVALID',
      `${label} is empty (0 bytes)`,
      'pass a .pb file holding one onnx.TensorProto',
    );
  let proto: TensorProto;
  try {
    proto = fromBinary(TensorProtoSchema, bytes, { readUnknownFields: false });
  } catch (e) {
    const msg = (e as Error).message;
    const truncated = /premature|EOF|out of range/i.test(msg);
    throw new CrossrtError(
      'TENSOR_INVALID',
      truncated
        ? `${label} is truncated: protobuf ended mid-message (${bytes.length} bytes)`
        : `${label} is not a TensorProto: ${msg}`,
      'pass a .pb file holding one onnx.TensorProto',
      { cause: e },
    );
  }
  if (proto.dataType === 0) {
    throw new CrossrtError(
      'TENSOR_INVALID',
      `${label} is not a TensorProto (no data_type in ${bytes.length} bytes)`,
      'pass a .pb file holding one onnx.TensorProto',
    );
  }
  return { name: proto.name, tensor: tensorFromProto(proto, label) };
}

export function encodeTensorFile(t: HostTensor, name = '', options: TensorToProtoOptions = {}): Uint8Array {
  return toBinary(TensorProtoSchema, tensorToProto(t, name, options));
}
