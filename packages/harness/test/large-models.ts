/**
 * Large sparse models for the large-model tests: a Gather graph over `chunks` × 256 MiB float32
 * initializers kept as external data in one sparse file (no disk blocks are written; the runtimes read
 * zeros), in a temp folder the caller removes with `removeLargeModels`.
 */
import { closeSync, ftruncateSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HostTensor } from '@crossrt/core';
import { buildModel, encodeModel, pointToExternalData } from '@crossrt/model';

const CHUNK_ELEMENTS = 64 * 1024 ** 2; // 256 MiB of float32
const tmp = mkdtempSync(join(tmpdir(), 'crossrt-large-model-'));

export function removeLargeModels(): void {
  rmSync(tmp, { recursive: true, force: true });
}

/** y = Σ_i w_i[idx] over `chunks` initializers, every one external in `model.onnx.data` (sparse: all zeros). */
export function largeModel(name: string, chunks: number): string {
  const initializers = Object.fromEntries(
    Array.from({ length: chunks }, (_, i) => [
      `w${i}`,
      { dtype: 'float32', dims: [1], data: new Float32Array(1) } as HostTensor,
    ]),
  );
  const nodes = Array.from({ length: chunks }, (_, i) => ({
    op: 'Gather',
    inputs: [`w${i}`, 'idx'],
    outputs: [`g${i}`],
  }));
  for (let i = 1; i < chunks; i++)
    nodes.push({ op: 'Add', inputs: [i === 1 ? 'g0' : `s${i - 1}`, `g${i}`], outputs: [`s${i}`] });
  nodes.push({ op: 'Identity', inputs: [chunks === 1 ? 'g0' : `s${chunks - 1}`], outputs: ['y'] });
  const model = buildModel({
    name,
    opset: 13,
    inputs: [{ name: 'idx', dtype: 'int64', dims: [1] }],
    outputs: [{ name: 'y', dtype: 'float32', dims: [1] }],
    initializers,
    nodes,
  });
  model.graph!.initializer.forEach((t, i) => {
    t.dims = [BigInt(CHUNK_ELEMENTS)];
    pointToExternalData(t, 'model.onnx.data', i * CHUNK_ELEMENTS * 4, CHUNK_ELEMENTS * 4);
  });
  const dir = join(tmp, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'model.onnx'), encodeModel(model));
  const fd = openSync(join(dir, 'model.onnx.data'), 'w');
  ftruncateSync(fd, chunks * CHUNK_ELEMENTS * 4);
  closeSync(fd);
  return join(dir, 'model.onnx');
}

export const feeds = { idx: { dtype: 'int64', dims: [1], data: new BigInt64Array([5n]) } as HostTensor };
