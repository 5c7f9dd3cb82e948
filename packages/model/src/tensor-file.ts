import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { CrossrtError, numericView, type HostTensor } from '@crossrt/core/base';
import { decodeNpy } from './npy.js';
import { decodeNpz } from './npz.js';
import { decodeTensorFile } from './tensor-proto.js';

/**
 * Read tensors from a file by extension: `.pb` (one TensorProto, named by its name field or the file),
 * `.npy` (one array, named by the file), `.npz` (one array per member).
 */
export async function readTensorFile(path: string): Promise<Map<string, HostTensor>> {
  const ext = extname(path).toLowerCase();
  if (!['.pb', '.npy', '.npz'].includes(ext)) {
    throw new CrossrtError(
      'USAGE',
      `${path}: unknown tensor file type "${ext || '(none)'}"`,
      'tensor files are .pb (TensorProto), .npy or .npz',
    );
  }
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CrossrtError('FILE_NOT_FOUND', `tensor file not found: ${path}`, 'check the path');
    throw new CrossrtError('FILE_UNREADABLE', `cannot read ${path}: ${code ?? (e as Error).message}`);
  }
  const stem = basename(path, extname(path));
  if (ext === '.npz') return decodeNpz(bytes, path);
  if (ext === '.npy') return new Map([[stem, decodeNpy(bytes, path)]]);
  const { name, tensor } = decodeTensorFile(bytes, path);
  return new Map([[name || stem, tensor]]);
}

export interface TensorSummary {
  readonly name: string;
  readonly dtype: string;
  readonly dims: readonly number[];
  readonly elements: number;
  /** Finite min/max/mean for numeric tensors; counts of NaN and ±Inf for floats. */
  readonly min?: number | string;
  readonly max?: number | string;
  readonly mean?: number;
  readonly nonFinite?: number;
  /** The first few values, as text. */
  readonly head: readonly string[];
}

export function summarizeTensor(name: string, t: HostTensor, headCount = 6): TensorSummary {
  const v = numericView(t);
  const n = v.length;
  const head = Array.from({ length: Math.min(headCount, n) }, (_, i) => String(v[i]));
  const base = { name, dtype: t.dtype, dims: [...t.dims], elements: n, head };
  if (n === 0 || Array.isArray(v)) return base;
  if (v instanceof BigInt64Array || v instanceof BigUint64Array) {
    let lo = v[0]!;
    let hi = v[0]!;
    for (const x of v) {
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
    return { ...base, min: lo.toString(), max: hi.toString() };
  }
  let lo = Infinity;
  let hi = -Infinity;
  let sum = 0;
  let finite = 0;
  for (let i = 0; i < n; i++) {
    const x = v[i]!;
    if (!Number.isFinite(x)) continue;
    finite++;
    sum += x;
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  return { ...base, ...(finite > 0 ? { min: lo, max: hi, mean: sum / finite } : {}), nonFinite: n - finite };
}
