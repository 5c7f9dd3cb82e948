export {
  readModelFile,
  decodeModel,
  encodeModel,
  opsetMap,
  type ModelProto,
  type LoadedModel,
  REFERENCE_MIN_FILE_BYTES,
} from './onnx-file.js';
export {
  modelSignature,
  formatSignatureValue,
  type DeclaredDim,
  type ValueSignature,
  type ModelSignature,
} from './signature.js';
export { tensorFromProto, tensorToProto, decodeTensorFile, encodeTensorFile } from './tensor-proto.js';
export {
  isBackendTestCaseDir,
  loadBackendTestCase,
  findBackendTestCases,
  type BackendTestCase,
} from './backend-test-case.js';
export { valueInfo, buildModel, type NodeSpec, type GraphSpec } from './graph-builder.js';
export {
  isTfjsModelPath,
  readTfjsModelJson,
  parseTfjsModelJson,
  tfjsModelSignature,
  tfjsShardPaths,
  readTfjsModelArtifacts,
  exposeTfjsLayerOutputs,
  type TfjsModelArtifacts,
} from './tfjs-model-json.js';
export {
  isExternalTensor,
  pointToExternalData,
  modelTensors,
  declaredTensorBytes,
  externalDataRef,
  externalDataFiles,
  writeModelFile,
} from './external-data.js';
export { decodeNpy, encodeNpy } from './npy.js';
export { decodeNpz, encodeNpz } from './npz.js';
export { elemTypeOf, inferNodeOutputTypes } from './elem-type-inference.js';
export { exposeTensors, extractSubgraph, nodeReads, type ExposeResult } from './graph-surgery.js';
export {
  inspectModel,
  formatBytes,
  DEFAULT_MEMORY_BUDGET_BYTES,
  type IoDescription,
  type ModelInspection,
} from './inspect.js';
export { readTensorFile, summarizeTensor, type TensorSummary } from './tensor-file.js';
export { DEFAULT_FP32_OPS, type Fp16ConvertResult, Fp16Converter } from './fp16-convert.js';
export { dequantizeValues } from './quant-params.js';
export { qdqCalibrationTensors, quantizeQdq, type TensorRange } from './qdq-quantize.js';
