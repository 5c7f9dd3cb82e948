import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync, realpathSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, posix, relative, sep, win32 } from 'node:path';
import { clone, create, toBinary } from '@bufbuild/protobuf';
import {
  ModelProtoSchema,
  StringStringEntryProtoSchema,
  type GraphProto,
  type ModelProto,
  type TensorProto,
} from 'onnx-buf';
import { bytesPerElement, CrossrtError, dtypeFromOnnx, elementCount, onnxElemTypeName } from '@crossrt/core/base';

/** TensorProto.DataLocation.EXTERNAL */
export const EXTERNAL_LOCATION = 1;

/** One tensor's bytes living outside the .onnx, as the model declares them (ONNX external_data keys). */
export interface ExternalDataRef {
  readonly tensor: string;
  /** `location` exactly as written in the model. */
  readonly location: string;
  readonly offset: number;
  /** Declared `length`, or the tensor's byte size when the key is absent. */
  readonly length: number;
}

/** A validated reference: the real file it resolves to inside the model's folder. */
export interface ResolvedExternalData extends ExternalDataRef {
  readonly file: string;
}

/**
 * Make `t` say its bytes are `length` bytes at `offset` in `location` (relative to the model's folder),
 * with no inline bytes left: the one way crossrt writes an ONNX external-data reference.
 */
export function pointToExternalData(t: TensorProto, location: string, offset: number, length: number): void {
  t.rawData = new Uint8Array(0);
  t.dataLocation = EXTERNAL_LOCATION;
  t.externalData = [
    create(StringStringEntryProtoSchema, { key: 'location', value: location }),
    create(StringStringEntryProtoSchema, { key: 'offset', value: String(offset) }),
    create(StringStringEntryProtoSchema, { key: 'length', value: String(length) }),
  ];
}

export function isExternalTensor(t: TensorProto): boolean {
  return t.dataLocation === EXTERNAL_LOCATION;
}

/** Every TensorProto a model holds: initializers, Constant/attribute tensors, sparse parts, subgraphs, functions. */
export function* modelTensors(proto: ModelProto): Generator<TensorProto> {
  if (proto.graph) yield* graphTensors(proto.graph);
  for (const f of proto.functions) {
    for (const n of f.node) yield* nodeAttributeTensors(n.attribute);
  }
}

function* graphTensors(g: GraphProto): Generator<TensorProto> {
  yield* g.initializer;
  for (const s of g.sparseInitializer) {
    if (s.values) yield s.values;
    if (s.indices) yield s.indices;
  }
  for (const n of g.node) yield* nodeAttributeTensors(n.attribute);
}

function* nodeAttributeTensors(attrs: GraphProto['node'][number]['attribute']): Generator<TensorProto> {
  for (const a of attrs) {
    if (a.t) yield a.t;
    yield* a.tensors;
    if (a.g) yield* graphTensors(a.g);
    for (const g of a.graphs) yield* graphTensors(g);
    if (a.sparseTensor?.values) yield a.sparseTensor.values;
    if (a.sparseTensor?.indices) yield a.sparseTensor.indices;
  }
}

/** Bytes the tensor's dims and type call for (0 for strings, which cannot be external). */
export function declaredTensorBytes(t: TensorProto): number {
  const dtype = dtypeFromOnnx(t.dataType);
  if (!dtype || dtype === 'string') return 0;
  return elementCount(t.dims.map(Number)) * bytesPerElement(dtype);
}

/** The external_data key/value entries of one tensor, checked for shape (not yet for the file). */
export function externalDataRef(t: TensorProto): ExternalDataRef {
  const label = t.name || '(unnamed tensor)';
  const keys = new Map(t.externalData.map((e) => [e.key, e.value]));
  const location = keys.get('location');
  if (location === undefined || location === '') {
    throw new CrossrtError(
      'EXTERNAL_DATA_INVALID',
      `tensor "${label}" is marked external but names no location`,
      'the model is corrupt; re-export it with its external data',
    );
  }
  const number = (key: string): number | undefined => {
    const v = keys.get(key);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!/^\d+$/.test(v) || !Number.isSafeInteger(n)) {
      throw new CrossrtError(
        'EXTERNAL_DATA_INVALID',
        `tensor "${label}": external_data ${key} "${v}" is not a byte count`,
        'offset and length must be non-negative integers',
      );
    }
    return n;
  };
  const dtype = dtypeFromOnnx(t.dataType);
  if (dtype === 'string') {
    throw new CrossrtError(
      'EXTERNAL_DATA_INVALID',
      `tensor "${label}" is a string tensor stored externally, which ONNX does not allow`,
      'store string tensors inside the model',
    );
  }
  const need = declaredTensorBytes(t);
  const length = number('length') ?? need;
  if (dtype && length !== need) {
    throw new CrossrtError(
      'EXTERNAL_DATA_INVALID',
      `tensor "${label}": external length ${length} bytes but ${onnxElemTypeName(t.dataType)}[${t.dims.join(',')}] needs ${need}`,
      'the model and its data file disagree; re-export them together',
    );
  }
  return { tensor: label, location, offset: number('offset') ?? 0, length };
}

/**
 * Resolve an external data location inside `modelDir`, refusing anything that could read outside it:
 * absolute paths (POSIX or Windows), any `..` component, and symlinks whose target leaves the folder.
 * This is the CVE-2022-25882 / CVE-2024-27318 class: a model file must never make a tool read
 * arbitrary files of the machine it is inspected on.
 */
export function resolveExternalLocation(modelDir: string, location: string, tensor = '(tensor)'): string {
  const escapes = (why: string) =>
    new CrossrtError(
      'EXTERNAL_DATA_ESCAPES',
      `tensor "${tensor}": external data location "${location}" ${why}`,
      "external data must be a file inside the model's folder; a model that points elsewhere may be malicious",
    );
  if (location.includes('\0')) throw escapes('contains a NUL byte');
  if (isAbsolute(location) || posix.isAbsolute(location) || win32.isAbsolute(location) || /^[a-zA-Z]:/.test(location))
    throw escapes('is an absolute path');
  if (location.split(/[\\/]+/).some((part) => part === '..')) throw escapes('climbs out with ".."');
  const joined = join(modelDir, location);
  let real: string;
  try {
    real = realpathSync(joined);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new CrossrtError(
        'EXTERNAL_DATA_MISSING',
        `tensor "${tensor}": external data file "${location}" not found next to the model`,
        `copy the data file into ${modelDir}`,
      );
    }
    throw new CrossrtError(
      'EXTERNAL_DATA_MISSING',
      `tensor "${tensor}": cannot resolve external data file "${location}": ${code ?? (e as Error).message}`,
    );
  }
  const realDir = realpathSync(modelDir);
  const rel = relative(realDir, real);
  if (rel === '' || rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel))
    throw escapes(`resolves to ${real}, outside the model's folder (symlink)`);
  if (!statSync(real).isFile()) {
    throw new CrossrtError(
      'EXTERNAL_DATA_INVALID',
      `tensor "${tensor}": external data "${location}" is not a regular file`,
    );
  }
  return real;
}

/** Validate one external tensor completely: safe location, file present and long enough. */
export function checkExternalTensor(t: TensorProto, modelDir: string): ResolvedExternalData {
  const ref = externalDataRef(t);
  const file = resolveExternalLocation(modelDir, ref.location, ref.tensor);
  const size = statSync(file).size;
  if (ref.offset + ref.length > size) {
    throw new CrossrtError(
      'EXTERNAL_DATA_SHORT',
      `tensor "${ref.tensor}": needs bytes ${ref.offset}..${ref.offset + ref.length} of "${ref.location}", which holds ${size}`,
      'the data file is truncated or belongs to another export',
    );
  }
  return { ...ref, file };
}

/**
 * Check every external tensor of a model before any runtime sees it; returns the references
 * (empty for self-contained models).
 */
export function checkModelExternalData(proto: ModelProto, modelDir: string): ResolvedExternalData[] {
  const out: ResolvedExternalData[] = [];
  for (const t of modelTensors(proto)) if (isExternalTensor(t)) out.push(checkExternalTensor(t, modelDir));
  return out;
}

/** Read an external tensor's bytes (validated first); positioned reads, so a multi-GB file is never loaded whole. */
export function readExternalBytes(t: TensorProto, modelDir: string): Uint8Array {
  const ref = checkExternalTensor(t, modelDir);
  const out = new Uint8Array(ref.length);
  const fd = openSync(ref.file, 'r');
  try {
    // The file could have shrunk between the check and the read; recheck on the open descriptor.
    if (fstatSync(fd).size < ref.offset + ref.length)
      throw new CrossrtError('EXTERNAL_DATA_SHORT', `tensor "${ref.tensor}": "${ref.location}" shrank while reading`);
    let done = 0;
    while (done < ref.length) {
      const n = readSync(fd, out, done, ref.length - done, ref.offset + done);
      if (n === 0)
        throw new CrossrtError(
          'EXTERNAL_DATA_SHORT',
          `tensor "${ref.tensor}": "${ref.location}" ended after ${done} of ${ref.length} bytes`,
        );
      done += n;
    }
  } finally {
    closeSync(fd);
  }
  // The optional `checksum` key is the SHA-1 of the tensor's bytes (onnx external_data_helper).
  const checksum = t.externalData.find((e) => e.key === 'checksum')?.value;
  if (checksum && createHash('sha1').update(out).digest('hex') !== checksum.toLowerCase()) {
    throw new CrossrtError(
      'EXTERNAL_DATA_INVALID',
      `tensor "${ref.tensor}": bytes ${ref.offset}..${ref.offset + ref.length} of "${ref.location}" do not match the model's checksum`,
      'the data file belongs to another export or was modified',
    );
  }
  return out;
}

/**
 * A copy of the model with every external tensor read into raw_data, for writing it somewhere its data
 * files do not follow (surgery results, re-encoded models). Only sensible for models that fit in memory.
 */
export function inlineExternalData(proto: ModelProto, modelDir: string): ModelProto {
  const copy = clone(ModelProtoSchema, proto);
  for (const t of modelTensors(copy)) {
    if (!isExternalTensor(t)) continue;
    t.rawData = readExternalBytes(t, modelDir) as Uint8Array<ArrayBuffer>;
    t.externalData = [];
    t.dataLocation = 0;
  }
  return copy;
}

/**
 * The distinct data files of a checked model, as onnxruntime-web's `externalData` session option wants
 * them (`path` exactly as the model writes the location, `file` the validated absolute path to read).
 * onnxruntime-node needs none of this: given the model path it maps the files itself, once.
 */
export function externalDataFiles(refs: readonly ResolvedExternalData[]): { path: string; file: string }[] {
  const byLocation = new Map<string, string>();
  for (const r of refs) byLocation.set(r.location, r.file);
  return [...byLocation].map(([path, file]) => ({ path, file }));
}

/** protobuf's hard limit on one message: larger models must keep their weights outside the .onnx. */
export const PROTOBUF_LIMIT_BYTES = 2 ** 31 - 1;

/**
 * Write `proto` to `outPath` so it loads from there: self-contained when it fits comfortably under
 * protobuf's 2 GiB limit, else every tensor of at least `minBytes` (already external or inline) goes
 * to `<outPath>.data` beside it, 64-byte aligned, one tensor in memory at a time. Returns the data
 * file, if any. `modelDir` is where the model's current external locations resolve.
 */
export function writeModelFile(
  proto: ModelProto,
  modelDir: string,
  outPath: string,
  options: { minBytes?: number; inlineLimit?: number } = {},
): { dataFile?: string } {
  const minBytes = options.minBytes ?? 1024;
  let inlineBytes = 0;
  for (const t of modelTensors(proto)) inlineBytes += isExternalTensor(t) ? declaredTensorBytes(t) : t.rawData.length;
  if (inlineBytes < (options.inlineLimit ?? PROTOBUF_LIMIT_BYTES - 64 * 1024 ** 2)) {
    const bytes = toBinary(ModelProtoSchema, inlineExternalData(proto, modelDir));
    writeFileSync(outPath, bytes);
    return {};
  }
  const copy = clone(ModelProtoSchema, proto);
  const location = `${basename(outPath)}.data`;
  const dataFile = join(dirname(outPath), location);
  const fd = openSync(dataFile, 'w');
  let offset = 0;
  try {
    for (const t of modelTensors(copy)) {
      const external = isExternalTensor(t);
      if (!external && t.rawData.length < minBytes) continue;
      const bytes = external ? readExternalBytes(t, modelDir) : t.rawData;
      const pad = (64 - (offset % 64)) % 64;
      offset += pad;
      let done = 0;
      while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done, offset + done);
      pointToExternalData(t, location, offset, bytes.length);
      offset += bytes.length;
    }
  } finally {
    closeSync(fd);
  }
  writeFileSync(outPath, toBinary(ModelProtoSchema, copy));
  return { dataFile };
}
