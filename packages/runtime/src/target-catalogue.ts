import { CrossrtError, parseTargetId, type ParsedTargetId } from '@crossrt/core/base';

/**
 * One environment a host process can be started with. Targets that depend on the machine (a GPU
 * driver, a software Vulkan ICD) list several; the first whose probe says "available" is used.
 */
export interface HostEnvironment {
  /** Short label recorded in device info, e.g. `system`, `swiftshader`. */
  readonly name: string;
  readonly env: Readonly<Record<string, string>>;
  /** Why this environment exists, for `crossrt targets` and device info. */
  readonly note?: string;
}

export interface TargetDescriptor extends ParsedTargetId {
  /** Module specifier of the adapter package, imported inside the host process. */
  readonly adapterModule: string;
  readonly description: string;
  /** Candidate host environments, tried in order (default: the harness environment as is); read from the environment when read. */
  readonly hostEnvironments?: readonly HostEnvironment[];
  /** Node/V8 flags for the host process (see wasmHostFlags); read from the environment when read. */
  readonly hostNodeFlags?: readonly string[];
}

/**
 * V8's wasm tier-up budget in ort-web hosts: a function is recompiled with TurboFan only after it
 * has executed roughly this many bytes of code (V8's default is 1.8 M). By default V8 recompiles
 * thousands of warm functions of onnxruntime-web's 14 MB module on background threads, which a host
 * that creates a session and runs it a few times never earns back; with a large budget only the
 * kernels that really run long are recompiled. Measured on 2 cores, ort-web alone: the ONNX node
 * suite (908 sessions) 4.7 s CPU with V8's default, 1.7 s Liftoff-only, 1.5 s with this budget;
 * PP-OCRv4 det create + first run 867 / 480 / 445 ms, steady-state runs 73 / 127 / 74 ms.
 */
export const WASM_TIERING_BUDGET = 1_000_000_000;

/**
 * Node/V8 flags of hosts running onnxruntime-web's wasm (see WASM_TIERING_BUDGET). The tier never
 * changes results (wasm semantics are the same in every tier; a test compares all three bitwise).
 * `CROSSRT_WASM_TIERING=dynamic` gives V8's default, `=liftoff` keeps every function in the
 * baseline tier. Like every environment flag here, read when a host is started, never at import, so
 * that a process (or a test) that sets the variable later is heard.
 */
export function wasmHostFlags(env: NodeJS.ProcessEnv = process.env): readonly string[] {
  const mode = env['CROSSRT_WASM_TIERING'];
  if (mode === 'dynamic') return [];
  if (mode === 'liftoff') return ['--liftoff-only'];
  return [`--wasm-tiering-budget=${WASM_TIERING_BUDGET}`];
}

/**
 * V8 flags of the Node hosts of ORT targets. Their JavaScript is IPC and tensor glue that runs
 * briefly per request (the model runs in native code or wasm), so V8 recompiling it with TurboFan on
 * background threads costs more CPU than it returns. Measured on 2 cores: the ONNX node suite on
 * ort-node:cpu + ort-web:wasm 240 ms less CPU and 110 ms less wall; PP-OCRv4 det runs unchanged.
 * Not for tfjs hosts, whose CPU kernels are JavaScript. `CROSSRT_JS_TIERING=default` restores V8's
 * default.
 */
export function ortHostJsFlags(env: NodeJS.ProcessEnv = process.env): readonly string[] {
  return env['CROSSRT_JS_TIERING'] === 'default' ? [] : ['--no-opt'];
}

/** Debian's chromium ships SwiftShader's Vulkan ICD and a Vulkan loader next to it. */
export function chromiumLibDir(env: NodeJS.ProcessEnv = process.env): string {
  return env['CROSSRT_CHROMIUM_LIB_DIR'] ?? '/usr/lib/chromium';
}

/** Real drivers first; SwiftShader (software Vulkan) when no other adapter works. */
export function webGpuNativeEnvironments(
  libDir = chromiumLibDir(),
  env: NodeJS.ProcessEnv = process.env,
): HostEnvironment[] {
  const ld = [libDir, env['LD_LIBRARY_PATH']].filter(Boolean).join(':');
  return [
    { name: 'system', env: {}, note: "the machine's own GPU driver" },
    {
      name: 'swiftshader',
      env: { VK_ICD_FILENAMES: `${libDir}/vk_swiftshader_icd.json`, LD_LIBRARY_PATH: ld },
      note: `SwiftShader software Vulkan from ${libDir} (no hardware adapter worked)`,
    },
  ];
}

/**
 * Every target crossrt knows how to run. `crossrt targets` prints this list, probed. Host flags and
 * environments are getters: each read consults the environment of that moment (a spread copies them).
 */
export const TARGET_CATALOGUE: readonly TargetDescriptor[] = [
  {
    id: 'ort-node:cpu',
    runtime: 'ort-node',
    backend: 'cpu',
    environment: 'node',
    adapterModule: '@crossrt/runtime-ort-node',
    description: 'onnxruntime-node, native CPU execution provider',
    get hostNodeFlags() {
      return ortHostJsFlags();
    },
  },
  {
    id: 'ort-web:wasm',
    runtime: 'ort-web',
    backend: 'wasm',
    environment: 'node',
    adapterModule: '@crossrt/runtime-ort-web',
    description: 'onnxruntime-web, WebAssembly backend, in Node',
    get hostNodeFlags() {
      return [...ortHostJsFlags(), ...wasmHostFlags()];
    },
  },
  {
    id: 'ort-node:webgpu',
    runtime: 'ort-node',
    backend: 'webgpu',
    environment: 'node',
    adapterModule: '@crossrt/runtime-ort-node',
    description:
      'onnxruntime-node, bundled WebGPU execution provider (Dawn; SwiftShader Vulkan when no GPU adapter works)',
    get hostEnvironments() {
      return webGpuNativeEnvironments();
    },
    get hostNodeFlags() {
      return ortHostJsFlags();
    },
  },
  {
    id: 'ort-web:wasm@chromium',
    runtime: 'ort-web',
    backend: 'wasm',
    environment: 'chromium',
    adapterModule: '@crossrt/runtime-ort-web/chromium',
    description: 'onnxruntime-web, WebAssembly backend (threads, SIMD), in headless Chromium',
  },
  {
    id: 'ort-web:webgpu@chromium',
    runtime: 'ort-web',
    backend: 'webgpu',
    environment: 'chromium',
    adapterModule: '@crossrt/runtime-ort-web/chromium',
    description: 'onnxruntime-web, WebGPU backend, in headless Chromium (SwiftShader adapter without a GPU)',
  },
  {
    id: 'ort-web:webgl@chromium',
    runtime: 'ort-web',
    backend: 'webgl',
    environment: 'chromium',
    adapterModule: '@crossrt/runtime-ort-web/chromium',
    description: 'onnxruntime-web, WebGL backend, in headless Chromium',
  },
  {
    id: 'tfjs:cpu',
    runtime: 'tfjs',
    backend: 'cpu',
    environment: 'node',
    adapterModule: '@crossrt/runtime-tfjs',
    description: 'TensorFlow.js, JavaScript CPU kernels (tfjs-backend-cpu), in Node; runs TF.js model.json',
  },
  {
    id: 'tfjs:wasm',
    runtime: 'tfjs',
    backend: 'wasm',
    environment: 'node',
    adapterModule: '@crossrt/runtime-tfjs',
    description: 'TensorFlow.js, WebAssembly backend (tfjs-backend-wasm, XNNPACK), in Node; runs TF.js model.json',
  },
  {
    id: 'tfjs-node:tensorflow',
    runtime: 'tfjs-node',
    backend: 'tensorflow',
    environment: 'node',
    adapterModule: '@crossrt/runtime-tfjs',
    description: 'TensorFlow.js with libtensorflow (@tensorflow/tfjs-node, optional dependency); runs TF.js model.json',
  },
  {
    id: 'tfjs:webgl@chromium',
    runtime: 'tfjs',
    backend: 'webgl',
    environment: 'chromium',
    adapterModule: '@crossrt/runtime-tfjs/chromium',
    description: 'TensorFlow.js, WebGL backend, in headless Chromium (SwiftShader when no GPU); runs TF.js model.json',
  },
  {
    id: 'tfjs:webgpu@chromium',
    runtime: 'tfjs',
    backend: 'webgpu',
    environment: 'chromium',
    adapterModule: '@crossrt/runtime-tfjs/chromium',
    description:
      'TensorFlow.js, WebGPU backend, in headless Chromium (SwiftShader adapter without a GPU); runs TF.js model.json',
  },
];

export function findTarget(id: string): TargetDescriptor {
  const parsed = parseTargetId(id);
  const known = TARGET_CATALOGUE.map((t) => t.id).join(', ');
  if (!parsed)
    throw new CrossrtError(
      'UNKNOWN_TARGET',
      `"${id}" is not a target id (runtime:backend[@environment])`,
      `known targets: ${known}`,
    );
  const t = TARGET_CATALOGUE.find((d) => d.id === id);
  if (!t)
    throw new CrossrtError(
      'UNKNOWN_TARGET',
      `unknown target "${id}"`,
      `known targets: ${known}; run \`crossrt targets\``,
    );
  return t;
}

export function parseTargetList(text: string): TargetDescriptor[] {
  const ids = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (ids.length === 0) throw new CrossrtError('USAGE', 'no targets given', 'e.g. --targets ort-node:cpu,ort-web:wasm');
  const dup = ids.find((id, i) => ids.indexOf(id) !== i);
  if (dup) throw new CrossrtError('USAGE', `target ${dup} is listed twice`);
  return ids.map(findTarget);
}
