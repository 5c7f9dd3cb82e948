import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildModel } from './graph-builder.js';
import { exposeTensors, extractSubgraph, intermediateTensorNames } from './graph-surgery.js';
import { elemTypeOf, inferElemTypes } from './elem-type-inference.js';
import { decodeModel, readModelFile } from './onnx-file.js';
import { modelSignature } from './signature.js';

// Running the results in onnxruntime is covered in packages/harness/test/graph-surgery-ort.test.ts.
const SUITE = '/usr/share/libonnx-testdata/data';
const affine = () =>
  readModelFile(fileURLToPath(new URL('../../../fixtures/models/affine-relu.onnx', import.meta.url)));

describe('exposeTensors', () => {
  it('adds every intermediate tensor as a typed output, leaving the source model untouched', async () => {
    const m = await affine();
    const r = exposeTensors(m.proto, 'all');
    expect(r.exposed).toEqual(['x2', 'pre']);
    expect(r.untyped).toEqual([]);
    expect(modelSignature(r.model).outputs.map((o) => `${o.name}:${o.dtype}`)).toEqual([
      'y:float32',
      'z:float32',
      'x2:float32',
      'pre:float32',
    ]);
    expect(m.proto.graph!.output).toHaveLength(2);
  });
  it('rejects names that are not tensors of the graph', async () => {
    const p = (await affine()).proto;
    expect(() => exposeTensors(p, ['nope'])).toThrow(expect.objectContaining({ code: 'GRAPH_TENSOR_NOT_FOUND' }));
  });
});

describe('element type inference', () => {
  it('follows Cast, comparisons, Shape and TopK; leaves custom-domain outputs unknown', () => {
    const g = buildModel({
      opset: 13,
      inputs: [{ name: 'x', dtype: 'float16', dims: [4] }],
      outputs: [{ name: 'out', dtype: 'bool', dims: [4] }],
      nodes: [
        { op: 'Cast', inputs: ['x'], outputs: ['c'], attrs: { to: 6 } },
        { op: 'Shape', inputs: ['c'], outputs: ['s'] },
        { op: 'TopK', inputs: ['x', 's'], outputs: ['tv', 'ti'] },
        { op: 'Abs', inputs: ['x'], outputs: ['a'] },
        { op: 'Mystery', domain: 'com.example', inputs: ['a'], outputs: ['q'] },
        { op: 'Less', inputs: ['a', 'x'], outputs: ['out'] },
      ],
    }).graph!;
    const t = inferElemTypes(g);
    expect(Object.fromEntries(['c', 's', 'tv', 'ti', 'a', 'q', 'out'].map((n) => [n, t.get(n)]))).toEqual({
      c: 6,
      s: 7,
      tv: 10,
      ti: 7,
      a: 10,
      q: undefined,
      out: 9,
    });
  });
});

describe('extractSubgraph', () => {
  it('keeps only the nodes between the cut and the outputs, with the cut as inputs', async () => {
    const r = extractSubgraph((await affine()).proto, ['x2'], ['y']);
    expect(r.model.graph!.node.map((n) => n.name)).toEqual(['minus_one', 'relu']);
    expect(r.model.graph!.initializer.map((t) => t.name)).toEqual(['one']);
    expect(modelSignature(r.model).inputs.map((i) => `${i.name}:${i.dtype}`)).toEqual(['x2:float32']);
  });
  it('keeps graph inputs the cut does not separate', async () => {
    const r = extractSubgraph((await affine()).proto, ['pre'], ['y', 'z']);
    expect(r.inputs).toEqual(['pre', 'x']);
    expect(r.model.graph!.node.map((n) => n.name)).toEqual(['relu', 'matmul']);
  });
  it('rejects unknown tensors and cuts that feed nothing', async () => {
    const p = (await affine()).proto;
    expect(() => extractSubgraph(p, ['x2'], ['nope'])).toThrow(
      expect.objectContaining({ code: 'GRAPH_TENSOR_NOT_FOUND' }),
    );
    expect(() => extractSubgraph(p, ['x2'], ['z'])).toThrow(/do not feed/);
  });
  it('lists intermediate tensor names in graph order', async () => {
    expect(intermediateTensorNames((await affine()).proto)).toEqual(['x2', 'pre']);
  });
});

describe('element type inference against the ONNX backend suite', () => {
  // Independent oracle: the output types the suite's authors declared. Outputs and value_info are
  // hidden from the inference, which must then agree wherever it gives an answer.
  it('agrees with every declared output type it can infer (> 95% inferred)', async () => {
    expect(existsSync(SUITE), `libonnx-testdata missing (${SUITE}): run npm run setup`).toBe(true);
    let agreed = 0;
    let unknown = 0;
    const wrong: string[] = [];
    for (const suite of ['node', 'pytorch-converted', 'pytorch-operator', 'simple']) {
      for (const c of readdirSync(`${SUITE}/${suite}`)) {
        const g = decodeModel(new Uint8Array(readFileSync(`${SUITE}/${suite}/${c}/model.onnx`))).graph!;
        const declared = g.output.map((o) => [o.name, elemTypeOf(o.type)] as const);
        g.output = [];
        g.valueInfo = [];
        const inferred = inferElemTypes(g);
        for (const [name, want] of declared) {
          const got = inferred.get(name);
          if (want === undefined) continue;
          if (got === undefined) unknown++;
          else if (got === want) agreed++;
          else wrong.push(`${c}:${name} inferred ${got}, declared ${want}`);
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(agreed / (agreed + unknown)).toBeGreaterThan(0.95);
  });
});
