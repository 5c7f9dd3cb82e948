import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { CrossrtError, type DType } from '@crossrt/core/base';
import type { DeclaredDim, ModelSignature, ValueSignature } from './signature.js';

/**
 * TF.js `model.json` (graph models from tensorflowjs_converter, layers models from Keras or
 * tfjs-layers' save()). Only the fields crossrt reads are typed; the rest passes through to tfjs.
 */
export interface TfjsWeightSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: string;
  readonly quantization?: unknown;
}
export interface TfjsWeightsGroup {
  readonly paths: readonly string[];
  readonly weights: readonly TfjsWeightSpec[];
}
export interface TfjsModelJson {
  readonly format?: string;
  readonly generatedBy?: string;
  readonly convertedBy?: string | null;
  readonly modelTopology: Record<string, unknown>;
  readonly weightsManifest: readonly TfjsWeightsGroup[];
  readonly signature?: { inputs?: Record<string, TfjsSignatureEntry>; outputs?: Record<string, TfjsSignatureEntry> };
  readonly userDefinedMetadata?: unknown;
  readonly modelInitializer?: unknown;
}
interface TfjsSignatureEntry {
  name?: string;
  dtype?: string;
  tensorShape?: { dim?: { size?: string | number }[]; unknownRank?: boolean };
}

export type TfjsModelFormat = 'graph-model' | 'layers-model';

export interface TfjsModelSignature extends ModelSignature {
  readonly format: TfjsModelFormat;
}

/** Everything a runtime needs to build the model in memory, read from disk (never fetched). */
export interface TfjsModelArtifacts {
  readonly path: string;
  readonly json: TfjsModelJson;
  readonly format: TfjsModelFormat;
  readonly signature: TfjsModelSignature;
  readonly weightSpecs: readonly TfjsWeightSpec[];
  /** All shards concatenated in manifest order (how tfjs' own loaders hand them over). */
  readonly weightData: ArrayBuffer;
  /** sha256 over model.json and every shard, in manifest order. */
  readonly sha256: string;
  readonly bytes: number;
}

const TF_DTYPES: Record<string, DType> = {
  DT_FLOAT: 'float32',
  DT_INT32: 'int32',
  DT_BOOL: 'bool',
  DT_STRING: 'string',
  DT_INT64: 'int64',
  DT_HALF: 'float16',
  DT_DOUBLE: 'float64',
  DT_UINT8: 'uint8',
  DT_INT8: 'int8',
  DT_INT16: 'int16',
  float32: 'float32',
  int32: 'int32',
  bool: 'bool',
  string: 'string',
  complex64: 'float32',
};

export function isTfjsModelPath(path: string): boolean {
  return path.toLowerCase().endsWith('.json');
}

export async function readTfjsModelJson(path: string): Promise<TfjsModelJson> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT')
      throw new CrossrtError('FILE_NOT_FOUND', `TF.js model.json not found: ${path}`, 'check the path');
    if (code === 'EISDIR')
      throw new CrossrtError('FILE_UNREADABLE', `${path} is a directory`, 'pass the model.json file inside it');
    throw new CrossrtError('FILE_UNREADABLE', `cannot read ${path}: ${(e as Error).message}`);
  }
  return parseTfjsModelJson(text, path);
}

export function parseTfjsModelJson(text: string, path: string): TfjsModelJson {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new CrossrtError(
      'MODEL_INVALID',
      `${path} is not JSON: ${(e as Error).message.replace(/[^\x20-\x7e]/g, '?')}`,
      'a TF.js model is the model.json written by tensorflowjs_converter or model.save()',
    );
  }
  const o = json as Partial<TfjsModelJson> | null;
  if (typeof o !== 'object' || o === null || typeof o.modelTopology !== 'object' || o.modelTopology === null) {
    throw new CrossrtError(
      'MODEL_INVALID',
      `${path} has no modelTopology: not a TF.js model.json`,
      'weights-manifest-only files (…-weights_manifest.json) carry no graph',
    );
  }
  if (!Array.isArray(o.weightsManifest)) {
    throw new CrossrtError(
      'MODEL_INVALID',
      `${path} has no weightsManifest array`,
      'a TF.js model.json lists its weight shards in weightsManifest',
    );
  }
  return o as TfjsModelJson;
}

export function tfjsModelFormat(json: TfjsModelJson): TfjsModelFormat {
  if (json.format === 'graph-model' || json.format === 'layers-model') return json.format;
  // Older converters omit `format`: a GraphDef has `node`, a Keras topology has `class_name` or `model_config`.
  const t = json.modelTopology;
  if (Array.isArray(t['node'])) return 'graph-model';
  return 'layers-model';
}

function dtypeOf(tfName: string | undefined, where: string): DType {
  const d = tfName === undefined ? 'float32' : TF_DTYPES[tfName];
  if (!d) throw new CrossrtError('MODEL_UNSUPPORTED_IO', `${where} has dtype ${tfName}, which crossrt cannot carry`);
  return d;
}

/** -1 / null in TF shapes is an unknown dim; crossrt names it so --dim can bind it. */
function declaredDims(sizes: readonly (number | string | null | undefined)[], valueName: string): DeclaredDim[] {
  return sizes.map((s, axis) => {
    const n = s === null || s === undefined ? -1 : Number(s);
    return n >= 0 ? n : axis === 0 ? 'batch' : `${valueName}_dim${axis}`;
  });
}

function signatureEntries(entries: Record<string, TfjsSignatureEntry> | undefined): ValueSignature[] {
  return Object.entries(entries ?? {}).map(([key, e]) => {
    const dims = e.tensorShape?.unknownRank
      ? undefined
      : declaredDims(
          (e.tensorShape?.dim ?? []).map((d) => d.size ?? -1),
          key,
        );
    const dtype = dtypeOf(e.dtype, `signature value "${key}"`);
    return { name: key, kind: 'tensor', dtype, elemTypeName: e.dtype ?? 'DT_FLOAT', ...(dims ? { dims } : {}) };
  });
}

interface GraphNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, { type?: string; shape?: { dim?: { size?: string }[]; unknownRank?: boolean } }>;
}

/** Graph models without a signature: Placeholders are the inputs, nodes nobody consumes the outputs (as tfjs does). */
function graphSignatureFromNodes(nodes: readonly GraphNode[]): ModelSignature {
  const consumed = new Set(nodes.flatMap((n) => (n.input ?? []).map((i) => i.replace(/^\^/, '').split(':')[0]!)));
  const inputs = nodes
    .filter((n) => n.op === 'Placeholder')
    .map((n): ValueSignature => {
      const shape = n.attr?.['shape']?.shape;
      const dims =
        shape && !shape.unknownRank
          ? declaredDims(
              (shape.dim ?? []).map((d) => d.size ?? -1),
              n.name,
            )
          : undefined;
      const tfType = n.attr?.['dtype']?.type;
      return {
        name: n.name,
        kind: 'tensor',
        dtype: dtypeOf(tfType, `placeholder "${n.name}"`),
        elemTypeName: tfType ?? 'DT_FLOAT',
        ...(dims ? { dims } : {}),
      };
    });
  const outputs = nodes
    .filter((n) => !consumed.has(n.name) && n.op !== 'Const' && n.op !== 'NoOp' && n.op !== 'Placeholder')
    .map((n): ValueSignature => ({ name: n.name, kind: 'tensor' }));
  return { inputs, outputs };
}

interface KerasLayer {
  class_name: string;
  config: Record<string, unknown>;
  name?: string;
}

/**
 * Layers models: the inputs are the InputLayers (functional) or the first layer's batch_input_shape
 * (Sequential, where tfjs names the input `<first layer>_input`); outputs are the output layers.
 * Output shapes are not stored in model.json, so they stay unknown.
 */
function layersSignature(topology: Record<string, unknown>): ModelSignature {
  const top = (topology['model_config'] ?? topology) as { class_name?: string; config?: unknown };
  const cfg = top.config as
    | { layers?: KerasLayer[]; input_layers?: unknown[][]; output_layers?: unknown[][]; name?: string }
    | KerasLayer[]
    | undefined;
  const layers: KerasLayer[] = Array.isArray(cfg) ? cfg : (cfg?.layers ?? []);
  if (layers.length === 0)
    throw new CrossrtError('MODEL_INVALID', 'layers model.json has no layers in its modelTopology');
  const layerName = (l: KerasLayer) => String(l.config['name'] ?? l.name ?? '');
  const inputOf = (l: KerasLayer, name: string): ValueSignature => {
    const shape = (l.config['batch_input_shape'] ?? l.config['batchInputShape'] ?? l.config['batch_shape']) as
      (number | null)[] | undefined;
    const dtype = dtypeOf(l.config['dtype'] as string | undefined, `input layer "${name}"`);
    return { name, kind: 'tensor', dtype, elemTypeName: dtype, ...(shape ? { dims: declaredDims(shape, name) } : {}) };
  };
  if (top.class_name === 'Sequential' || Array.isArray(cfg)) {
    const first = layers[0]!;
    const input =
      first.class_name === 'InputLayer'
        ? inputOf(first, layerName(first))
        : inputOf(first, `${layerName(first)}_input`);
    return { inputs: [input], outputs: [{ name: layerName(layers[layers.length - 1]!), kind: 'tensor' }] };
  }
  const byName = new Map(layers.map((l) => [layerName(l), l]));
  const names = (refs: unknown[][] | undefined) => (refs ?? []).map((r) => String(r[0]));
  const inputs = names((cfg as { input_layers?: unknown[][] }).input_layers).map((n) => {
    const l = byName.get(n);
    if (!l)
      throw new CrossrtError(
        'MODEL_INVALID',
        `layers model.json names input layer "${n}", which is not among its layers`,
      );
    return inputOf(l, n);
  });
  const outputs = names((cfg as { output_layers?: unknown[][] }).output_layers).map((n): ValueSignature => ({
    name: n,
    kind: 'tensor',
  }));
  return { inputs, outputs };
}

export function tfjsModelSignature(json: TfjsModelJson): TfjsModelSignature {
  const format = tfjsModelFormat(json);
  if (format === 'graph-model') {
    if (json.signature?.inputs && Object.keys(json.signature.inputs).length > 0) {
      return {
        format,
        inputs: signatureEntries(json.signature.inputs),
        outputs: signatureEntries(json.signature.outputs),
      };
    }
    return { format, ...graphSignatureFromNodes((json.modelTopology['node'] ?? []) as GraphNode[]) };
  }
  return { format, ...layersSignature(json.modelTopology) };
}

/** Shard paths resolved against the model.json folder; a path leaving that folder is refused. */
export function tfjsShardPaths(json: TfjsModelJson, modelJsonPath: string): string[] {
  const dir = dirname(resolve(modelJsonPath));
  return json.weightsManifest.flatMap((g) =>
    g.paths.map((p) => {
      const full = resolve(dir, p);
      const rel = relative(dir, full);
      if (isAbsolute(p) || rel.startsWith('..') || isAbsolute(rel)) {
        throw new CrossrtError(
          'MODEL_INVALID',
          `weight shard "${p}" lies outside ${dir}`,
          'a model.json may only reference shards in its own folder',
        );
      }
      return full;
    }),
  );
}

export async function readTfjsModelArtifacts(modelJsonPath: string): Promise<TfjsModelArtifacts> {
  const path = resolve(modelJsonPath);
  const text = await readFile(path, 'utf8').catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT')
      throw new CrossrtError('FILE_NOT_FOUND', `TF.js model.json not found: ${path}`, 'check the path');
    throw new CrossrtError('FILE_UNREADABLE', `cannot read ${path}: ${e.message}`);
  });
  const json = parseTfjsModelJson(text, path);
  const hash = createHash('sha256').update(text);
  const shards: Uint8Array[] = [];
  for (const shard of tfjsShardPaths(json, path)) {
    const bytes = await readFile(shard).catch((e: NodeJS.ErrnoException) => {
      throw new CrossrtError(
        e.code === 'ENOENT' ? 'FILE_NOT_FOUND' : 'FILE_UNREADABLE',
        `weight shard ${shard} of ${path}: ${e.code === 'ENOENT' ? 'not found' : e.message}`,
        'keep every shard named in weightsManifest beside model.json',
      );
    });
    hash.update(bytes);
    shards.push(bytes);
  }
  const total = shards.reduce((s, b) => s + b.length, 0);
  const weightData = new Uint8Array(total);
  let at = 0;
  for (const b of shards) {
    weightData.set(b, at);
    at += b.length;
  }
  const weightSpecs = json.weightsManifest.flatMap((g) => g.weights);
  const expected = weightSpecs.reduce(
    (s, w) =>
      s +
      (w.quantization
        ? 0
        : w.shape.reduce((a, b) => a * b, 1) * (w.dtype === 'bool' ? 1 : w.dtype === 'complex64' ? 8 : 4)),
    0,
  );
  if (!weightSpecs.some((w) => w.quantization || w.dtype === 'string') && expected !== total) {
    throw new CrossrtError(
      'MODEL_TRUNCATED',
      `${path}: weight shards hold ${total} bytes, the manifest needs ${expected}`,
      'a shard is truncated or belongs to another model',
    );
  }
  return {
    path,
    json,
    format: tfjsModelFormat(json),
    signature: tfjsModelSignature(json),
    weightSpecs,
    weightData: weightData.buffer,
    sha256: hash.digest('hex'),
    bytes: text.length + total,
  };
}

/**
 * Layer-wise view of a layers model: the same model.json rewritten as a functional model whose outputs
 * are every layer's output, in order (weights unchanged: they are named by layer). For localizing
 * where a conversion diverges; the original outputs stay among them.
 */
export function exposeTfjsLayerOutputs(json: TfjsModelJson): { json: TfjsModelJson; layers: string[] } {
  if (tfjsModelFormat(json) !== 'layers-model') {
    throw new CrossrtError(
      'MODEL_UNSUPPORTED_IO',
      'layer-wise outputs are available for TF.js layers models only',
      'graph models: compare the final outputs',
    );
  }
  const wrapped = 'model_config' in json.modelTopology;
  const top = (wrapped ? json.modelTopology['model_config'] : json.modelTopology) as {
    class_name?: string;
    config?: unknown;
  };
  const cfg = top.config as { layers?: KerasLayer[]; name?: string } | KerasLayer[] | undefined;
  const layers: KerasLayer[] = Array.isArray(cfg) ? cfg : (cfg?.layers ?? []);
  const nameOf = (l: KerasLayer) => String(l.config['name'] ?? l.name ?? '');
  let config: Record<string, unknown>;
  let names: string[];
  if (top.class_name === 'Sequential' || Array.isArray(cfg)) {
    const first = layers[0];
    if (!first) throw new CrossrtError('MODEL_INVALID', 'layers model.json has no layers in its modelTopology');
    const hasInput = first.class_name === 'InputLayer';
    const inputName = hasInput ? nameOf(first) : `${nameOf(first)}_input`;
    const shape = first.config['batch_input_shape'] ?? first.config['batchInputShape'];
    const inputLayer = hasInput
      ? first
      : {
          class_name: 'InputLayer',
          config: {
            name: inputName,
            batch_input_shape: shape,
            dtype: first.config['dtype'] ?? 'float32',
            sparse: false,
          },
        };
    const body = hasInput ? layers.slice(1) : layers;
    const chained = body.map((l, i) => ({
      class_name: l.class_name,
      name: nameOf(l),
      config: Object.fromEntries(
        Object.entries(l.config).filter(([k]) => k !== 'batch_input_shape' && k !== 'batchInputShape'),
      ),
      inbound_nodes: [[[i === 0 ? inputName : nameOf(body[i - 1]!), 0, 0, {}]]],
    }));
    names = chained.map((l) => l.name);
    config = {
      name: Array.isArray(cfg) ? 'model' : (cfg?.name ?? 'model'),
      layers: [{ class_name: 'InputLayer', name: inputName, config: inputLayer.config, inbound_nodes: [] }, ...chained],
      input_layers: [[inputName, 0, 0]],
      output_layers: names.map((n) => [n, 0, 0]),
    };
  } else {
    const c = cfg as { layers: KerasLayer[]; input_layers?: unknown[][] };
    const inputs = new Set((c.input_layers ?? []).map((r) => String(r[0])));
    names = layers.map(nameOf).filter((n) => !inputs.has(n));
    config = { ...(cfg as object), output_layers: names.map((n) => [n, 0, 0]) };
  }
  const model = { class_name: 'Model', config };
  const topology = wrapped ? { ...json.modelTopology, model_config: model } : { ...json.modelTopology, ...model };
  return { json: { ...json, modelTopology: topology }, layers: names };
}
