import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import {
  allocate,
  CrossrtError,
  elementCount,
  formatDims,
  isDType,
  type DType,
  type HostTensor,
  type TensorData,
} from '@crossrt/core';
import { decodeNpy, decodeNpz, decodeTensorFile, type ValueSignature } from '@crossrt/model';
import type { FileInput } from './generate.js';

/** One `--input` flag: `name=path` feeds one input; a bare path names its inputs itself (.npz keys, .pb name, JSON keys). */
export interface InputFileSpec {
  readonly name?: string;
  readonly path: string;
}

export function parseInputFileSpec(text: string): InputFileSpec {
  const eq = text.indexOf('=');
  // A Windows drive or a path with '=' later is still `name=path` only when the name looks like one.
  if (eq > 0 && !text.slice(0, eq).includes('/')) return { name: text.slice(0, eq), path: text.slice(eq + 1) };
  return { path: text };
}

/**
 * Read tensors for inputs from .npy, .npz, .pb (ONNX TensorProto) or .json files, and check each against
 * the model's declaration: the input exists, the dtype is the declared one, the rank and every fixed dim
 * agree. JSON: `{"<input>": {"dtype": "float32", "dims": [1, 2], "data": [..]}}` or `{"<input>": [[..]]}`
 * (nested lists; dtype from the model; "NaN", "Infinity", "-Infinity" allowed; int64 as numbers or strings).
 */
export async function loadInputFiles(
  specs: readonly InputFileSpec[],
  inputs: readonly ValueSignature[],
): Promise<Map<string, FileInput>> {
  const byName = new Map(inputs.map((i) => [i.name, i]));
  const out = new Map<string, FileInput>();
  for (const spec of specs) {
    const bytes = await readBytes(spec.path);
    const ext = extname(spec.path).toLowerCase();
    const label = basename(spec.path);
    let found: [string, HostTensor][];
    if (ext === '.npy') {
      found = [[spec.name ?? basename(spec.path, ext), decodeNpy(bytes, label)]];
    } else if (ext === '.npz') {
      const all = [...decodeNpz(bytes, label)];
      found = spec.name
        ? all.filter(([k]) => k === spec.name || all.length === 1).map(([, t]) => [spec.name!, t])
        : all;
      if (spec.name && found.length === 0)
        throw new CrossrtError(
          'USAGE',
          `${label} has no array "${spec.name}"`,
          `arrays in it: ${all.map(([k]) => k).join(', ')}`,
        );
    } else if (ext === '.pb') {
      const { name, tensor } = decodeTensorFile(bytes, label);
      const n = spec.name ?? (name || basename(spec.path, ext));
      found = [[n, tensor]];
    } else if (ext === '.json') {
      found = jsonTensors(bytes, label, byName, spec.name);
    } else {
      throw new CrossrtError(
        'USAGE',
        `--input ${spec.path}: unknown file type "${ext || '(none)'}"`,
        'use .npy, .npz, .pb (TensorProto) or .json',
      );
    }
    for (const [name, tensor] of found) {
      const declared = byName.get(name);
      if (!declared) {
        throw new CrossrtError(
          'USAGE',
          `${label} holds a tensor for "${name}", which is not a model input`,
          `model inputs: ${[...byName.keys()].join(', ') || '(none)'}; name it with --input <input>=${spec.path}`,
        );
      }
      checkAgainstDeclaration(tensor, declared, label);
      out.set(name, { tensor, source: `file:${label}${ext === '.npz' || ext === '.json' ? `[${name}]` : ''}` });
    }
  }
  return out;
}

async function readBytes(path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT')
      throw new CrossrtError('FILE_NOT_FOUND', `input file not found: ${path}`, 'check the path given to --input');
    throw new CrossrtError('FILE_UNREADABLE', `cannot read input file ${path}: ${(e as Error).message}`);
  }
}

function checkAgainstDeclaration(t: HostTensor, d: ValueSignature, label: string): void {
  if (d.dtype && t.dtype !== d.dtype) {
    throw new CrossrtError(
      'TENSOR_INVALID',
      `${label}: "${d.name}" is ${t.dtype}, the model declares ${d.dtype}`,
      `convert the array to ${d.dtype} before saving it`,
    );
  }
  if (d.dims) {
    const fixedMismatch = d.dims.findIndex((dim, axis) => typeof dim === 'number' && dim !== t.dims[axis]);
    if (d.dims.length !== t.dims.length || fixedMismatch >= 0) {
      throw new CrossrtError(
        'SHAPE_INVALID',
        `${label}: "${d.name}" has dims ${formatDims(t.dims)}, the model declares ${formatDims(d.dims.map((x) => x ?? '?'))}`,
        'fixed dims must match and the rank must agree',
      );
    }
  }
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function jsonTensors(
  bytes: Uint8Array,
  label: string,
  inputs: ReadonlyMap<string, ValueSignature>,
  only: string | undefined,
): [string, HostTensor][] {
  let doc: Json;
  try {
    doc = JSON.parse(new TextDecoder().decode(bytes)) as Json;
  } catch (e) {
    throw new CrossrtError('ARRAY_FILE_INVALID', `${label}: not valid JSON (${(e as Error).message})`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new CrossrtError('ARRAY_FILE_INVALID', `${label}: expected an object {"<input>": tensor, ...}`);
  }
  const entries = Object.entries(doc).filter(([k]) => !only || k === only);
  if (only && entries.length === 0)
    throw new CrossrtError('USAGE', `${label} has no entry "${only}"`, `entries: ${Object.keys(doc).join(', ')}`);
  return entries.map(([name, value]) => [name, jsonTensor(value, inputs.get(name)?.dtype, `${label}[${name}]`)]);
}

function jsonTensor(value: Json, declared: DType | undefined, label: string): HostTensor {
  let dtype: DType | undefined = declared;
  let dims: number[] | undefined;
  let flat: Json[];
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const d = value['dtype'];
    if (typeof d === 'string') {
      if (!isDType(d)) throw new CrossrtError('ARRAY_FILE_INVALID', `${label}: unknown dtype "${d}"`);
      dtype = d;
    }
    const dd = value['dims'];
    if (Array.isArray(dd)) dims = dd.map((x) => Number(x));
    const data = value['data'];
    flat = Array.isArray(data) ? (data.flat(Infinity as 1) as Json[]) : [data ?? null];
    if (!dims) dims = Array.isArray(data) ? nestedDims(data) : [];
  } else {
    dims = Array.isArray(value) ? nestedDims(value) : [];
    flat = Array.isArray(value) ? (value.flat(Infinity as 1) as Json[]) : [value];
  }
  if (!dtype)
    throw new CrossrtError('ARRAY_FILE_INVALID', `${label}: no dtype given and the model does not declare one`);
  if (dims.some((x) => !Number.isSafeInteger(x) || x < 0))
    throw new CrossrtError('ARRAY_FILE_INVALID', `${label}: dims must be non-negative integers`);
  const n = elementCount(dims);
  if (flat.length !== n)
    throw new CrossrtError(
      'ARRAY_FILE_INVALID',
      `${label}: dims ${formatDims(dims)} need ${n} values, found ${flat.length}`,
      'nested lists must be rectangular',
    );
  return { dtype, dims, data: jsonData(dtype, flat, label) };
}

function nestedDims(v: Json[]): number[] {
  const dims = [v.length];
  let cur: Json = v[0] ?? null;
  while (Array.isArray(cur)) {
    dims.push(cur.length);
    cur = cur[0] ?? null;
  }
  return dims;
}

function jsonNumber(x: Json, label: string): number {
  if (typeof x === 'number') return x;
  if (typeof x === 'boolean') return x ? 1 : 0;
  if (x === 'NaN') return NaN;
  if (x === 'Infinity' || x === 'inf') return Infinity;
  if (x === '-Infinity' || x === '-inf') return -Infinity;
  if (typeof x === 'string' && x.trim() !== '' && Number.isFinite(Number(x))) return Number(x);
  throw new CrossrtError('ARRAY_FILE_INVALID', `${label}: ${JSON.stringify(x)} is not a number`);
}

function jsonData(dtype: DType, flat: Json[], label: string): TensorData {
  if (dtype === 'string') return flat.map((x) => String(x));
  if (dtype === 'float16' || dtype === 'bfloat16') {
    throw new CrossrtError(
      'ARRAY_FILE_INVALID',
      `${label}: ${dtype} from JSON is not supported`,
      'save float16 arrays as .npy (or .pb) instead',
    );
  }
  const out = allocate(dtype, flat.length);
  if (out instanceof BigInt64Array || out instanceof BigUint64Array) {
    flat.forEach((x, i) => {
      try {
        out[i] = BigInt(typeof x === 'string' ? x : jsonNumber(x, label));
      } catch {
        throw new CrossrtError('ARRAY_FILE_INVALID', `${label}: ${JSON.stringify(x)} is not an integer`);
      }
    });
  } else {
    const o = out as Exclude<TensorData, string[] | BigInt64Array | BigUint64Array>;
    flat.forEach((x, i) => {
      o[i] = jsonNumber(x, label);
    });
  }
  return out;
}
