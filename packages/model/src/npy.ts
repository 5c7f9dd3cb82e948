import {
  allocate,
  bytesPerElement,
  CrossrtError,
  elementCount,
  type DType,
  type HostTensor,
  type TensorData,
} from '@crossrt/core/base';

/**
 * NumPy `.npy` (format versions 1.0, 2.0, 3.0) ↔ HostTensor. Supported: bool, int8..int64,
 * uint8..uint64, float16/32/64 in either byte order, fixed-width unicode (`<U…`) as string tensors,
 * and Fortran order (transposed back to C order on read). Object arrays (pickles), structured dtypes,
 * complex numbers and bfloat16 (no NumPy dtype) are rejected with ARRAY_FILE_INVALID.
 */
const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

const DTYPE_BY_CODE: Record<string, DType> = {
  b1: 'bool',
  i1: 'int8',
  i2: 'int16',
  i4: 'int32',
  i8: 'int64',
  u1: 'uint8',
  u2: 'uint16',
  u4: 'uint32',
  u8: 'uint64',
  f2: 'float16',
  f4: 'float32',
  f8: 'float64',
};
const CODE_BY_DTYPE: Partial<Record<DType, string>> = Object.fromEntries(
  Object.entries(DTYPE_BY_CODE).map(([c, d]) => [d, c]),
);

const invalid = (
  label: string,
  why: string,
  hint = 'write the array with numpy.save (numeric, bool or unicode dtype; no objects)',
) => new CrossrtError('ARRAY_FILE_INVALID', `${label}: ${why}`, hint);

interface NpyHeader {
  readonly descr: string;
  readonly fortranOrder: boolean;
  readonly shape: number[];
}

/** Parse the header dict, a Python literal; only the three keys numpy writes are accepted. */
function parseHeader(text: string, label: string): NpyHeader {
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(text)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    if (/'descr'\s*:\s*\[/.test(text)) throw invalid(label, 'structured dtypes are not supported');
    throw invalid(label, `unreadable .npy header ${JSON.stringify(text.slice(0, 80))}`);
  }
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => {
      const n = Number(s.replace(/L$/, ''));
      if (!Number.isSafeInteger(n) || n < 0) throw invalid(label, `bad dimension "${s}" in shape`);
      return n;
    });
  return { descr, fortranOrder: fortran === 'True', shape };
}

export function decodeNpy(bytes: Uint8Array, label = 'array.npy'): HostTensor {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b))
    throw invalid(label, 'not a .npy file (magic \\x93NUMPY missing)');
  const major = bytes[6]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLen: number;
  let start: number;
  if (major === 1) [headerLen, start] = [view.getUint16(8, true), 10];
  else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw invalid(label, 'truncated header');
    [headerLen, start] = [view.getUint32(8, true), 12];
  } else throw invalid(label, `unsupported .npy format version ${major}.${bytes[7]}`);
  if (start + headerLen > bytes.length) throw invalid(label, 'truncated header');
  const header = parseHeader(
    new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, start + headerLen)),
    label,
  );
  const body = bytes.subarray(start + headerLen);
  const n = elementCount(header.shape);
  if (/^[<>|=]?O\d*$/.test(header.descr))
    throw invalid(
      label,
      'object arrays (pickled Python objects) are refused',
      'save a numeric or unicode array instead',
    );
  const m = /^([<>|=])([a-zA-Z])(\d+)$/.exec(header.descr);
  if (!m) throw invalid(label, `dtype "${header.descr}" is not supported`);
  const [, order, kind, widthText] = m as unknown as [string, string, string, string];
  const width = Number(widthText);
  let tensor: HostTensor;
  if (kind === 'U') {
    if (body.length < n * width * 4)
      throw invalid(
        label,
        `truncated data: ${n} strings of ${width} chars need ${n * width * 4} bytes, found ${body.length}`,
      );
    const big = order === '>';
    const data: string[] = [];
    for (let i = 0; i < n; i++) {
      let s = '';
      for (let c = 0; c < width; c++) {
        const cp = new DataView(body.buffer, body.byteOffset + (i * width + c) * 4, 4).getUint32(0, !big);
        if (cp === 0) break;
        s += String.fromCodePoint(cp);
      }
      data.push(s);
    }
    tensor = { dtype: 'string', dims: header.shape, data };
  } else {
    const dtype = DTYPE_BY_CODE[`${kind}${width}`];
    if (!dtype) throw invalid(label, `dtype "${header.descr}" is not supported`);
    const byteLen = n * width;
    if (body.length < byteLen)
      throw invalid(
        label,
        `truncated data: ${header.descr}[${header.shape.join(',')}] needs ${byteLen} bytes, found ${body.length}`,
      );
    const data = allocate(dtype, n) as Exclude<TensorData, string[]>;
    const dst = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    dst.set(body.subarray(0, byteLen));
    if (order === '>' && width > 1) swapBytes(dst, width);
    tensor = { dtype, dims: header.shape, data };
  }
  return header.fortranOrder ? fortranToC(tensor) : tensor;
}

function swapBytes(b: Uint8Array, width: number): void {
  for (let i = 0; i < b.length; i += width) b.subarray(i, i + width).reverse();
}

/** Column-major data → row-major: element at C index i sits at the Fortran index of the same coordinates. */
function fortranToC(t: HostTensor): HostTensor {
  const dims = t.dims;
  if (dims.length < 2) return t;
  const n = elementCount(dims);
  const src = t.data as ArrayLike<unknown>;
  const out = (t.dtype === 'string' ? new Array<string>(n) : allocate(t.dtype, n)) as unknown as {
    [i: number]: unknown;
  };
  const coord = new Array<number>(dims.length).fill(0);
  for (let i = 0; i < n; i++) {
    let f = 0;
    let stride = 1;
    for (let a = 0; a < dims.length; a++) {
      f += coord[a]! * stride;
      stride *= dims[a]!;
    }
    out[i] = src[f];
    for (let a = dims.length - 1; a >= 0; a--) {
      if (++coord[a]! < dims[a]!) break;
      coord[a] = 0;
    }
  }
  return { dtype: t.dtype, dims, data: out as unknown as TensorData };
}

/** HostTensor → .npy (version 1.0, little-endian, C order), as numpy.save writes it. */
export function encodeNpy(t: HostTensor, label = 'tensor'): Uint8Array {
  let descr: string;
  let body: Uint8Array;
  if (t.dtype === 'string') {
    const strs = t.data as string[];
    const width = Math.max(1, ...strs.map((s) => [...s].length));
    descr = `<U${width}`;
    body = new Uint8Array(strs.length * width * 4);
    const dv = new DataView(body.buffer);
    strs.forEach((s, i) => [...s].forEach((ch, c) => dv.setUint32((i * width + c) * 4, ch.codePointAt(0)!, true)));
  } else {
    const code = CODE_BY_DTYPE[t.dtype];
    if (!code)
      throw invalid(
        label,
        `${t.dtype} has no NumPy dtype`,
        'convert to float32 first, or save it as a TensorProto .pb',
      );
    descr = `${bytesPerElement(t.dtype) === 1 ? '|' : '<'}${code}`;
    const d = t.data as Exclude<TensorData, string[]>;
    body = new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
  }
  const shape = t.dims.length === 1 ? `(${t.dims[0]},)` : `(${t.dims.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  // numpy pads the header with spaces and a newline so the data starts on a 64-byte boundary.
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + body.length);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  out.set(body, 10 + header.length);
  return out;
}
