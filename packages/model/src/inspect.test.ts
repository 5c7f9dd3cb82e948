import { fileURLToPath } from 'node:url';
import { create } from '@bufbuild/protobuf';
import { OperatorSetIdProtoSchema } from 'onnx-buf';
import { describe, expect, it } from 'vitest';
import { buildModel } from './graph-builder.js';
import { inspectModel } from './inspect.js';
import { encodeModel, readModelFile, sha256Hex, type LoadedModel } from './onnx-file.js';

const fixture = (p: string) => fileURLToPath(new URL(`../../../fixtures/${p}`, import.meta.url));
const loaded = (proto: ReturnType<typeof buildModel>): LoadedModel => {
  const bytes = encodeModel(proto);
  return { path: 'mem.onnx', size: bytes.length, bytes, sha256: sha256Hex(bytes), proto, dir: '.', externalData: [] };
};

describe('inspectModel', () => {
  it('summarises the affine-relu fixture (4 nodes, 3 initializers of 4 + 4 + 16 bytes)', async () => {
    const r = inspectModel(await readModelFile(fixture('models/affine-relu.onnx')), { listTensors: true });
    expect(r).toMatchObject({
      irVersion: 8,
      opsets: { 'ai.onnx': 13 },
      producer: { name: 'crossrt-fixtures' },
      nodes: 4,
      customDomains: [],
      warnings: [],
    });
    expect(r.inputs).toEqual([
      { name: 'x', kind: 'tensor', dtype: 'float32', elemTypeName: 'float32', dims: ['N', 2] },
    ]);
    expect(r.opCounts.map((c) => `${c.opType}:${c.count}`).sort()).toEqual(['MatMul:1', 'Mul:1', 'Relu:1', 'Sub:1']);
    expect(r.initializers).toEqual({ count: 3, bytes: 24, externalBytes: 0 });
    expect(r.tensors).toEqual([
      { name: 'x2', elemType: 'float32' },
      { name: 'pre', elemType: 'float32' },
      { name: 'y', elemType: 'float32' },
      { name: 'z', elemType: 'float32' },
    ]);
  });

  it('reports external files and their bytes', async () => {
    const r = inspectModel(await readModelFile(fixture('model-io/external/ok/model.onnx')));
    expect(r.externalFiles).toEqual([{ location: 'weights.bin', tensors: 2, bytes: 24 }]);
    expect(r.initializers).toEqual({ count: 2, bytes: 24, externalBytes: 24 });
  });

  it('warns about memory budget, shadowing inputs, unknown and undeclared domains, old opsets', () => {
    const proto = buildModel({
      opset: 6,
      irVersion: 7,
      inputs: [
        { name: 'x', dtype: 'float32', dims: [1024, 1024, 1024] },
        { name: 'w', dtype: 'float32', dims: [1] },
      ],
      outputs: [{ name: 'y', dtype: 'float32', dims: [1024, 1024, 1024] }],
      initializers: { w: { dtype: 'float32', dims: [1], data: new Float32Array([1]) } },
      nodes: [
        { op: 'Mul', inputs: ['x', 'w'], outputs: ['m'] },
        { op: 'FancyOp', domain: 'com.example', inputs: ['m'], outputs: ['y'] },
        {
          op: 'Constant',
          inputs: [],
          outputs: ['k'],
          attrs: { value: { dtype: 'float32', dims: [3], data: new Float32Array([1, 2, 3]) } },
        },
      ],
    });
    proto.opsetImport.push(create(OperatorSetIdProtoSchema, { domain: 'com.other', version: 1n }));
    const r = inspectModel(loaded(proto), { memoryBudgetBytes: 2 ** 30 });
    expect(r.customDomains).toEqual(['com.example']);
    expect(r.constants).toEqual({ count: 1, bytes: 12 });
    const kinds = r.warnings.map((w) => `${w.kind}:${w.subject}`).sort();
    // 1024^3 float32 = 4 GiB > 1 GiB, on both the input and the output.
    expect(kinds).toEqual([
      'input-shadows-initializer:w',
      'memory-budget:x',
      'memory-budget:y',
      'old-opset:opset 6',
      'undeclared-domain:com.example',
      'unknown-domain:com.example',
    ]);
    expect(r.inputs.find((i) => i.name === 'w')?.shadowsInitializer).toBe(true);
  });
});
