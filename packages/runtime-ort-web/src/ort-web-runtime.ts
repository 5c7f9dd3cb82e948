import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import * as ort from 'onnxruntime-web';
import {
  RuntimeFailure,
  type LoadRequest,
  type LoadedSession,
  type ProbeResult,
  type Runtime,
  type WarmRequest,
} from '@crossrt/runtime';
import { bridgeOrtSession, timedLoad, warmupModelBytes } from '@crossrt/runtime-ort-common';

/**
 * onnxruntime-web's WebAssembly backend running in Node. The wasm binary ships in the package, so
 * nothing is fetched. With placement logging on, ORT's verbose log (printed by the wasm module to
 * stdout/stderr) carries the same "Node placements" block as onnxruntime-node's, so the host parses it.
 */
export function createRuntime(): Runtime {
  const version = ort.env.versions.web ?? ort.env.versions.common ?? 'unknown';
  return {
    name: 'ort-web',
    async probe(backend: string): Promise<ProbeResult> {
      if (backend !== 'wasm')
        return {
          available: false,
          reason: `onnxruntime-web in Node only runs the "wasm" backend (asked: ${backend})`,
          runtimeVersion: version,
        };
      if (!('WebAssembly' in globalThis))
        return { available: false, reason: 'this Node has no WebAssembly', runtimeVersion: version };
      return { available: true, reason: `onnxruntime-web ${version} (wasm) importable`, runtimeVersion: version };
    },
    async warm(req: WarmRequest): Promise<void> {
      // The first session compiles and starts the 14 MB wasm module (~200 ms): do it before any model arrives.
      const session = await ort.InferenceSession.create(warmupModelBytes(), { ...startWasm(req), logSeverityLevel: 3 });
      ort.env.logLevel = 'warning';
      await session.run({ x: new ort.Tensor('float32', new Float32Array([-1, 0, 2, -3]), [4]) });
      await session.release();
    },
    async load(req: LoadRequest): Promise<LoadedSession> {
      if (req.backend !== 'wasm') throw new RuntimeFailure('load-error', `unsupported backend ${req.backend}`);
      const bytes = new Uint8Array(readFileSync(req.modelPath));
      const options = startWasm(req);
      let created;
      try {
        created = await timedLoad(() => ort.InferenceSession.create(bytes, options));
      } catch (e) {
        // The wasm build has no file system: tensors stored in external files must be handed over as
        // bytes. Only models that need it pay for decoding (crossrt's model package checks the locations).
        if (!/external data|MountedFiles/i.test((e as Error).message)) throw e;
        created = await timedLoad(async () =>
          ort.InferenceSession.create(bytes, { ...options, externalData: await externalDataBytes(req.modelPath) }),
        );
      }
      const { session, loadMs } = created;
      ort.env.logLevel = 'warning';
      return {
        loadMs,
        device: {
          kind: 'wasm',
          description: 'WebAssembly (Node)',
          runtime: 'onnxruntime-web',
          runtimeVersion: version,
          threads: typeof ort.env.wasm.numThreads === 'number' ? ort.env.wasm.numThreads : 1,
          simd: ort.env.wasm.simd !== false,
          details: { executionProvider: 'CPUExecutionProvider' },
        },
        session: bridgeOrtSession(
          session,
          (f) => new ort.Tensor(f.type as ort.Tensor.Type, f.data as ort.Tensor.DataType, f.dims),
        ),
      };
    },
  };
}

/**
 * Session options for `req`, after setting what the wasm module reads when it first starts (the first
 * session of this host, a warm-up included): its own log level (verbose from the start when placement
 * is logged) and its thread count.
 */
function startWasm(req: WarmRequest): ort.InferenceSession.SessionOptions {
  if (req.placementLog) ort.env.logLevel = 'verbose';
  if (req.threads) ort.env.wasm.numThreads = req.threads;
  return { executionProviders: ['wasm'], logSeverityLevel: req.placementLog ? 0 : 3, logVerbosityLevel: 0 };
}

/** The model's external data files as `{ path, data }`, located safely by @crossrt/model. */
async function externalDataBytes(modelPath: string): Promise<{ path: string; data: Uint8Array }[]> {
  // Imported here, not at the top: most models need no external data, and the host starts faster without it.
  const { externalDataFiles, readModelFile } = await import('@crossrt/model');
  const model = await readModelFile(modelPath);
  return externalDataFiles(model.externalData).map(({ path, file }) => ({ path, data: readWholeFile(file) }));
}

/** A file's bytes in one array, read in chunks: readFileSync refuses files over 2 GiB, and data files of large models are. */
function readWholeFile(file: string): Uint8Array {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const out = new Uint8Array(size);
    for (let at = 0; at < size;) {
      const n = readSync(fd, out, at, Math.min(1 << 28, size - at), at);
      if (n === 0) break;
      at += n;
    }
    return out;
  } finally {
    closeSync(fd);
  }
}
