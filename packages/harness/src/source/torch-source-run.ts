import { mkdirSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import {
  CrossrtError, isCrossrtError, type CaseResult, type Comparison, type ExportSettings, type HostTensor, type Localization, type Report,
  type RunOutcome, type SourceRecord, type Tolerance, type TolerancePolicy,
} from '@crossrt/core';
import { compareOutput, policyFromTolerance } from '@crossrt/compare';
import { decodeNpz, encodeNpz, modelSignature, readModelFile } from '@crossrt/model';
import { TorchSource, type TensorSpec, type TorchBuild, type TorchModuleCall } from '@crossrt/python-bridge';
import { threadsPerSession, type TargetDescriptor } from '@crossrt/runtime';
import { inputPlanRecord, prepareInputSets, type InputSettings } from '../input-settings.js';
import { applyPlacementVerdicts } from '../placement-verdict.js';
import { buildReport, caseError, caseVerdict, modelRecord } from '../report-builder.js';
import { executeOnTarget, TargetPool } from '../target-execution.js';
import { localizeAgainstSource } from './torch-layerwise.js';

/**
 * Tolerance of an fp32 runtime against fp32 PyTorch: the ONNX backend suite's rtol 1e-3 with an atol
 * of 1e-5, since kernels sum in other orders than PyTorch's and activations of random-weight networks
 * cancel to near zero (measured: see the README's torch section).
 */
export const SOURCE_TOLERANCE: Tolerance = { rtol: 1e-3, atol: 1e-5, source: 'oracle-default' };

export interface ExportMatrix {
  readonly opsets: readonly number[];
  /** Constant folding settings to export with (default: on only). */
  readonly constantFolding?: readonly boolean[];
  /** Export once with static shapes and, when given, once with these axes dynamic. */
  readonly dynamicAxes?: Readonly<Record<string, readonly number[]>>;
}

export interface TorchRunOptions {
  /** `models.py:build`: a Python callable returning an nn.Module, or (module, {input: shape}). */
  readonly callable: string;
  readonly kwargs?: Record<string, unknown>;
  /** Input shapes (override or complete what the builder declares); dtype float32 unless `dtypes`. */
  readonly shapes?: Readonly<Record<string, readonly number[]>>;
  readonly dtypes?: Readonly<Record<string, string>>;
  readonly matrix: ExportMatrix;
  readonly targets: readonly TargetDescriptor[];
  readonly seed?: number;
  readonly inputs?: InputSettings;
  readonly tolerance?: Tolerance;
  readonly policy?: TolerancePolicy;
  /** `auto`: module-level comparison when an output disagrees; `always`: also when all pass. */
  readonly layerwise?: 'auto' | 'always' | 'off';
  /** SNR floor for module outputs in layer-wise comparisons (default DEFAULT_LAYER_SNR_DB). */
  readonly minLayerSnrDb?: number;
  /** Where exported models are written (kept, to inspect or re-run). */
  readonly outDir: string;
  readonly timeoutMs?: number;
  /** Working directory of the Python bridge (the callable's path is relative to it). */
  readonly cwd?: string;
  readonly onCase?: (result: CaseResult, done: number, total: number) => void;
}

/** Every point of the export matrix, in a stable order (opset, then folding, then static/dynamic). */
export function exportPoints(m: ExportMatrix): ExportSettings[] {
  const folds = m.constantFolding?.length ? m.constantFolding : [true];
  const dyn = m.dynamicAxes && Object.keys(m.dynamicAxes).length ? [{}, Object.fromEntries(Object.entries(m.dynamicAxes).map(([k, v]) => [k, [...v]]))] : [{}];
  return m.opsets.flatMap((opset) => folds.flatMap((constantFolding) => dyn.map((dynamicAxes) => ({ exporter: 'torch.onnx.export', opset, constantFolding, dynamicAxes }))));
}

export function pointId(name: string, p: ExportSettings): string {
  return `${name}@opset${p.opset}${p.constantFolding ? '' : '-nofold'}${Object.keys(p.dynamicAxes).length ? '-dynamic' : ''}`;
}

/**
 * `crossrt torch`: build the module once (seeded), export it at every point of the matrix with
 * torch.onnx.export (the converter under test), run each export on every target and PyTorch itself
 * on the same inputs, judge every target against PyTorch, and trace a divergence to the module.
 */
export async function runTorchSource(options: TorchRunOptions): Promise<Report> {
  const seed = options.seed ?? 0;
  const tolerance = options.tolerance ?? SOURCE_TOLERANCE;
  const policy: TolerancePolicy = { ...policyFromTolerance(tolerance), ...options.policy };
  const name = callableName(options.callable);
  const points = exportPoints(options.matrix);
  mkdirSync(resolve(options.outDir), { recursive: true });
  const source = await TorchSource.start(options.cwd ? { cwd: options.cwd } : {});
  const pool = new TargetPool({ threadsPerHost: threadsPerSession(options.targets.length), ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}) });
  pool.prewarm(options.targets);
  const tmp = await mkdtemp(join(tmpdir(), 'crossrt-torch-'));
  const cases: CaseResult[] = [];
  try {
    let built: TorchBuild | undefined;
    let buildError: CrossrtError | undefined;
    try {
      built = await source.build(options.callable, seed, options.kwargs);
    } catch (e) {
      if (!isCrossrtError(e)) throw e;
      buildError = e;
    }
    const forwards = new ForwardCache(source, tmp);
    for (const point of points) {
      const id = pointId(name, point);
      const result = built ? await runPoint(id, point, built, source, forwards, pool, { ...options, seed, tolerance, policy }) : withBridgeTail(caseError(id, buildError!), source);
      cases.push(result);
      options.onCase?.(result, cases.length, points.length);
      if (!source.alive) {
        // The bridge died (a native crash in torch): the remaining points cannot run in it.
        for (const rest of points.slice(cases.length)) {
          const e = new CrossrtError('SOURCE_BRIDGE_FAILED', 'the Python bridge died on an earlier export point', 'see that case\'s log tail');
          cases.push(caseError(pointId(name, rest), e));
        }
        break;
      }
    }
  } finally {
    await Promise.all([source.close(), pool.close(), rm(tmp, { recursive: true, force: true })]);
  }
  return buildReport('torch', {
    targets: options.targets.map((t) => t.id), reference: 'torch', seed, tolerance, defaultDim: 1, inputPlan: inputPlanRecord(options.inputs),
  }, cases);
}

function callableName(callable: string): string {
  const [file, fn] = [callable.slice(0, callable.lastIndexOf(':')), callable.slice(callable.lastIndexOf(':') + 1)];
  return `${basename(file).replace(/\.py$/, '')}.${fn}`;
}

type PointOptions = TorchRunOptions & { seed: number; tolerance: Tolerance; policy: TolerancePolicy };

async function runPoint(
  id: string, point: ExportSettings, built: TorchBuild, source: TorchSource, forwards: ForwardCache, pool: TargetPool, o: PointOptions,
): Promise<CaseResult> {
  let specs: TensorSpec[];
  try {
    specs = inputSpecs(built, o);
  } catch (e) {
    if (!isCrossrtError(e)) throw e;
    return caseError(id, e);
  }
  const out = resolve(o.outDir, `${id}.onnx`);
  const base: Omit<SourceRecord, 'failureClass' | 'reason' | 'exporterVersion'> = {
    framework: 'torch', frameworkVersion: String(source.versions['torch'] ?? '?'),
    python: { path: source.python.path, version: source.python.version, chosenBy: source.python.chosenBy },
    callable: o.callable, moduleClass: built.moduleClass, export: point, warnings: [], outputs: [],
  };
  let exported;
  try {
    exported = await source.export(built.handle, { out, inputs: specs, opset: point.opset, constantFolding: point.constantFolding, dynamicAxes: point.dynamicAxes, seed: o.seed });
  } catch (e) {
    if (!isCrossrtError(e)) throw e;
    return withBridgeTail(caseError(id, e), source);
  }
  const record: SourceRecord = {
    ...base, exporterVersion: exported.exporterVersion, warnings: exported.warnings, exportMs: exported.exportMs,
    ...(exported.checker ? { checker: exported.checker } : {}), failureClass: 'pass', reason: '',
  };
  if (exported.exportError) {
    const x = exported.exportError;
    return {
      id, inputs: [], dims: [], outcomes: [], comparisons: [], verdict: 'convert-error',
      source: { ...record, failureClass: 'export-error', reason: `torch.onnx.export raised ${x.type}: ${x.message}`, exportError: x },
    };
  }
  // The exported model is read like any model: its signature decides the inputs crossrt makes.
  let model;
  let feedsSets: { name: string; tensors: ReadonlyMap<string, HostTensor> }[];
  let inputs;
  try {
    model = await readModelFile(out);
    const signature = modelSignature(model.proto);
    inputs = await prepareInputSets(signature.inputs, [model.proto], o.seed, { shapes: Object.fromEntries(specs.map((s) => [s.name, s.dims])) }, o.inputs);
    feedsSets = inputs.sets.map((s) => ({ name: s.name, tensors: s.tensors }));
  } catch (e) {
    if (!isCrossrtError(e)) throw e;
    return { ...caseError(id, e), source: { ...record, failureClass: 'invalid-model', reason: `crossrt cannot read the exported model: ${e.message}` } };
  }
  const mrecord = modelRecord(out, model);
  const signature = modelSignature(model.proto);
  const layerwise = o.layerwise ?? 'auto';

  // PyTorch on the same inputs (the oracle), and every target, side by side.
  const torchRuns = Promise.all(feedsSets.map((s, k) => forwards.run(built.handle, specs, s.tensors, layerwise !== 'off' && k === 0)));
  const executions = await Promise.all(o.targets.map((t) => executeOnTarget(pool, t, out, feedsSets.map((s) => Object.fromEntries(s.tensors)), mrecord.nodes)));
  let oracle: ForwardResult[];
  try {
    oracle = await torchRuns;
  } catch (e) {
    if (!isCrossrtError(e)) throw e;
    return { ...withBridgeTail(caseError(id, e, mrecord), source), outcomes: executions.map((x) => x.outcome), source: { ...record, failureClass: 'pass', reason: 'the source forward failed: nothing to judge against' } };
  }
  const outcomes: RunOutcome[] = executions.map((x) => x.outcome);
  const comparisons: Comparison[] = [];
  o.targets.forEach((t, i) => {
    const exec = executions[i]!;
    if (exec.outcome.status !== 'ok') return;
    feedsSets.forEach((set, k) => {
      for (const { name: output } of signature.outputs) {
        comparisons.push(compareOutput({
          output, target: t.id, reference: 'torch', ...(feedsSets.length > 1 ? { inputSet: set.name } : {}),
          actual: exec.outputs[k]?.get(output), expected: oracle[k]!.outputs.get(output), policy: o.policy, policyBaseSource: o.tolerance.source,
        }));
      }
    });
  });
  const notes: string[] = [];
  if (source.versions['dynamoExporter'] === false) notes.push(`torch ${record.frameworkVersion} has no dynamo exporter (torch.onnx.dynamo_export, torch >= 2.0): only the TorchScript exporter was tested`);
  const extra = oracle[0]!.spec.filter((s) => !signature.outputs.some((x) => x.name === s.name)).map((s) => s.name);
  if (extra.length) notes.push(`PyTorch returned ${extra.join(', ')}, which the exported model does not output (the exporter dropped them)`);

  let localization: Localization | undefined;
  const failing = o.targets.find((t) => comparisons.some((c) => c.target === t.id && c.verdict !== 'pass'));
  const layerTarget = failing ?? (layerwise === 'always' ? o.targets.find((_, i) => executions[i]!.outcome.status === 'ok') : undefined);
  if (layerwise !== 'off' && layerTarget && oracle[0]!.capture) {
    localization = await localizeAgainstSource({
      proto: model.proto, calls: oracle[0]!.capture.calls, captured: oracle[0]!.capture.tensors, feeds: feedsSets[0]!.tensors,
      target: layerTarget, pool, policy: o.policy, ...(o.minLayerSnrDb !== undefined ? { minSnrDb: o.minLayerSnrDb } : {}),
    });
  }
  // The first divergent module is judged like an output, so every reporter (matrix, JUnit, annotations)
  // shows a fault that the outputs mask.
  if (localization?.culprit) comparisons.push(moduleComparison(localization));
  const judged = applyPlacementVerdicts(comparisons, outcomes);
  const { failureClass, reason } = classify(record, outcomes, judged, localization);
  const result: Omit<CaseResult, 'verdict'> = {
    id, model: mrecord, inputs: [...inputs.records], dims: [...inputs.dims], outcomes, comparisons: judged,
    source: { ...record, failureClass, reason, forwardMs: oracle[0]!.forwardMs, outputs: oracle[0]!.spec.map((s) => ({ ...s, dims: [...s.dims] })) },
    ...(localization ? { localization } : {}), ...(notes.length ? { notes } : {}),
  };
  // A divergence found only layer-wise (masked at the outputs) still fails the case.
  const verdict = failureClass === 'pass' ? caseVerdict(result) : 'fail';
  return { ...result, verdict };
}

function moduleComparison(l: Localization): Comparison {
  const c = l.culprit!;
  const node = l.nodes.find((n) => n.index === c.index);
  const out = node?.outputs.find((o) => o.verdict !== 'pass' && o.verdict !== 'unavailable');
  const verdict = out?.verdict === 'shape' || out?.verdict === 'dtype' || out?.verdict === 'nan-inf' ? out.verdict : 'mismatch';
  return {
    output: `${c.node} [module]`, target: l.actual, reference: 'torch', tolerance: l.tolerance, verdict, reason: c.reason,
    dtype: out?.dtype ? { actual: out.dtype, reference: out.dtype } : {}, dims: out?.dims ? { reference: out.dims } : {},
  };
}

/** The failure class of the converter failure study, from the checker, the targets and the numbers. */
export function classify(
  record: Pick<SourceRecord, 'checker'>, outcomes: readonly RunOutcome[], comparisons: readonly Comparison[], localization?: Localization,
): { failureClass: SourceRecord['failureClass']; reason: string } {
  if (record.checker && !record.checker.ok) return { failureClass: 'invalid-model', reason: `onnx.checker refuses the exported model: ${record.checker.message ?? ''}` };
  const ran = outcomes.filter((x) => x.status !== 'unavailable');
  if (ran.length > 0 && ran.every((x) => x.status === 'load-error')) {
    return { failureClass: 'invalid-model', reason: `every target refuses to load the exported model (${ran[0]!.error?.message.split('\n')[0] ?? 'load-error'})` };
  }
  const numeric = comparisons.filter((c) => c.verdict !== 'pass' && c.verdict !== 'fallback' && c.verdict !== 'partial-fallback' && !c.output.endsWith(' [module]'));
  if (numeric.length > 0) {
    const c = numeric[0]!;
    const where = localization?.culprit ? `; first divergent module: ${localization.culprit.node}` : '';
    return { failureClass: 'numeric-mismatch', reason: `${c.output} on ${c.target}: ${c.verdict}: ${c.reason}${where}` };
  }
  if (localization?.culprit) {
    return { failureClass: 'numeric-mismatch', reason: `outputs agree within tolerance, but module ${localization.culprit.node} diverges inside (masked downstream)` };
  }
  return { failureClass: 'pass', reason: 'every target that ran agrees with PyTorch' };
}

/** Shapes from the builder, the caller's --shape overriding; every input needs one. */
function inputSpecs(built: TorchBuild, o: Pick<TorchRunOptions, 'shapes' | 'dtypes' | 'callable'>): TensorSpec[] {
  const declared = new Map((built.inputs ?? []).map((s) => [s.name, s]));
  for (const [name, dims] of Object.entries(o.shapes ?? {})) declared.set(name, { name, dims: [...dims], dtype: o.dtypes?.[name] ?? declared.get(name)?.dtype ?? 'float32' });
  if (declared.size === 0) {
    throw new CrossrtError('USAGE', `${o.callable} declares no inputs and no --shape was given`, 'give --shape x=1x3x224x224 (one per forward argument, in order), or return (module, {"x": [1, 3, 224, 224]}) from the builder');
  }
  return [...declared.values()];
}

interface ForwardResult {
  readonly outputs: ReadonlyMap<string, HostTensor>;
  readonly spec: TensorSpec[];
  readonly forwardMs: number;
  readonly capture?: { calls: TorchModuleCall[]; tensors: ReadonlyMap<string, HostTensor> };
}

/** Forward results per input bytes: every export point of one module shares the oracle's runs. */
class ForwardCache {
  private readonly results = new Map<string, Promise<ForwardResult>>();
  private seq = 0;
  constructor(private readonly source: TorchSource, private readonly dir: string) {}

  run(handle: number, specs: readonly TensorSpec[], feeds: ReadonlyMap<string, HostTensor>, capture: boolean): Promise<ForwardResult> {
    const bytes = encodeNpz(feeds);
    const key = `${handle}:${capture}:${Buffer.from(bytes).toString('base64')}`;
    let hit = this.results.get(key);
    if (!hit) {
      hit = this.forward(handle, specs, bytes, capture);
      this.results.set(key, hit);
    }
    return hit;
  }

  private async forward(handle: number, specs: readonly TensorSpec[], bytes: Uint8Array, capture: boolean): Promise<ForwardResult> {
    const n = ++this.seq;
    const [inputs, outputs, captured] = ['inputs', 'outputs', 'capture'].map((f) => join(this.dir, `${f}-${n}.npz`)) as [string, string, string];
    await writeFile(inputs, bytes);
    const r = await this.source.forward(handle, { inputs, inputNames: specs.map((s) => s.name), outputs, ...(capture ? { capture: captured } : {}) });
    const result: ForwardResult = {
      outputs: decodeNpz(await readFile(outputs), 'PyTorch outputs'), spec: r.outputs, forwardMs: r.forwardMs,
      ...(capture ? { capture: { calls: r.calls, tensors: decodeNpz(await readFile(captured), 'PyTorch module captures') } } : {}),
    };
    await Promise.all([inputs, outputs, captured].map((f) => rm(f, { force: true })));
    return result;
  }
}

function withBridgeTail(c: CaseResult, source: TorchSource): CaseResult {
  const tail = source.logTail();
  return tail.length ? { ...c, notes: [...(c.notes ?? []), ...tail.slice(-10).map((l) => `python: ${l}`)] } : c;
}
