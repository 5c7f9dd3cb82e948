import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCrossrtError } from '@crossrt/core';
import {
  exposeTfjsLayerOutputs,
  parseTfjsModelJson,
  readTfjsModelArtifacts,
  tfjsModelSignature,
  tfjsShardPaths,
  type TfjsModelJson,
} from './tfjs-model-json.js';

async function codeOf(p: Promise<unknown> | (() => unknown)): Promise<string | undefined> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    return isCrossrtError(e) ? e.code : `not a CrossrtError: ${String(e)}`;
  }
  return undefined;
}

describe('tfjsModelSignature', () => {
  it('graph model: the signature block gives names, dtypes and dims (-1 becomes a named dim)', () => {
    const json = parseTfjsModelJson(
      JSON.stringify({
        format: 'graph-model',
        modelTopology: { node: [] },
        weightsManifest: [],
        signature: {
          inputs: {
            image: {
              name: 'image:0',
              dtype: 'DT_FLOAT',
              tensorShape: { dim: [{ size: '-1' }, { size: '224' }, { size: '224' }, { size: '3' }] },
            },
            ids: { name: 'ids:0', dtype: 'DT_INT64', tensorShape: { dim: [{ size: '1' }, { size: '-1' }] } },
          },
          outputs: {
            probs: { name: 'Identity:0', dtype: 'DT_FLOAT', tensorShape: { dim: [{ size: '-1' }, { size: '1000' }] } },
          },
        },
      }),
      'model.json',
    );
    const sig = tfjsModelSignature(json);
    expect(sig.format).toBe('graph-model');
    expect(sig.inputs).toEqual([
      { name: 'image', kind: 'tensor', dtype: 'float32', elemTypeName: 'DT_FLOAT', dims: ['batch', 224, 224, 3] },
      { name: 'ids', kind: 'tensor', dtype: 'int64', elemTypeName: 'DT_INT64', dims: [1, 'ids_dim1'] },
    ]);
    expect(sig.outputs).toEqual([
      { name: 'probs', kind: 'tensor', dtype: 'float32', elemTypeName: 'DT_FLOAT', dims: ['batch', 1000] },
    ]);
  });

  it('graph model without a signature: Placeholders are inputs, unconsumed nodes are outputs', () => {
    const json: TfjsModelJson = {
      modelTopology: {
        node: [
          {
            name: 'x',
            op: 'Placeholder',
            attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape: { dim: [{ size: '2' }, { size: '3' }] } } },
          },
          { name: 'w', op: 'Const' },
          { name: 'mm', op: 'MatMul', input: ['x', 'w'] },
          { name: 'out', op: 'Relu', input: ['mm'] },
        ],
      },
      weightsManifest: [],
    };
    const sig = tfjsModelSignature(json);
    expect(sig.format).toBe('graph-model');
    expect(sig.inputs).toEqual([
      { name: 'x', kind: 'tensor', dtype: 'float32', elemTypeName: 'DT_FLOAT', dims: [2, 3] },
    ]);
    expect(sig.outputs.map((o) => o.name)).toEqual(['out']);
  });

  it('layers Sequential: input is "<first layer>_input" with its batch_input_shape; output is the last layer', () => {
    const sig = tfjsModelSignature({
      format: 'layers-model',
      weightsManifest: [],
      modelTopology: {
        class_name: 'Sequential',
        config: {
          name: 's',
          layers: [
            { class_name: 'Conv2D', config: { name: 'conv_a', batch_input_shape: [null, 8, 8, 3], dtype: 'float32' } },
            { class_name: 'Dense', config: { name: 'fc' } },
          ],
        },
      },
    });
    expect(sig.inputs).toEqual([
      { name: 'conv_a_input', kind: 'tensor', dtype: 'float32', elemTypeName: 'float32', dims: ['batch', 8, 8, 3] },
    ]);
    expect(sig.outputs).toEqual([{ name: 'fc', kind: 'tensor' }]);
  });

  it('layers functional model (Keras model_config wrapper): input_layers and output_layers', () => {
    const sig = tfjsModelSignature({
      weightsManifest: [],
      modelTopology: {
        model_config: {
          class_name: 'Model',
          config: {
            layers: [
              { class_name: 'InputLayer', config: { name: 'tokens', batch_input_shape: [null, 16], dtype: 'int32' } },
              {
                class_name: 'InputLayer',
                config: { name: 'image', batch_input_shape: [1, 32, 32, 3], dtype: 'float32' },
              },
              { class_name: 'Dense', config: { name: 'head' } },
            ],
            input_layers: [
              ['tokens', 0, 0],
              ['image', 0, 0],
            ],
            output_layers: [['head', 0, 0]],
          },
        },
      },
    });
    expect(sig.format).toBe('layers-model');
    expect(sig.inputs.map((i) => [i.name, i.dtype, i.dims])).toEqual([
      ['tokens', 'int32', ['batch', 16]],
      ['image', 'float32', [1, 32, 32, 3]],
    ]);
    expect(sig.outputs.map((o) => o.name)).toEqual(['head']);
  });

  it('refuses files that are not a TF.js model.json', async () => {
    expect(await codeOf(() => parseTfjsModelJson('{"weightsManifest": []}', 'w.json'))).toBe('MODEL_INVALID');
    expect(await codeOf(() => parseTfjsModelJson('not json', 'w.json'))).toBe('MODEL_INVALID');
    expect(await codeOf(() => parseTfjsModelJson('{"modelTopology": {}}', 'w.json'))).toBe('MODEL_INVALID');
  });
});

describe('weight shards', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'crossrt-tfjs-json-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const modelJson = (paths: string[], shape: number[]) =>
    JSON.stringify({
      format: 'layers-model',
      weightsManifest: [{ paths, weights: [{ name: 'fc/kernel', shape, dtype: 'float32' }] }],
      modelTopology: {
        class_name: 'Sequential',
        config: { layers: [{ class_name: 'Dense', config: { name: 'fc', batch_input_shape: [null, 2] } }] },
      },
    });

  it('reads and concatenates shards in manifest order', async () => {
    await writeFile(join(dir, 'a.bin'), Buffer.from(new Float32Array([1, 2]).buffer));
    await writeFile(join(dir, 'b.bin'), Buffer.from(new Float32Array([3, 4]).buffer));
    await writeFile(join(dir, 'ok.json'), modelJson(['a.bin', 'b.bin'], [2, 2]));
    const a = await readTfjsModelArtifacts(join(dir, 'ok.json'));
    expect([...new Float32Array(a.weightData)]).toEqual([1, 2, 3, 4]);
    expect(a.format).toBe('layers-model');
    expect(a.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses a shard outside the model folder, a missing shard and a short shard', async () => {
    expect(
      await codeOf(() =>
        tfjsShardPaths(JSON.parse(modelJson(['../etc/passwd'], [1])) as TfjsModelJson, join(dir, 'm.json')),
      ),
    ).toBe('MODEL_INVALID');
    await writeFile(join(dir, 'missing.json'), modelJson(['nope.bin'], [2, 2]));
    expect(await codeOf(readTfjsModelArtifacts(join(dir, 'missing.json')))).toBe('FILE_NOT_FOUND');
    await writeFile(join(dir, 'short.json'), modelJson(['a.bin'], [2, 2]));
    expect(await codeOf(readTfjsModelArtifacts(join(dir, 'short.json')))).toBe('MODEL_TRUNCATED');
    expect(await codeOf(readTfjsModelArtifacts(join(dir, 'absent.json')))).toBe('FILE_NOT_FOUND');
  });
});

describe('exposeTfjsLayerOutputs', () => {
  it('turns a Sequential model into a functional one whose outputs are every layer, chained in order', () => {
    const { json, layers } = exposeTfjsLayerOutputs({
      format: 'layers-model',
      weightsManifest: [],
      modelTopology: {
        class_name: 'Sequential',
        config: {
          name: 's',
          layers: [
            { class_name: 'Conv2D', config: { name: 'conv_a', batch_input_shape: [1, 8, 8, 3], dtype: 'float32' } },
            { class_name: 'Activation', config: { name: 'act' } },
            { class_name: 'Dense', config: { name: 'fc' } },
          ],
        },
      },
    });
    expect(layers).toEqual(['conv_a', 'act', 'fc']);
    const cfg = json.modelTopology as {
      class_name: string;
      config: {
        layers: { name: string; class_name: string; inbound_nodes: unknown[]; config: Record<string, unknown> }[];
        input_layers: unknown[];
        output_layers: unknown[];
      };
    };
    expect(cfg.class_name).toBe('Model');
    expect(cfg.config.layers.map((l) => [l.class_name, l.name, l.inbound_nodes])).toEqual([
      ['InputLayer', 'conv_a_input', []],
      ['Conv2D', 'conv_a', [[['conv_a_input', 0, 0, {}]]]],
      ['Activation', 'act', [[['conv_a', 0, 0, {}]]]],
      ['Dense', 'fc', [[['act', 0, 0, {}]]]],
    ]);
    expect(cfg.config.layers[1]!.config['batch_input_shape']).toBeUndefined();
    expect(cfg.config.input_layers).toEqual([['conv_a_input', 0, 0]]);
    expect(cfg.config.output_layers).toEqual([
      ['conv_a', 0, 0],
      ['act', 0, 0],
      ['fc', 0, 0],
    ]);
    // The signature reader sees the same input under the rewritten topology.
    expect(tfjsModelSignature(json).inputs.map((i) => [i.name, i.dims])).toEqual([['conv_a_input', [1, 8, 8, 3]]]);
  });

  it('refuses graph models', async () => {
    expect(
      await codeOf(() =>
        exposeTfjsLayerOutputs({ format: 'graph-model', modelTopology: { node: [] }, weightsManifest: [] }),
      ),
    ).toBe('MODEL_UNSUPPORTED_IO');
  });
});
