import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { CrossrtError, type Comparison, type HostTensor, type Tolerance } from '@crossrt/core';
import { compareOutput, DEFAULT_TOLERANCE } from '@crossrt/compare';
import { generateInputs } from '@crossrt/inputs';
import {
  encodeModel,
  exposeTensors,
  exposeTfjsLayerOutputs,
  modelSignature,
  readModelFile,
  readTfjsModelJson,
  tfjsModelSignature,
  tfjsShardPaths,
  type ModelProto,
} from '@crossrt/model';
import type { TargetDescriptor } from '@crossrt/runtime';
import { invertPerm, transposeTensor } from './layout-permutation.js';
import { layoutByRank, resolveTensorMappings, type TensorMapping } from './tensor-mapping.js';
import { targetFormat, type FormatPair } from './pair-config.js';
import { shapesFromTfjs } from './pair-shapes.js';
import { executeOnTarget } from '../execution/execute-on-target.js';
import { TargetPool } from '../execution/target-pool.js';

/** One TF.js layer output against the ONNX tensor found for it. */
export interface LayerComparison {
  readonly layer: string;
  /** The ONNX tensor paired with the layer (undefined when no node carries the layer's name). */
  readonly onnxTensor?: string;
  readonly mapping?: TensorMapping;
  readonly comparison?: Comparison;
  /** Why the layer was not compared, when it was not. */
  readonly skipped?: string;
}

export interface PairLocalization {
  readonly pair: string;
  readonly layers: readonly LayerComparison[];
  /** The first compared layer whose verdict is not `pass`: where the conversion went wrong. */
  readonly firstDivergence?: string;
}

/**
 * The ONNX tensor standing for a TF.js layer: the output of the last node (graph order) whose name is
 * the layer name, starts with `<layer>_` (an activation split off the layer), or has the layer name as a
 * path segment (`model/conv_a/BiasAdd`, how tf2onnx keeps TF scopes). Names are the only link a
 * converter leaves between the two graphs, so a layer no node names is reported, not guessed.
 */
export function onnxTensorForLayer(
  proto: ModelProto,
  layer: string,
  allLayers: readonly string[] = [layer],
): string | undefined {
  const nodes = proto.graph?.node ?? [];
  const prefixOf = (name: string, l: string) => name === l || name.startsWith(`${l}_`);
  // Keras numbers layers conv2d, conv2d_1, …: a node belongs to the longest layer name it starts with.
  const longer = allLayers.filter((l) => l !== layer && l.length > layer.length);
  const matches = (name: string) =>
    name.split('/').includes(layer) || (prefixOf(name, layer) && !longer.some((l) => prefixOf(name, l)));
  for (let i = nodes.length - 1; i >= 0; i--) {
    const n = nodes[i]!;
    if (matches(n.name) && n.output[0]) return n.output[0];
  }
  return undefined;
}

/**
 * Layer-wise comparison of a pair on one ONNX target and one TF.js target: every TF.js layer output and
 * its ONNX counterpart are exposed, run on the same mapped inputs, and compared in the ONNX layout. The
 * first layer that disagrees is where the conversion went wrong. TF.js layers models only.
 */
export async function localizeFormatPair(
  pair: FormatPair,
  targets: { readonly onnx: TargetDescriptor; readonly tfjs: TargetDescriptor },
  options: { readonly seed?: number; readonly tolerance?: Tolerance; readonly timeoutMs?: number } = {},
): Promise<PairLocalization> {
  if (targetFormat(targets.onnx) !== 'onnx' || targetFormat(targets.tfjs) !== 'tfjs') {
    throw new CrossrtError(
      'USAGE',
      `layer-wise localization needs an ONNX target and a TF.js target (got ${targets.onnx.id}, ${targets.tfjs.id})`,
    );
  }
  const tolerance = options.tolerance ?? DEFAULT_TOLERANCE;
  const model = await readModelFile(pair.onnxPath);
  const tfjsJson = await readTfjsModelJson(pair.tfjsPath);
  const onnxSig = modelSignature(model.proto);
  const tfjsSig = tfjsModelSignature(tfjsJson);
  const inputMappings = resolveTensorMappings('input', onnxSig.inputs, tfjsSig.inputs, pair.inputs);
  const { json: exposedJson, layers } = exposeTfjsLayerOutputs(tfjsJson);
  const onnxFor = new Map(layers.map((l) => [l, onnxTensorForLayer(model.proto, l, layers)]));
  const wanted = [...new Set([...onnxFor.values()].filter((t): t is string => t !== undefined))];
  const exposed = exposeTensors(model.proto, wanted);

  const dir = await mkdtemp(join(tmpdir(), 'crossrt-pair-layers-'));
  try {
    // The rewritten model.json sits beside links to the original shards, so shard paths stay in-folder.
    const tfjsPath = join(dir, 'model.json');
    await writeFile(tfjsPath, JSON.stringify(exposedJson));
    for (const shard of tfjsShardPaths(tfjsJson, pair.tfjsPath)) await symlink(shard, join(dir, basename(shard)));
    const onnxPath = join(dir, 'model.onnx');
    await writeFile(onnxPath, encodeModel(exposed.model));

    const inputs = generateInputs(onnxSig.inputs, {
      seed: options.seed ?? 0,
      shapes: shapesFromTfjs(onnxSig, tfjsSig, inputMappings, {}),
    });
    const onnxFeeds: Record<string, HostTensor> = Object.fromEntries(inputs.tensors);
    const tfjsFeeds: Record<string, HostTensor> = {};
    for (const m of inputMappings) tfjsFeeds[m.tfjs] = transposeTensor(onnxFeeds[m.onnx]!, m.perm);
    const pool = new TargetPool(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {});
    let onnxRun, tfjsRun;
    try {
      onnxRun = await executeOnTarget(pool, targets.onnx, onnxPath, [onnxFeeds], model.proto.graph?.node.length ?? 0);
      tfjsRun = await executeOnTarget(pool, targets.tfjs, tfjsPath, [tfjsFeeds], layers.length);
    } finally {
      await pool.close();
    }
    for (const [side, run] of [
      ['ONNX', onnxRun],
      ['TF.js', tfjsRun],
    ] as const) {
      if (run.outcome.status !== 'ok')
        throw new CrossrtError(
          'HOST_FAILED',
          `layer-wise ${side} run on ${run.outcome.target} failed: ${run.outcome.status}: ${run.outcome.error?.message ?? ''}`,
        );
    }
    const onnxOut = onnxRun.outputs[0]!;
    const tfjsOut = tfjsRun.outputs[0]!;
    const preferred = layoutByRank(inputMappings);
    const rows: LayerComparison[] = layers.map((layer) => {
      const onnxTensor = onnxFor.get(layer);
      if (!onnxTensor) return { layer, skipped: 'no ONNX node carries this layer name' };
      const o = onnxOut.get(onnxTensor);
      const t = tfjsOut.get(layer);
      if (!o || !t)
        return {
          layer,
          onnxTensor,
          skipped: `${!o ? `ONNX tensor ${onnxTensor}` : `TF.js layer ${layer}`} was not produced`,
        };
      let mapping: TensorMapping;
      try {
        [mapping] = resolveTensorMappings(
          'output',
          [{ name: onnxTensor, dims: o.dims }],
          [{ name: layer, dims: t.dims }],
          undefined,
          preferred,
        ) as [TensorMapping];
      } catch (e) {
        return { layer, onnxTensor, skipped: (e as Error).message };
      }
      const comparison = compareOutput({
        output: `${onnxTensor} ↔ ${layer}`,
        target: `${pair.name}:tfjs@${targets.tfjs.id}`,
        reference: `${pair.name}:onnx@${targets.onnx.id}`,
        actual: transposeTensor(t, invertPerm(mapping.perm)),
        expected: o,
        tolerance,
      });
      return { layer, onnxTensor, mapping, comparison };
    });
    const first = rows.find((r) => r.comparison && r.comparison.verdict !== 'pass');
    return { pair: pair.name, layers: rows, ...(first ? { firstDivergence: first.layer } : {}) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
