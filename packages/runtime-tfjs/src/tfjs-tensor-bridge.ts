import { CrossrtError, type HostTensor } from '@crossrt/core/base';

/** The dtypes a TF.js tensor can hold. */
export type TfjsDType = 'float32' | 'int32' | 'bool' | 'string';

/** A TF.js tensor's plain fields, built without importing tfjs so this stays a pure function. */
export interface TfjsTensorFields {
  readonly dtype: TfjsDType;
  readonly shape: readonly number[];
  readonly values: Float32Array | Int32Array | Uint8Array | string[];
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/**
 * HostTensor → TF.js. TF.js has no 64-bit or 16-bit tensors: TF graph models declare int64 inputs
 * (DT_INT64) but tfjs runs them as int32, so int64 is narrowed when every value fits, and refused
 * otherwise; float64 and float16 are refused (silent narrowing would hide exactly what crossrt looks for).
 */
export function toTfjsFields(name: string, t: HostTensor): TfjsTensorFields {
  switch (t.dtype) {
    case 'float32':
      return { dtype: 'float32', shape: t.dims, values: t.data as Float32Array };
    case 'int32':
      return { dtype: 'int32', shape: t.dims, values: t.data as Int32Array };
    case 'bool':
      return { dtype: 'bool', shape: t.dims, values: t.data as Uint8Array };
    case 'string':
      return { dtype: 'string', shape: t.dims, values: t.data as string[] };
    case 'int64': {
      const src = t.data as BigInt64Array;
      const out = new Int32Array(src.length);
      for (let i = 0; i < src.length; i++) {
        const v = Number(src[i]!);
        if (v < INT32_MIN || v > INT32_MAX) {
          throw new CrossrtError(
            'MODEL_UNSUPPORTED_IO',
            `input "${name}" is int64 with value ${src[i]} at index ${i}, outside TF.js's int32 range`,
            'TF.js runs int64 tensors as int32; feed values that fit',
          );
        }
        out[i] = v;
      }
      return { dtype: 'int32', shape: t.dims, values: out };
    }
    case 'uint8':
    case 'int8':
    case 'int16':
    case 'uint16': {
      return { dtype: 'int32', shape: t.dims, values: Int32Array.from(t.data as ArrayLike<number>) };
    }
    default:
      throw new CrossrtError(
        'MODEL_UNSUPPORTED_IO',
        `input "${name}" is ${t.dtype}, which TF.js cannot hold`,
        'TF.js tensors are float32, int32, bool or string',
      );
  }
}

/** TF.js → HostTensor; bool comes back from dataSync() as Uint8Array already. */
export function fromTfjsFields(name: string, f: TfjsTensorFields): HostTensor {
  switch (f.dtype) {
    case 'float32':
      return { dtype: 'float32', dims: [...f.shape], data: f.values as Float32Array };
    case 'int32':
      return { dtype: 'int32', dims: [...f.shape], data: f.values as Int32Array };
    case 'bool':
      return { dtype: 'bool', dims: [...f.shape], data: Uint8Array.from(f.values as ArrayLike<number>) };
    case 'string':
      return {
        dtype: 'string',
        dims: [...f.shape],
        data: (f.values as unknown[]).map((v) =>
          typeof v === 'string' ? v : new TextDecoder().decode(v as Uint8Array),
        ),
      };
    default:
      throw new CrossrtError(
        'MODEL_UNSUPPORTED_IO',
        `output "${name}" has TF.js dtype ${String(f.dtype)}, which crossrt cannot compare`,
      );
  }
}
