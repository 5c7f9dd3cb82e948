import { statSync } from 'node:fs';
import { declaredTensorBytes, isExternalTensor, modelTensors, type ModelProto } from '@crossrt/model';

const externalBytesByModel = new WeakMap<ModelProto, number>();

/** Bytes of the model's tensors stored in external files (their declared sizes), once per decoded model. */
export function externalDataBytes(proto: ModelProto): number {
  let bytes = externalBytesByModel.get(proto);
  if (bytes === undefined) {
    bytes = 0;
    for (const t of modelTensors(proto)) if (isExternalTensor(t)) bytes += declaredTensorBytes(t);
    externalBytesByModel.set(proto, bytes);
  }
  return bytes;
}

/**
 * What a runtime reads to load a model: the graph file plus, when the decoded model is at hand, its
 * external data. 0 for a file that is gone (the load then fails with the runtime's own reason).
 */
export function modelLoadBytes(modelPath: string, proto?: ModelProto): number {
  let fileBytes = 0;
  try {
    fileBytes = statSync(modelPath).size;
  } catch {
    // reported by the load
  }
  return fileBytes + (proto ? externalDataBytes(proto) : 0);
}
