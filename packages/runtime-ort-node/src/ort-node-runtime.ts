import { cpus } from 'node:os';
import * as ort from 'onnxruntime-node';
import type { DeviceInfo } from '@crossrt/core';
import {
  HOST_ENVIRONMENT_VAR,
  RuntimeFailure,
  type LoadRequest,
  type LoadedSession,
  type ProbeResult,
  type Runtime,
  type WarmRequest,
} from '@crossrt/runtime';
import { bridgeOrtSession, timedLoad, warmupModelBytes } from '@crossrt/runtime-ort-common';
import { describeWebGpuAdapter } from './webgpu-adapter-info.js';

// os.cpus() reads /proc/cpuinfo on every call (0.2 ms): once per host is enough.
const CPU_LIST = cpus();
const CPU_MODEL = CPU_LIST[0]?.model ?? 'cpu';
const CPU_COUNT = CPU_LIST.length;

const EP_BY_BACKEND: Record<string, { ep: string; epName: string }> = {
  cpu: { ep: 'cpu', epName: 'CPUExecutionProvider' },
  webgpu: { ep: 'webgpu', epName: 'WebGpuExecutionProvider' },
};

/** Creating a session on the warm-up model proves the WebGPU EP finds an adapter: what probe() must answer. */
const PROBE_MODEL = warmupModelBytes();

/**
 * onnxruntime-node: native CPU EP and the bundled WebGPU EP (Dawn). The model is passed by path, so
 * ORT maps it once (no JS copy). The WebGPU host process is started in the environment the catalogue
 * chose (system driver, else SwiftShader Vulkan); device info says which one this is.
 */
export function createRuntime(): Runtime {
  const version = ort.env.versions.node ?? ort.env.versions.common ?? 'unknown';
  return {
    name: 'ort-node',
    async probe(backend: string): Promise<ProbeResult> {
      const ep = EP_BY_BACKEND[backend];
      if (!ep)
        return {
          available: false,
          reason: `onnxruntime-node has no "${backend}" backend in crossrt`,
          runtimeVersion: version,
        };
      if (backend === 'webgpu') {
        try {
          const s = await ort.InferenceSession.create(PROBE_MODEL, {
            executionProviders: ['webgpu'],
            logSeverityLevel: 3,
          });
          await s.release();
        } catch (e) {
          return { available: false, reason: `WebGPU EP found no adapter: ${firstLine(e)}`, runtimeVersion: version };
        }
        return {
          available: true,
          reason: `onnxruntime-node ${version} WebGPU EP on ${describeWebGpuAdapter(process.env).description}`,
          runtimeVersion: version,
        };
      }
      return { available: true, reason: `onnxruntime-node ${version} native binding loaded`, runtimeVersion: version };
    },
    async warm(req: WarmRequest): Promise<void> {
      // The first session of a process sets up ORT's environment and kernel registry.
      const session = await ort.InferenceSession.create(PROBE_MODEL, { ...sessionOptions(req), logSeverityLevel: 3 });
      await session.run({ x: new ort.Tensor('float32', new Float32Array([-1, 0, 2, -3]), [4]) });
      await session.release();
    },
    async load(req: LoadRequest): Promise<LoadedSession> {
      const ep = EP_BY_BACKEND[req.backend];
      if (!ep) throw new RuntimeFailure('load-error', `unsupported backend ${req.backend}`);
      const { session, loadMs } = await timedLoad(() =>
        ort.InferenceSession.create(req.modelPath, sessionOptions(req)),
      );
      return {
        loadMs,
        device: req.backend === 'webgpu' ? webGpuDevice(version) : cpuDevice(version, ep.epName, req.threads),
        session: bridgeOrtSession(
          session,
          (f) => new ort.Tensor(f.type as ort.Tensor.Type, f.data as ort.Tensor.DataType, f.dims),
        ),
      };
    },
  };
}

function sessionOptions(req: WarmRequest): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: [EP_BY_BACKEND[req.backend]?.ep ?? req.backend],
    // Severity 0 (verbose) makes ORT print its "Node placements" block to stderr; the host parses it.
    logSeverityLevel: req.placementLog ? 0 : 3,
    // One intra-op thread when hosts run side by side: ORT's spinning pool threads would fight each other.
    ...(req.threads ? { intraOpNumThreads: req.threads, interOpNumThreads: 1 } : {}),
  };
}

/** `threads`: the session's intra-op threads when the harness set them, else ORT's default (one per core). */
function cpuDevice(version: string, epName: string, threads?: number): DeviceInfo {
  return {
    kind: 'cpu',
    description: CPU_MODEL,
    runtime: 'onnxruntime-node',
    runtimeVersion: version,
    threads: threads ?? CPU_COUNT,
    details: { executionProvider: epName },
  };
}

function webGpuDevice(version: string): DeviceInfo {
  const adapter = describeWebGpuAdapter(process.env);
  return {
    kind: 'gpu',
    description: adapter.description,
    runtime: 'onnxruntime-node',
    runtimeVersion: version,
    details: {
      executionProvider: 'WebGpuExecutionProvider',
      adapterVendor: adapter.vendor,
      adapterArchitecture: adapter.architecture,
      adapterSource: adapter.source,
      hostEnvironment:
        process.env[HOST_ENVIRONMENT_VAR] === 'swiftshader'
          ? 'swiftshader (no other WebGPU adapter worked on this machine)'
          : (process.env[HOST_ENVIRONMENT_VAR] ?? 'system'),
    },
  };
}

function firstLine(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  const line = text.split('\n')[0] ?? text;
  // ORT prefixes source paths; the sentence after the last "false. " is the useful part.
  return line.includes('was false. ') ? line.slice(line.lastIndexOf('was false. ') + 11) : line;
}

/** Name ORT uses for the EP in logs, for placement checks. */
export function executionProviderName(backend: string): string | undefined {
  return EP_BY_BACKEND[backend]?.epName;
}
