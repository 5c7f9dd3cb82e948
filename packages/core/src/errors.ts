/**
 * Every failure a user can cause or meet has a stable code. The CLI maps codes to exit codes in one
 * place (packages/cli/src/exit-codes.ts); reporters print `code: message` and the hint.
 */
export const ERROR_CODES = [
  'USAGE',
  'UNKNOWN_TARGET',
  'FILE_NOT_FOUND',
  'FILE_UNREADABLE',
  'MODEL_EMPTY',
  'MODEL_INVALID',
  'MODEL_TRUNCATED',
  'MODEL_NO_GRAPH',
  'MODEL_UNSUPPORTED_IO',
  'TENSOR_INVALID',
  'DIM_UNRESOLVED',
  'SHAPE_INVALID',
  'INPUT_TOO_LARGE',
  'TARGET_UNAVAILABLE',
  /** The model (graph + external data) is larger than the target can address, e.g. onnxruntime-web's 4 GiB wasm32 memory; decided before loading. */
  'MODEL_TOO_LARGE_FOR_TARGET',
  'HOST_FAILED',
  'REPORT_INVALID',
  'INTERNAL',
  'EXTERNAL_DATA_ESCAPES',
  'EXTERNAL_DATA_MISSING',
  'EXTERNAL_DATA_SHORT',
  'EXTERNAL_DATA_INVALID',
  'ARRAY_FILE_INVALID',
  'GRAPH_TENSOR_NOT_FOUND',
  'KNOWN_FAILURES_INVALID',
  'SUITE_INVALID',
  'RESUME_MISMATCH',
  'MERGE_CONFLICT',
  'BASELINE_INVALID',
  'CONVERT_FAILED',
  'PAIR_CONFIG_INVALID',
  'PAIR_MAPPING_UNRESOLVED',
  /** A report file given to `crossrt report` is not JSON, not a crossrt report, or from another schema version. */
  'REPORT_FILE_INVALID',
  /** `crossrt compare`: two model variants declare the same input with different dtypes or fixed dims. */
  'VARIANTS_INCOMPATIBLE',
  /** A `--config` file is not JSON or does not match the config schema. */
  'CONFIG_INVALID',
  /** No Python interpreter that can import what a source-oracle run needs (torch, onnx, numpy). */
  'SOURCE_UNAVAILABLE',
  /** The Python callable that builds the source module is missing, raises, or returns no module. */
  'SOURCE_CALLABLE_INVALID',
  /** The source module's forward raised, or returned something other than tensors. */
  'SOURCE_FORWARD_FAILED',
  /** The source outputs do not fit the converted model (count, names, shape, dtype). */
  'SOURCE_OUTPUTS_INVALID',
  /** crossrt's Python bridge process died, hung or broke its protocol. */
  'SOURCE_BRIDGE_FAILED',
  /** A reference command exited non-zero, timed out, or wrote no readable outputs .npz. */
  'REFERENCE_COMMAND_FAILED',
  /** A --data-loader / --compare module is missing, exports no function, or returns the wrong shape of thing. */
  'USER_HOOK_INVALID',
  /** A --data-loader / --compare module threw. */
  'USER_HOOK_FAILED',
  /** A CI system's shard variables (CI_NODE_INDEX/CI_NODE_TOTAL, …) are half set, not integers, or out of range. */
  'SHARD_ENV_INVALID',
  /** `crossrt init` would overwrite a suite file, or found no model to put in one. */
  'INIT_REFUSED',
  /** A block-list file given to `crossrt precision --check` or a suite precision step is not one crossrt wrote. */
  'BLOCK_LIST_INVALID',
  /** `crossrt quant-error`: the second model has no QuantizeLinear/DequantizeLinear or QOperator (QLinearConv, QGemm, …) node. */
  'MODEL_NOT_QUANTIZED',
  /** `crossrt quant-error`: no int8 tensor could be paired with an fp32 tensor (names, DequantizeLinear chains and graph structure all failed). */
  'QUANT_NO_MATCHED_TENSORS',
  /** `crossrt quant-error`: the two models do not share graph inputs or outputs, so one cannot be a quantization of the other. */
  'QUANT_MODELS_MISMATCHED',
  /** `crossrt quantize`: the fp32 model did not run for calibration. */
  'CALIBRATION_FAILED',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export class CrossrtError extends Error {
  override readonly name = 'CrossrtError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  toJSON(): { code: ErrorCode; message: string; hint?: string } {
    return { code: this.code, message: this.message, ...(this.hint ? { hint: this.hint } : {}) };
  }
}

export function isCrossrtError(e: unknown): e is CrossrtError {
  return (
    e instanceof CrossrtError ||
    (typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'CrossrtError')
  );
}

/** One line describing any thrown value, without a stack. */
export function describeError(e: unknown): string {
  if (isCrossrtError(e)) return `${e.code}: ${e.message}`;
  if (e instanceof Error) return e.message.split('\n')[0] ?? e.name;
  return String(e);
}

/** Whether a string (e.g. from another process) is one of crossrt's error codes. */
export function isErrorCode(code: string): code is ErrorCode {
  return (ERROR_CODES as readonly string[]).includes(code);
}
