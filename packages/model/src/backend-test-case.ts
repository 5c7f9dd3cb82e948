import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { CrossrtError, type HostTensor } from '@crossrt/core/base';
import { readModelFile, type LoadedModel, type ReadModelOptions } from './onnx-file.js';
import { modelSignature, type ModelSignature } from './signature.js';
import { decodeTensorFile } from './tensor-proto.js';

/** One `test_data_set_N` folder: inputs and expected outputs, by graph name. */
export interface TestDataSet {
  readonly name: string;
  readonly inputs: ReadonlyMap<string, HostTensor>;
  readonly expected: ReadonlyMap<string, HostTensor>;
}

/** An ONNX backend test case (onnx/backend/test/data layout): model.onnx + test_data_set_N/*.pb. */
export interface BackendTestCase {
  readonly dir: string;
  readonly id: string;
  readonly model: LoadedModel;
  readonly signature: ModelSignature;
  readonly dataSets: readonly TestDataSet[];
  /** Why the case cannot be fed tensors, when its IO has sequences, maps or optionals. */
  readonly nonTensorIo?: string;
}

const numericSuffix = (s: string): number => Number(/(\d+)(?:\.pb)?$/.exec(s)?.[1] ?? NaN);

export async function isBackendTestCaseDir(dir: string): Promise<boolean> {
  try {
    const names = readdirSync(dir);
    return names.includes('model.onnx') && names.some((n) => n.startsWith('test_data_set_'));
  } catch {
    return false;
  }
}

/** `options` go to readModelFile (e.g. `weights: 'reference'` when only hosts need the weights). */
export async function loadBackendTestCase(dir: string, options: ReadModelOptions = {}): Promise<BackendTestCase> {
  const model = await readModelFile(join(dir, 'model.onnx'), options);
  const signature = modelSignature(model.proto);
  const nonTensor = [...signature.inputs, ...signature.outputs].filter((v) => v.kind !== 'tensor');
  const id = basename(dir);
  if (nonTensor.length > 0) {
    const why = nonTensor.map((v) => `${v.name} is ${/^[aeiou]/.test(v.kind) ? 'an' : 'a'} ${v.kind}`).join(', ');
    return { dir, id, model, signature, dataSets: [], nonTensorIo: why };
  }
  const entries = readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && e.name.startsWith('test_data_set_'))
    .map((e) => e.name)
    .sort((a, b) => numericSuffix(a) - numericSuffix(b));
  const declared = new Map([...signature.inputs, ...signature.outputs].map((v) => [v.name, v.dtype]));
  const dataSets: TestDataSet[] = [];
  for (const setName of entries) {
    const setDir = join(dir, setName);
    const files = readdirSync(setDir);
    const read = (prefix: 'input' | 'output', names: readonly string[]) => {
      const out = new Map<string, HostTensor>();
      const picked = files
        .filter((f) => f.startsWith(`${prefix}_`) && f.endsWith('.pb'))
        .sort((a, b) => numericSuffix(a) - numericSuffix(b));
      for (const f of picked) {
        const k = numericSuffix(f);
        const { name, tensor } = decodeTensorFile(new Uint8Array(readFileSync(join(setDir, f))), join(setName, f));
        // The .pb name is authoritative; older test data leaves it empty, then position decides.
        const graphName = name !== '' ? name : names[k];
        if (graphName === undefined) {
          throw new CrossrtError(
            'TENSOR_INVALID',
            `${join(setDir, f)} has no name and no graph ${prefix} at position ${k}`,
          );
        }
        out.set(graphName, asDeclared(tensor, declared.get(graphName)));
      }
      return out;
    };
    dataSets.push({
      name: setName,
      inputs: read(
        'input',
        signature.inputs.map((v) => v.name),
      ),
      expected: read(
        'output',
        signature.outputs.map((v) => v.name),
      ),
    });
  }
  return { dir, id, model, signature, dataSets };
}

/** Expand paths into test-case dirs: a case dir stays itself; a suite dir yields its case subdirs, sorted. */
export async function findBackendTestCases(paths: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    if (await isBackendTestCaseDir(p)) {
      out.push(p);
      continue;
    }
    let entries;
    try {
      entries = readdirSync(p, { withFileTypes: true });
    } catch {
      throw new CrossrtError(
        'FILE_NOT_FOUND',
        `test-case directory not found: ${p}`,
        'pass an ONNX backend test case dir (model.onnx + test_data_set_N) or a folder of them',
      );
    }
    const cases = [];
    for (const e of entries.filter((x) => x.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
      if (await isBackendTestCaseDir(join(p, e.name))) cases.push(join(p, e.name));
    }
    if (cases.length === 0)
      throw new CrossrtError(
        'FILE_NOT_FOUND',
        `${p} holds no ONNX backend test cases`,
        'each case is a folder with model.onnx and test_data_set_N/',
      );
    out.push(...cases);
  }
  return out;
}

/**
 * Test data written before ONNX could serialize bfloat16 stores it as UINT16 bits; when the graph
 * declares bfloat16 for that value, the bits are the bfloat16 values (same storage, no conversion).
 */
function asDeclared(t: HostTensor, declared: string | undefined): HostTensor {
  return declared === 'bfloat16' && t.dtype === 'uint16' ? { ...t, dtype: 'bfloat16' } : t;
}
