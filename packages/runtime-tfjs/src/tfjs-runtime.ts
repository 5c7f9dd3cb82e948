import { performance } from 'node:perf_hooks';
import { describeError, isCrossrtError, type HostTensor } from '@crossrt/core/base';
import { readTfjsModelArtifacts, type TfjsModelArtifacts } from '@crossrt/model';
import {
  RuntimeFailure,
  type LoadRequest,
  type LoadedSession,
  type ProbeResult,
  type Runtime,
  type RuntimeSession,
} from '@crossrt/runtime';
import { activateBackend, type ActiveTfjs } from './tfjs-backends.js';
import { fromTfjsFields, toTfjsFields, type TfjsDType } from './tfjs-tensor-bridge.js';

type Tensor = import('@tensorflow/tfjs-core').Tensor;
type NamedTensorMap = Record<string, Tensor>;

/**
 * TensorFlow.js in Node: `tfjs:cpu` (JavaScript kernels), `tfjs:wasm` (XNNPACK in WebAssembly) and
 * `tfjs-node:tensorflow` (libtensorflow, when the optional @tensorflow/tfjs-node loads). The model path
 * is a model.json; weights are read from disk and handed over in memory, never fetched.
 */
export function createRuntime(): Runtime {
  return {
    name: 'tfjs',
    async probe(backend: string): Promise<ProbeResult> {
      const a = await activateBackend(backend);
      if (!a.ok) return { available: false, reason: a.reason, ...(a.version ? { runtimeVersion: a.version } : {}) };
      const d = a.active.device;
      return {
        available: true,
        reason: `${d.runtime} ${d.runtimeVersion} active (${d.description})`,
        runtimeVersion: d.runtimeVersion,
      };
    },
    async load(req: LoadRequest): Promise<LoadedSession> {
      const a = await activateBackend(req.backend);
      if (!a.ok) throw new RuntimeFailure('unavailable', a.reason, 'TARGET_UNAVAILABLE');
      if (/\.onnx$/i.test(req.modelPath)) {
        throw new RuntimeFailure(
          'load-error',
          `TF.js targets run a TF.js model.json, not an ONNX file (${req.modelPath}); to compare an ONNX model with its TF.js conversion use \`crossrt pair\``,
          'MODEL_INVALID',
        );
      }
      let artifacts: TfjsModelArtifacts;
      try {
        artifacts = await readTfjsModelArtifacts(req.modelPath);
      } catch (e) {
        throw new RuntimeFailure('load-error', describeError(e), isCrossrtError(e) ? e.code : undefined);
      }
      const t0 = performance.now();
      let session: RuntimeSession;
      try {
        session =
          artifacts.format === 'graph-model'
            ? await loadGraph(a.active, artifacts)
            : await loadLayers(a.active, artifacts);
      } catch (e) {
        throw new RuntimeFailure('load-error', describeError(e));
      }
      const loadMs = performance.now() - t0;
      return {
        loadMs,
        device: { ...a.active.device, details: { ...a.active.device.details, modelFormat: artifacts.format } },
        // TF.js has no per-kernel fallback: a kernel missing on the active backend throws. What can
        // silently change is the backend itself, so the active one is checked at activation and stated here.
        placement: {
          source: 'requested',
          providers: [{ ep: String(a.active.device.details['executionProvider']), nodes: nodeCount(artifacts) }],
          fallbackNodes: [],
        },
        session,
      };
    },
  };
}

function nodeCount(a: TfjsModelArtifacts): number {
  const t = a.json.modelTopology as {
    node?: unknown[];
    model_config?: { config?: { layers?: unknown[] } };
    config?: { layers?: unknown[] };
  };
  return t.node?.length ?? t.model_config?.config?.layers?.length ?? t.config?.layers?.length ?? 0;
}

function handler(active: ActiveTfjs, a: TfjsModelArtifacts) {
  return active.tf.io.fromMemory({
    modelTopology: a.json.modelTopology as object,
    weightSpecs: a.weightSpecs as never,
    weightData: a.weightData,
    ...(a.json.format ? { format: a.json.format } : {}),
    ...(a.json.signature ? { signature: a.json.signature as object } : {}),
    ...(a.json.modelInitializer ? { modelInitializer: a.json.modelInitializer as object } : {}),
  });
}

function feedsToTensors(active: ActiveTfjs, feeds: Readonly<Record<string, HostTensor>>): NamedTensorMap {
  const out: NamedTensorMap = {};
  for (const [name, t] of Object.entries(feeds)) {
    const f = toTfjsFields(name, t);
    out[name] = active.tf.tensor(f.values as never, [...f.shape], f.dtype);
  }
  return out;
}

async function readOutputs(names: readonly string[], tensors: readonly Tensor[]): Promise<Record<string, HostTensor>> {
  const outputs: Record<string, HostTensor> = {};
  for (const [i, t] of tensors.entries()) {
    const name = names[i]!;
    const values = (await t.data()) as Float32Array | Int32Array | Uint8Array | string[];
    outputs[name] = fromTfjsFields(name, { dtype: t.dtype as TfjsDType, shape: t.shape, values });
  }
  return outputs;
}

async function timedRun(
  active: ActiveTfjs,
  feeds: Readonly<Record<string, HostTensor>>,
  outputNames: readonly string[],
  exec: (inputs: NamedTensorMap) => Promise<Tensor[]>,
) {
  const inputs = feedsToTensors(active, feeds);
  let produced: Tensor[] = [];
  try {
    const t0 = performance.now();
    try {
      produced = await exec(inputs);
      // Kernels on wasm/cpu run when called; reading the data is part of the work on async backends.
      const outputs = await readOutputs(outputNames, produced);
      return { outputs, runMs: performance.now() - t0 };
    } catch (e) {
      throw new RuntimeFailure('run-error', describeError(e), isCrossrtError(e) ? e.code : undefined);
    }
  } finally {
    active.tf.dispose([...Object.values(inputs), ...produced]);
  }
}

async function loadGraph(active: ActiveTfjs, a: TfjsModelArtifacts): Promise<RuntimeSession> {
  const model = await active.converter.loadGraphModel(handler(active, a));
  // inputNodes/outputNodes are the signature keys when model.json has a signature, node names otherwise.
  const inputNames = [...model.inputNodes];
  const outputNames = [...model.outputNodes];
  let needsAsync = false;
  return {
    inputNames,
    outputNames,
    run: (feeds) =>
      timedRun(active, feeds, outputNames, async (inputs) => {
        if (!needsAsync) {
          try {
            const r = model.execute(inputs, outputNames);
            return Array.isArray(r) ? r : [r];
          } catch (e) {
            // Control flow or dynamic shapes (NonMaxSuppression, While) need executeAsync; remember that.
            if (!/executeAsync/.test((e as Error).message)) throw e;
            needsAsync = true;
          }
        }
        const r = await model.executeAsync(inputs, outputNames);
        return Array.isArray(r) ? r : [r];
      }),
    async dispose() {
      model.dispose();
    },
  };
}

async function loadLayers(active: ActiveTfjs, a: TfjsModelArtifacts): Promise<RuntimeSession> {
  const model = await active.layers.loadLayersModel(handler(active, a));
  // A loaded Sequential fills inputNames/outputNames only once built; build() wires its inner model.
  if (model.inputNames.length === 0 && 'build' in model && typeof model.build === 'function')
    (model as unknown as { build(): void }).build();
  const inputNames = [...model.inputNames];
  const outputNames = [...model.outputNames];
  return {
    inputNames,
    outputNames,
    run: (feeds) =>
      timedRun(active, feeds, outputNames, async (inputs) => {
        const missing = inputNames.filter((n) => !(n in inputs));
        if (missing.length > 0)
          throw new RuntimeFailure(
            'run-error',
            `missing input(s) ${missing.join(', ')}; the model takes ${inputNames.join(', ')}`,
          );
        const r = model.predict(inputNames.map((n) => inputs[n]!));
        return Array.isArray(r) ? r : [r];
      }),
    async dispose() {
      model.dispose();
    },
  };
}
