import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { ModelProtoSchema, type ModelProto } from 'onnx-buf';
import { CrossrtError } from '@crossrt/core/base';
import { checkModelExternalData, type ResolvedExternalData } from './external-data.js';

export type { ModelProto } from 'onnx-buf';

/** A decoded model plus the facts every report needs about the file it came from. */
export interface LoadedModel {
  readonly path: string;
  readonly bytes: Uint8Array;
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
}

export async function readModelFile(path: string, options: ReadModelOptions = {}): Promise<LoadedModel> {
  let bytes: Uint8Array;
  // Synchronous reads: one small model through fs/promises costs several thread-pool round trips,
  // which made reading the ONNX node suite ~15x slower than the decode itself.
  try {
    const info = statSync(path);
    if (info.isDirectory()) {
      throw new CrossrtError('FILE_UNREADABLE', `${path} is a directory, not an .onnx file`, 'pass the model file, e.g. dir/model.onnx');
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
  return { path, bytes, sha256: sha256Hex(bytes), proto, dir, externalData };
}

/**
 * Decode ModelProto bytes. Protobuf accepts many byte strings as "valid" messages, so a decode that
 * succeeds is further required to carry a graph and an IR version before it counts as a model.
 */
export function decodeModel(bytes: Uint8Array, label = 'model'): ModelProto {
  if (bytes.length === 0) {
    throw new CrossrtError('MODEL_EMPTY', `${label} is empty (0 bytes)`, 'the file was probably not written completely; regenerate or re-download it');
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
      truncated ? `${label} is truncated: protobuf ended mid-message (${bytes.length} bytes)` : `${label} is not an ONNX model: ${msg}`,
      truncated ? 'the file is cut short; regenerate or re-download it' : 'pass an .onnx ModelProto file',
      { cause: e },
    );
  }
  if (!proto.graph || proto.irVersion === 0n) {
    throw new CrossrtError('MODEL_INVALID', `${label} is not an ONNX model (no graph or IR version found in ${bytes.length} bytes)`, 'pass an .onnx ModelProto file');
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
