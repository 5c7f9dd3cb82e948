import { statSync } from 'node:fs';
import { basename } from 'node:path';
import { declaredTensorBytes, externalDataRef, isExternalTensor, modelTensors, type ModelProto } from '@crossrt/model';

const externalBytesByModel = new WeakMap<ModelProto, number>();

/**
 * Bytes of the model's tensors stored in files besides `modelFile` (their declared sizes), once per
 * decoded model. References into the model file itself (weights left on disk by readModelFile's
 * `weights: 'reference'`) are part of its size already.
 */
export function externalDataBytes(proto: ModelProto, modelFile: string): number {
  let bytes = externalBytesByModel.get(proto);
  if (bytes === undefined) {
    bytes = 0;
    for (const t of modelTensors(proto))
      if (isExternalTensor(t) && !refersTo(t, modelFile)) bytes += declaredTensorBytes(t);
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
  return fileBytes + (proto ? externalDataBytes(proto, basename(modelPath)) : 0);
}

function refersTo(t: Parameters<typeof externalDataRef>[0], fileName: string): boolean {
  try {
    return externalDataRef(t).location === fileName;
  } catch {
    return false;
  }
}
