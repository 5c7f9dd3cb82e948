import { createHash } from 'node:crypto';
import { readFileSync, statSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { ModelProtoSchema, type ModelProto } from 'onnx-buf';
import { CrossrtError } from '@crossrt/core/base';
import {
  checkExternalTensor,
  checkModelExternalData,
  isExternalTensor,
  modelTensors,
  type ResolvedExternalData,
} from './external-data.js';
import { fileSha256, rememberFileSha256 } from './file-sha256.js';
import { readModelSkeleton, selfReferencedTensors } from './model-skeleton.js';

export type { ModelProto } from 'onnx-buf';

/** A decoded model plus the facts every report needs about the file it came from. */
export interface LoadedModel {
  readonly path: string;
  /** The file's size in bytes (the graph file only; external data files not counted). */
  readonly size: number;
  /** The file's bytes; absent when its weights were left on disk (`weights: 'reference'`). */
  readonly bytes?: Uint8Array;
  readonly sha256: string;
  readonly proto: ModelProto;
  /** The folder external data resolves against. */
  readonly dir: string;
  /** External tensors, each validated to lie inside `dir` and fit its file (empty when self-contained). */
  readonly externalData: readonly ResolvedExternalData[];
}

export interface ReadModelOptions {
  /**
   * `check` (default): validate every external data reference before anyone (a runtime) sees the model,
   * so an escaping or missing reference is a typed error here, not a read of an arbitrary file there.
   */
  readonly externalData?: 'check' | 'skip';
  /**
   * `read` (default): the whole file in memory. `reference`: files of at least REFERENCE_MIN_FILE_BYTES
   * are decoded without their large initializer payloads, which become external-data references into
   * the .onnx file itself (see readModelSkeleton), and the file is hashed streaming on a worker thread.
   * For runs whose hosts read the model themselves: this process then never holds the weights.
   */
  readonly weights?: 'read' | 'reference';
}

/** Below this, reading a model whole costs less than walking it (the ONNX node suite's models are a few KB). */
export const REFERENCE_MIN_FILE_BYTES = 8 * 1024 * 1024;

export async function readModelFile(path: string, options: ReadModelOptions = {}): Promise<LoadedModel> {
  let bytes: Uint8Array;
  let info: Stats;
  // Synchronous reads: one small model through fs/promises costs several thread-pool round trips,
  // which made reading the ONNX node suite ~15x slower than the decode itself.
  try {
    info = statSync(path);
    if (info.isDirectory()) {
      throw new CrossrtError(
        'FILE_UNREADABLE',
        `${path} is a directory, not an .onnx file`,
        'pass the model file, e.g. dir/model.onnx',
      );
    }
    if (options.weights === 'reference' && info.size >= REFERENCE_MIN_FILE_BYTES) {
      const referenced = await readModelReferencingWeights(path, info, options);
      if (referenced) return referenced;
    }
    bytes = new Uint8Array(readFileSync(path));
  } catch (e) {
    if (e instanceof CrossrtError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CrossrtError('FILE_NOT_FOUND', `model file not found: ${path}`, 'check the path');
    throw new CrossrtError('FILE_UNREADABLE', `cannot read ${path}: ${(e as Error).message}`);
  }
  const proto = decodeModel(bytes, path);
  const dir = dirname(resolve(path));
  const externalData = options.externalData === 'skip' ? [] : checkModelExternalData(proto, dir);
  const sha256 = sha256Hex(bytes);
  rememberFileSha256(path, info, sha256);
  return { path, size: bytes.length, bytes, sha256, proto, dir, externalData };
}

/** readModelFile's `weights: 'reference'` path; undefined when the walk cannot decode this file (read it whole). */
async function readModelReferencingWeights(
  path: string,
  info: Stats,
  options: ReadModelOptions,
): Promise<LoadedModel | undefined> {
  const sha256 = fileSha256(path, info);
  const proto = readModelSkeleton(path, info.size);
  if (!proto || !proto.graph || proto.irVersion === 0n) {
    sha256.catch(() => undefined);
    return undefined;
  }
  const dir = dirname(resolve(path));
  // The references into the file itself were made here and point inside it; the list names the files
  // besides the model that a runtime must be handed, each checked as readModelFile always does.
  const externalData: ResolvedExternalData[] = [];
  if (options.externalData !== 'skip') {
    for (const t of modelTensors(proto))
      if (isExternalTensor(t) && !selfReferencedTensors.has(t)) externalData.push(checkExternalTensor(t, dir));
  }
  return { path, size: info.size, sha256: await sha256, proto, dir, externalData };
}

/**
 * Decode ModelProto bytes. Protobuf accepts many byte strings as "valid" messages, so a decode that
 * succeeds is further required to carry a graph and an IR version before it counts as a model.
 */
export function decodeModel(bytes: Uint8Array, label = 'model'): ModelProto {
  if (bytes.length === 0) {
    throw new CrossrtError(
      'MODEL_EMPTY',
      `${label} is empty (0 bytes)`,
      'the file was probably not written completely; regenerate or re-download it',
    );
  }
  let proto: ModelProto;
  try {
    // Unknown fields are kept so a model from a newer ONNX re-encodes byte-for-byte what it held.
    proto = fromBinary(ModelProtoSchema, bytes, { readUnknownFields: true });
  } catch (e) {
    const msg = (e as Error).message;
    const truncated = /premature|EOF|out of range|index out of range/i.test(msg);
    throw new CrossrtError(
      truncated ? 'MODEL_TRUNCATED' : 'MODEL_INVALID',
      truncated
        ? `${label} is truncated: protobuf ended mid-message (${bytes.length} bytes)`
        : `${label} is not an ONNX model: ${msg}`,
      truncated ? 'the file is cut short; regenerate or re-download it' : 'pass an .onnx ModelProto file',
      { cause: e },
    );
  }
  if (!proto.graph || proto.irVersion === 0n) {
    throw new CrossrtError(
      'MODEL_INVALID',
      `${label} is not an ONNX model (no graph or IR version found in ${bytes.length} bytes)`,
      'pass an .onnx ModelProto file',
    );
  }
  return proto;
}

export function encodeModel(proto: ModelProto): Uint8Array {
  return toBinary(ModelProtoSchema, proto);
}

export function emptyModel(): ModelProto {
  return create(ModelProtoSchema);
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function opsetMap(proto: ModelProto): Record<string, number> {
  const out: Record<string, number> = {};
  for (const o of proto.opsetImport) out[o.domain === '' ? 'ai.onnx' : o.domain] = Number(o.version);
  return out;
}
