import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { dirname } from 'node:path';
import type { DeviceInfo } from '@crossrt/core';

type TfCore = typeof import('@tensorflow/tfjs-core');
type TfConverter = typeof import('@tensorflow/tfjs-converter');
type TfLayers = typeof import('@tensorflow/tfjs-layers');

/** One TF.js module set with one backend active; a host process only ever activates one. */
export interface ActiveTfjs {
  readonly tf: TfCore;
  readonly converter: Pick<TfConverter, 'loadGraphModel'>;
  readonly layers: Pick<TfLayers, 'loadLayersModel'>;
  readonly backend: string;
  readonly device: DeviceInfo;
}

export type BackendActivation =
  | { readonly ok: true; readonly active: ActiveTfjs }
  | { readonly ok: false; readonly reason: string; readonly version?: string };

// The tfjs packages ship CommonJS node bundles (no `exports` map); requiring them gives one shared
// tfjs-core instance, which the backends register into.
const require = createRequire(import.meta.url);

export const TFJS_NODE_PACKAGE = '@tensorflow/tfjs-node';

/** tfjs-node must match tfjs-core's version: both register into one TF.js engine. */
function tfjsCoreVersion(): string {
  try {
    return (require('@tensorflow/tfjs-core/package.json') as { version: string }).version;
  } catch {
    return '4';
  }
}

function firstLine(e: unknown): string {
  return (
    (e instanceof Error ? e.message : String(e))
      .split('\n')
      .find((l) => l.trim() !== '')
      ?.trim() ?? String(e)
  );
}

let activation: Promise<BackendActivation> | undefined;
let activatedFor: string | undefined;

/** Import tfjs and make `backend` active, once per process. Never throws: failure is a reason. */
export function activateBackend(backend: string): Promise<BackendActivation> {
  if (activation && activatedFor !== backend) {
    return Promise.resolve({
      ok: false,
      reason: `this host already runs TF.js backend ${activatedFor}; one backend per host process`,
    });
  }
  activatedFor = backend;
  activation ??= activate(backend);
  return activation;
}

async function activate(backend: string): Promise<BackendActivation> {
  if (backend === 'tensorflow') return activateTfjsNode();
  if (backend !== 'cpu' && backend !== 'wasm')
    return {
      ok: false,
      reason: `TF.js in Node has no "${backend}" backend in crossrt (cpu, wasm; tfjs-node:tensorflow)`,
    };
  let tf: TfCore;
  try {
    tf = require('@tensorflow/tfjs-core') as TfCore;
    require('@tensorflow/tfjs-backend-cpu');
  } catch (e) {
    return { ok: false, reason: `@tensorflow/tfjs-core or tfjs-backend-cpu cannot be loaded: ${firstLine(e)}` };
  }
  const version = tf.version_core;
  if (backend === 'wasm') {
    try {
      const wasm = require('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
      // Node: the .wasm binaries are read from the package's dist folder (a file path, never a URL).
      wasm.setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))}/`);
    } catch (e) {
      return { ok: false, reason: `@tensorflow/tfjs-backend-wasm cannot be loaded: ${firstLine(e)}`, version };
    }
  }
  let set: boolean;
  try {
    set = await tf.setBackend(backend);
  } catch (e) {
    return { ok: false, reason: `TF.js backend ${backend} failed to initialize: ${firstLine(e)}`, version };
  }
  // setBackend resolves false (and tfjs keeps another backend) when initialization fails: check.
  if (!set || tf.getBackend() !== backend)
    return { ok: false, reason: `TF.js backend ${backend} did not initialize (active: ${tf.getBackend()})`, version };
  await tf.ready();
  const converter = require('@tensorflow/tfjs-converter') as TfConverter;
  const layers = require('@tensorflow/tfjs-layers') as TfLayers;
  const device: DeviceInfo =
    backend === 'wasm'
      ? {
          kind: 'wasm',
          description: 'WebAssembly (Node)',
          runtime: 'tfjs-backend-wasm',
          runtimeVersion: version,
          threads: (await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')) ? (wasmThreads(tf) ?? 1) : 1,
          simd: Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')),
          details: { backend: 'wasm', executionProvider: 'tfjs-wasm' },
        }
      : {
          kind: 'cpu',
          description: `${cpus()[0]?.model ?? 'cpu'} (TF.js JavaScript kernels)`,
          runtime: 'tfjs-backend-cpu',
          runtimeVersion: version,
          threads: 1,
          details: { backend: 'cpu', executionProvider: 'tfjs-cpu' },
        };
  return { ok: true, active: { tf, converter, layers, backend, device } };
}

function wasmThreads(tf: TfCore): number | undefined {
  const b = tf.backend() as unknown as { wasm?: { _getThreadsCount?: () => number } };
  return b.wasm?._getThreadsCount?.();
}

/**
 * @tensorflow/tfjs-node is an optional dependency: its install script downloads libtensorflow, which
 * fails offline, and npm then drops the package. Either case is reported with the exact reason.
 */
async function activateTfjsNode(): Promise<BackendActivation> {
  let resolved: string;
  try {
    resolved = require.resolve(TFJS_NODE_PACKAGE);
  } catch {
    return {
      ok: false,
      reason: `${TFJS_NODE_PACKAGE} is not installed: it is optional because its install script downloads libtensorflow (npm drops it when that fails, e.g. offline); add it with npm install -D ${TFJS_NODE_PACKAGE}@${tfjsCoreVersion()}`,
    };
  }
  let tfn: TfCore & TfConverter & TfLayers;
  try {
    tfn = require(resolved) as TfCore & TfConverter & TfLayers;
  } catch (e) {
    return {
      ok: false,
      reason: `${TFJS_NODE_PACKAGE} is installed but its native binding does not load: ${firstLine(e)}`,
    };
  }
  try {
    await tfn.setBackend('tensorflow');
    await tfn.ready();
  } catch (e) {
    return {
      ok: false,
      reason: `${TFJS_NODE_PACKAGE} loaded but backend "tensorflow" failed: ${firstLine(e)}`,
      version: tfn.version_core,
    };
  }
  if (tfn.getBackend() !== 'tensorflow')
    return {
      ok: false,
      reason: `${TFJS_NODE_PACKAGE} loaded but the active backend is ${tfn.getBackend()}`,
      version: tfn.version_core,
    };
  return {
    ok: true,
    active: {
      tf: tfn,
      converter: tfn,
      layers: tfn,
      backend: 'tensorflow',
      device: {
        kind: 'cpu',
        description: `${cpus()[0]?.model ?? 'cpu'} (libtensorflow)`,
        runtime: 'tfjs-node',
        runtimeVersion: tfn.version_core,
        threads: cpus().length,
        details: { backend: 'tensorflow', executionProvider: 'tfjs-tensorflow' },
      },
    },
  };
}
