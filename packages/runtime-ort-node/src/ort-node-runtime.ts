import { cpus } from 'node:os';
import * as ort from 'onnxruntime-node';
import { bridgeOrtSession, RuntimeStageError, timedLoad, type LoadRequest, type LoadedSession, type ProbeResult, type Runtime } from '@crossrt/runtime';

const EP_BY_BACKEND: Record<string, { ep: string; epName: string }> = {
  cpu: { ep: 'cpu', epName: 'CPUExecutionProvider' },
};

/** onnxruntime-node: native CPU EP. The model is passed by path, so ORT maps it once (no JS copy). */
export function createRuntime(): Runtime {
  const version = ort.env.versions.node ?? ort.env.versions.common ?? 'unknown';
  return {
    name: 'ort-node',
    async probe(backend: string): Promise<ProbeResult> {
      if (!EP_BY_BACKEND[backend]) return { available: false, reason: `onnxruntime-node has no "${backend}" backend in crossrt`, runtimeVersion: version };
      return { available: true, reason: `onnxruntime-node ${version} native binding loaded`, runtimeVersion: version };
    },
    async load(req: LoadRequest): Promise<LoadedSession> {
      const ep = EP_BY_BACKEND[req.backend];
      if (!ep) throw new RuntimeStageError('load', `unsupported backend ${req.backend}`);
      const { session, loadMs } = await timedLoad(() => ort.InferenceSession.create(req.modelPath, {
        executionProviders: [ep.ep],
        // Severity 0 (verbose) makes ORT print its "Node placements" block to stderr; the host parses it.
        logSeverityLevel: req.placementLog ? 0 : 3,
      }));
      return {
        loadMs,
        device: { kind: 'cpu', description: cpus()[0]?.model ?? 'cpu', runtime: 'onnxruntime-node', runtimeVersion: version, threads: cpus().length, details: { executionProvider: ep.epName } },
        session: bridgeOrtSession(session, (f) => new ort.Tensor(f.type as ort.Tensor.Type, f.data as ort.Tensor.DataType, f.dims)),
      };
    },
  };
}

/** Name ORT uses for the EP in logs, for placement checks. */
export function executionProviderName(backend: string): string | undefined {
  return EP_BY_BACKEND[backend]?.epName;
}
