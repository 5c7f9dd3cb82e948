import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { TensorProtoSchema, type TensorProto } from 'onnx-buf';
import {
  allocate, bytesPerElement, CrossrtError, dtypeFromOnnx, dtypeStorage, elementCount, onnxElemType,
  onnxElemTypeName, type DType, type HostTensor, type TensorData,
} from '@crossrt/core';

const EXTERNAL = 1; // TensorProto.DataLocation.EXTERNAL

/**
 * TensorProto → HostTensor. Handles raw_data (little-endian) and every typed repeated field as the ONNX
 * spec lays them out (int32_data also carries int8/16, uint8/16, bool and fp16/bf16 bits;
 * uint64_data carries uint32/uint64).
 */
export function tensorFromProto(t: TensorProto, label = t.name || 'tensor'): HostTensor {
  const dtype = dtypeFromOnnx(t.dataType);
  if (!dtype) {
    throw new CrossrtError('TENSOR_INVALID', `${label}: element type ${onnxElemTypeName(t.dataType)} is not supported`, 'crossrt carries float/int/uint/bool/string tensors');
  }
  if (t.dataLocation === EXTERNAL) {
    throw new CrossrtError('TENSOR_INVALID', `${label}: stored as external data`, 'load it through the model so its external file is resolved');
  }
  const dims = t.dims.map((d) => {
    const n = Number(d);
    if (!Number.isSafeInteger(n) || n < 0) throw new CrossrtError('TENSOR_INVALID', `${label}: invalid dim ${d}`);
    return n;
  });
  const n = elementCount(dims);
  if (dtype === 'string') {
    if (t.stringData.length !== n) throw sizeError(label, n, t.stringData.length);
    const dec = new TextDecoder();
    return { dtype, dims, data: t.stringData.map((b) => dec.decode(b)) };
  }
  if (t.rawData.length > 0) return { dtype, dims, data: fromRawBytes(dtype, t.rawData, n, label) };
  return { dtype, dims, data: fromTypedFields(dtype, t, n, label) };
}

function sizeError(label: string, expected: number, got: number): CrossrtError {
  return new CrossrtError('TENSOR_INVALID', `${label}: dims need ${expected} elements but the data holds ${got}`, 'the tensor file is corrupt or truncated');
}

export function fromRawBytes(dtype: DType, raw: Uint8Array, n: number, label = 'tensor'): TensorData {
  const bpe = bytesPerElement(dtype);
  if (raw.length !== n * bpe) throw sizeError(label, n, Math.floor(raw.length / bpe));
  const out = allocate(dtype, n) as Exclude<TensorData, string[]>;
  // Copy into the new (aligned) buffer; the platform is little-endian like the wire format.
  new Uint8Array(out.buffer, out.byteOffset, out.byteLength).set(raw);
  return out;
}

function fromTypedFields(dtype: DType, t: TensorProto, n: number, label: string): TensorData {
  const pick = (): ArrayLike<number | bigint> => {
    switch (dtype) {
      case 'float32': return t.floatData;
      case 'float64': return t.doubleData;
      case 'int64': return t.int64Data;
      case 'uint32': case 'uint64': return t.uint64Data;
      default: return t.int32Data;
    }
  };
  const src = pick();
  if (src.length !== n) throw sizeError(label, n, src.length);
  const out = allocate(dtype, n) as Exclude<TensorData, string[]>;
  const storage = dtypeStorage(dtype);
  if (storage === 'bigint') {
    const o = out as BigInt64Array | BigUint64Array;
    for (let i = 0; i < n; i++) o[i] = BigInt(src[i]!);
  } else {
    const o = out as Exclude<TensorData, string[] | BigInt64Array | BigUint64Array>;
    for (let i = 0; i < n; i++) o[i] = Number(src[i]!);
  }
  return out;
}

/** HostTensor → TensorProto with raw_data (strings use string_data). */
export function tensorToProto(t: HostTensor, name = ''): TensorProto {
  const p = create(TensorProtoSchema, { name, dataType: onnxElemType(t.dtype), dims: t.dims.map((d) => BigInt(d)) });
  if (t.dtype === 'string') {
    const enc = new TextEncoder();
    p.stringData = (t.data as string[]).map((s) => enc.encode(s));
  } else {
    const d = t.data as Exclude<TensorData, string[]>;
    p.rawData = new Uint8Array(d.buffer.slice(d.byteOffset, d.byteOffset + d.byteLength)) as Uint8Array<ArrayBuffer>;
  }
  return p;
}

/** Decode a `.pb` holding one TensorProto; its `name` field (possibly empty) comes back with it. */
export function decodeTensorFile(bytes: Uint8Array, label: string): { name: string; tensor: HostTensor } {
  let proto: TensorProto;
  try {
    proto = fromBinary(TensorProtoSchema, bytes, { readUnknownFields: false });
  } catch (e) {
    throw new CrossrtError('TENSOR_INVALID', `${label} is not a TensorProto: ${(e as Error).message}`, 'pass a .pb file holding one onnx.TensorProto', { cause: e });
  }
  return { name: proto.name, tensor: tensorFromProto(proto, label) };
}

export function encodeTensorFile(t: HostTensor, name = ''): Uint8Array {
  return toBinary(TensorProtoSchema, tensorToProto(t, name));
}
