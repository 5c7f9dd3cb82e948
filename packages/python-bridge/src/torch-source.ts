import { findPython, type PythonInterpreter } from './python-interpreter.js';
import { BridgeClient, openBridge, type PythonBridge } from './bridge-process.js';

export interface TensorSpec {
  readonly name: string;
  readonly dims: readonly number[];
  readonly dtype: string;
}

export interface TorchBuild {
  readonly handle: number;
  readonly moduleClass: string;
  /** Inputs the builder declared by returning (module, {name: shape}), else null. */
  readonly inputs: TensorSpec[] | null;
  readonly parameters: number;
  readonly modules: number;
}

export interface TorchExportRequest {
  readonly out: string;
  readonly inputs: readonly TensorSpec[];
  readonly opset: number;
  readonly constantFolding: boolean;
  readonly dynamicAxes?: Readonly<Record<string, readonly number[]>>;
  readonly seed?: number;
}

export interface TorchExportResult {
  readonly exportMs: number;
  readonly warnings: string[];
  /** Flattened output names given to the exporter (`output`, `output.0`, dict keys). */
  readonly outputs: string[];
  readonly exporterVersion: string;
  readonly exportError?: { type: string; message: string; traceback: string[] };
  readonly checker?: { ok: boolean; message?: string };
}

/** One module call seen by the forward hooks, in call (pre-hook) order. */
export interface TorchModuleCall {
  /** Qualified module name (`layer1.0.conv1`). */
  readonly module: string;
  readonly type: string;
  /** Index of the enclosing call, -1 for calls made by the root module. */
  readonly parent: number;
  /** torch.onnx's scope segment for this call (`conv1`, `layer1.0`, `relu_1` for a second call). */
  readonly segment: string;
  /** Keys of the captured tensors in the capture .npz. */
  readonly inputs: string[];
  readonly outputs: string[];
  /** Completion order (forward-hook order): leaves before the modules that contain them. */
  readonly order: number;
}

export interface TorchForwardResult {
  readonly forwardMs: number;
  readonly outputs: TensorSpec[];
  readonly calls: TorchModuleCall[];
}

/** Generous limits: torch imports in ~2 s, a torchvision export takes seconds, big models longer. */
const LIMITS = { versions: 120_000, build: 600_000, export: 1_800_000, forward: 1_800_000 };

/**
 * A PyTorch source model in its own bridge process: build it once (seeded), export it over an export
 * matrix, and run its forward as the oracle — with forward hooks when module outputs are wanted.
 */
export class TorchSource extends BridgeClient {
  private constructor(
    python: PythonInterpreter,
    bridge: PythonBridge,
    readonly versions: Record<string, string | boolean | null>,
  ) {
    super(python, bridge);
  }

  static async start(options: { cwd?: string; python?: PythonInterpreter } = {}): Promise<TorchSource> {
    const python = options.python ?? findPython(['torch', 'onnx', 'numpy']);
    const { bridge, value } = await openBridge<Record<string, string | boolean | null>>(
      python,
      { op: 'versions', timeoutMs: LIMITS.versions },
      options,
    );
    return new TorchSource(python, bridge, value);
  }

  build(callable: string, seed: number, kwargs: Record<string, unknown> = {}): Promise<TorchBuild> {
    return this.bridge.request('build', { callable, seed, kwargs }, LIMITS.build);
  }

  export(handle: number, request: TorchExportRequest): Promise<TorchExportResult> {
    return this.bridge.request('export', { handle, ...request }, LIMITS.export);
  }

  /** Run the module on the arrays of `inputsNpz` (in `inputNames` order); outputs (and captures) as .npz. */
  forward(
    handle: number,
    args: { inputs: string; inputNames: readonly string[]; outputs: string; capture?: string },
  ): Promise<TorchForwardResult> {
    return this.bridge.request('forward', { handle, ...args }, LIMITS.forward);
  }
}
