import { findPython, type PythonInterpreter } from './python-interpreter.js';
import { BridgeClient, openBridge, type PythonBridge } from './bridge-process.js';

export interface OnnxCheckerResult {
  readonly ok: boolean;
  readonly message?: string;
}

/** What one `onnx.version_converter.convert_version` call gave. */
export interface OnnxConvertResult {
  /** Conversion (and, when it succeeded, saving the model), measured inside Python. */
  readonly convertMs: number;
  readonly converterVersion: string;
  /** onnx.checker.check_model on the saved model; absent when the converter raised. */
  readonly checker?: OnnxCheckerResult;
  /** Set when the converter raised: the exception type, its first line and the traceback tail. */
  readonly convertError?: { type: string; message: string; traceback: string[] };
}

export interface OnnxInfo {
  readonly onnx: string;
  /** The newest ai.onnx opset the installed onnx defines: the version converter's ceiling. */
  readonly maxOpset: number;
  readonly irVersion: number;
}

/** A converter call walks the graph with shape inference: seconds for big models, never minutes. */
const LIMITS = { info: 60_000, convert: 600_000, check: 120_000 };

/**
 * onnx.version_converter in its own kept bridge process (the same isolation as TorchSource: a crash or
 * hang inside onnx's C++ ends that process and rejects with SOURCE_BRIDGE_FAILED). Needs only onnx and
 * numpy, so it starts in ~0.3 s where a torch bridge takes seconds.
 */
export class OnnxConverter extends BridgeClient {
  private constructor(
    python: PythonInterpreter,
    bridge: PythonBridge,
    readonly info: OnnxInfo,
  ) {
    super(python, bridge);
  }

  /** Find an interpreter that imports onnx (SOURCE_UNAVAILABLE with the apt hint when none does) and start the bridge. */
  static async start(options: { cwd?: string; python?: PythonInterpreter } = {}): Promise<OnnxConverter> {
    const python = options.python ?? findPython(['onnx', 'numpy']);
    const { bridge, value } = await openBridge<OnnxInfo>(python, { op: 'onnx_info', timeoutMs: LIMITS.info }, options);
    return new OnnxConverter(python, bridge, value);
  }

  /** Convert the model at `input` to ai.onnx `opset` and save it at `out`; a converter exception is a result, not a rejection. */
  convertOpset(input: string, out: string, opset: number): Promise<OnnxConvertResult> {
    return this.bridge.request('convert_opset', { in: input, out, opset }, LIMITS.convert);
  }

  /** onnx.checker.check_model on any model file (the original, to tell the converter's faults from the model's). */
  check(path: string): Promise<OnnxCheckerResult> {
    return this.bridge.request('check', { path }, LIMITS.check);
  }
}
