export {
  isDType, dtypeFromOnnx, bytesPerElement, dtypeStorage, allocate, isFloatDType, DTYPES, type DType,
  type TensorData, isCrossrtError, describeError, ERROR_CODES, type ErrorCode, CrossrtError,
  float16BitsToNumber, bfloat16BitsToNumber, numberToBfloat16Bits, decodeFloat16Array, decodeBfloat16Array,
  encodeFloat16Array, elementCount, makeTensor, numericView, formatDims, type HostTensor, TARGET_ID_PATTERN,
} from './base.js';
export { type ProbeResult, type Availability } from './schemas/target.js';
export {
  type DeviceInfo, PlacementPolicySchema, type PlacementPolicy, type ExecutionPlacement, type RepeatRecord,
  type RunOutcome, type FailureKind,
} from './schemas/outcome.js';
export {
  type Verdict, type Tolerance, type ErrorHistogram, type TopKAgreement, type Metrics, type Comparison,
  VariantKindSchema, type VariantKind, type ToleranceOverride, type TolerancePolicy,
} from './schemas/comparison.js';
export {
  checkCaseResult, validateReport, REPORT_SCHEMA_ID, REPORT_VERSION, type DimResolution, type InputRecord,
  type ModelRecord, type ConversionRecord, type BaselineDelta, CaseResultSchema, type CaseResult,
  ReportSchema, type Report, type TensorDivergence, type NodeDivergence, LocalizationSchema,
  type Localization, type Reduction, type ReferenceCommandRecord, type ExportSettings, type SourceRecord,
  type PrecisionPolicy, type PolicyCheck, type BlockedNode, type PrecisionSearch, BLOCK_LIST_SCHEMA_ID,
  BlockListFileSchema, type BlockListFile, type QuantMatch, type QuantActivationError, type QuantWeightError,
  type QuantGate, type QuantError, QuantizeRecordSchema, type QuantizeRecord,
} from './schemas/report.js';
export { type SuiteReferenceCommand, type SuiteVariant, type ModelEntry, SuiteSchema, type Suite } from './schemas/suite.js';
export { BASELINE_SCHEMA_ID, type BaselineEntry, BaselineIndexSchema, type BaselineIndex } from './schemas/baseline.js';
export {
  conformanceCell, conformanceCaseKey, knownFailureMatches, type ConformanceCell, CONFORMANCE_CELLS,
  KnownFailuresFileSchema, type KnownFailuresFile, ToleranceOverridesFileSchema,
} from './schemas/conformance.js';
export { type TensorMappingConfig, FormatPairConfigSchema } from './schemas/format-pair.js';
export { type ValuePlan, type HeuristicSettings, CheckConfigSchema, type CheckConfig } from './schemas/input-config.js';
export { readUserTextFile, firstSchemaIssue } from './config-file.js';
