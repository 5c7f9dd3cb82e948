export { runDifferential } from './run/differential-run.js';
export { CROSSRT_VERSION } from './report/report-builder.js';
export { executeOnTarget } from './execution/execute-on-target.js';
export { TargetPool } from './execution/target-pool.js';
export { probeTargets, type TargetAvailability } from './execution/target-probe.js';
export {
  runOracleCases,
  oraclePoolOptions,
  type CaseTolerances,
  DEFAULT_ORACLE_JOBS,
  DEFAULT_ORACLE_BATCH,
} from './oracle/oracle-run.js';
export { loadSuiteFile, planSuite, parseShard } from './suite/suite-plan.js';
export { runSuite, type SuiteProgress, type SuiteRunOptions } from './suite/suite-run.js';
export { checkReferenceCommandTemplate, DEFAULT_REFERENCE_TIMEOUT_SECONDS } from './source/reference-command.js';
export { mergeReports } from './report/report-merge.js';
export { applyPlacementVerdicts } from './placement/placement-verdict.js';
export { describePerm } from './pair/layout-permutation.js';
export { type TensorMapping } from './pair/tensor-mapping.js';
export { loadFormatPair, targetFormat, type FormatPair } from './pair/pair-config.js';
export { runFormatPairs, type PairCaseSummary } from './pair/format-pair-run.js';
export { readKnownFailuresFiles, readToleranceOverrides } from './oracle/known-failures.js';
export { scaffoldSuites, writeScaffold } from './suite/suite-scaffold.js';
export { runDoctor } from './doctor/doctor.js';
export { compareVariants } from './variants/variant-compare.js';
export { type InputSettings } from './run/input-settings.js';
export { type DiscrepancyOptions } from './discrepancy/discrepancy-sides.js';
export { localizeDiscrepancy } from './discrepancy/localize.js';
export { reduceDiscrepancy } from './discrepancy/reduce.js';
export { localizeFormatPair, type PairLocalization } from './pair/format-pair-localize.js';
export { runTorchSource } from './source/torch-source-run.js';
export { runOpsetUpgrade } from './source/opset-upgrade.js';
export { loadDataLoader, loadCompareHook } from './run/user-hooks.js';
export {
  runPrecisionSearch,
  DEFAULT_MAX_TRIALS,
  type PrecisionSearchOptions,
  type PrecisionProgress,
  type PrecisionSearchResult,
} from './precision/precision-search.js';
export { parsePrecisionPolicy, describePolicy, DEFAULT_PRECISION_POLICY } from './precision/precision-policy.js';
export { readBlockList } from './precision/precision-files.js';
export {
  quantizeModelFile,
  DEFAULT_CALIBRATION_SETS,
  CALIBRATION_TARGET,
  type QuantizeModelOptions,
} from './quant/quantize-model.js';
export {
  runQuantError,
  quantErrorCase,
  judgeGate,
  QUANT_CHUNK,
  type QuantErrorOptions,
  type QuantErrorGateSpec,
} from './quant/quant-error-run.js';
export {
  matchQuantizedTensors,
  quantFormat,
  type QuantMatching,
  type ActivationPair,
  type WeightPair,
} from './quant/tensor-matching.js';
export { DEFAULT_JUMP_DB, SNR_CEILING_DB, applyJumpRule } from './quant/jump-rule.js';
