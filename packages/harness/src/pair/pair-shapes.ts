import type { ModelSignature } from '@crossrt/model';
import { invertPerm } from './layout-permutation.js';
import type { TensorMapping } from './tensor-mapping.js';

/** ONNX symbolic dims take the TF.js side's fixed size through the mapping (unless the user set them). */
export function shapesFromTfjs(
  onnx: ModelSignature,
  tfjs: ModelSignature,
  mappings: readonly TensorMapping[],
  given: Readonly<Record<string, readonly number[]>>,
): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const m of mappings) {
    const o = onnx.inputs.find((v) => v.name === m.onnx)?.dims;
    const t = tfjs.inputs.find((v) => v.name === m.tfjs)?.dims;
    if (!o || !t || given[m.onnx] || o.every((d) => typeof d === 'number')) continue;
    const inv = invertPerm(m.perm);
    const dims = o.map((d, j) => (typeof d === 'number' ? d : t[inv[j]!]));
    if (dims.every((d): d is number => typeof d === 'number')) out[m.onnx] = dims;
  }
  return out;
}
