import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import {
  CrossrtError,
  isCrossrtError,
  type CaseResult,
  type Comparison,
  type ExportSettings,
  type HostTensor,
  type Localization,
  type Report,
  type RunOutcome,
  type SourceRecord,
  type Tolerance,
  type TolerancePolicy,
} from '@crossrt/core';
import { compareOutput, policyFromTolerance } from '@crossrt/compare';
import { decodeNpz, encodeNpz, modelSignature, readModelFile } from '@crossrt/model';
import { TorchSource, type TensorSpec, type TorchBuild, type TorchModuleCall } from '@crossrt/python-bridge';
import { threadsPerSession, type TargetDescriptor } from '@crossrt/runtime';
import { inputPlanRecord, prepareInputSets, type InputSettings } from '../run/input-settings.js';
import { applyPlacementVerdicts } from '../placement/placement-verdict.js';
import { buildReport, caseError, caseVerdict, modelRecord } from '../report/report-builder.js';
import type { CaseRun } from '../run/differential-run.js';
import { executeOnTarget } from '../execution/execute-on-target.js';
import { TargetPool } from '../execution/target-pool.js';
import { localizeAgainstSource } from './torch-layerwise.js';
import { exportPoints, pointId, torchCaseName, type ExportMatrix } from './torch-export-matrix.js';

/**
 * Tolerance of an fp32 runtime against fp32 PyTorch: the ONNX backend suite's rtol 1e-3 with an atol
 * of 1e-5, since kernels sum in other orders than PyTorch's and activations of random-weight networks
 * cancel to near zero (measured: see the README's torch section).
 */
export const SOURCE_TOLERANCE: Tolerance = { rtol: 1e-3, atol: 1e-5, source: 'oracle-default' };

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

/**
 * `crossrt torch`: build the module once (seeded), export it at every point of the matrix with
 * torch.onnx.export (the converter under test), run each export on every target and PyTorch itself
 * on the same inputs, judge every target against PyTorch, and trace a divergence to the module.
 */
export async function runTorchSource(options: TorchRunOptions): Promise<Report> {
  const seed = options.seed ?? 0;
  const tolerance = options.tolerance ?? SOURCE_TOLERANCE;
  const points = exportPoints(options.matrix);
  const pool = new TargetPool({
    threadsPerHost: threadsPerSession(options.targets.length),
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
  });
  pool.prewarm(options.targets);
  const cases: CaseResult[] = [];
  try {
    const session = await TorchSourceSession.open({ ...options, seed, tolerance });
    try {
      for (const point of points) {
        const { result } = await session.runPoint(point, options.targets, pool);
        cases.push(result);
        options.onCase?.(result, cases.length, points.length);
      }
    } finally {
      await session.close();
    }
  } finally {
    await pool.close();
  }
  return buildReport(
    'torch',
    {
      targets: options.targets.map((t) => t.id),
      reference: 'torch',
      seed,
      tolerance,
      defaultDim: 1,
      inputPlan: inputPlanRecord(options.inputs),
    },
    cases,
  );
}

/** What decides one source model's cases, whatever the targets and export points. */
export type TorchSessionSettings = Omit<TorchRunOptions, 'matrix' | 'targets' | 'timeoutMs' | 'onCase'>;

/**
 * One source model in its own bridge process, built once (seeded); each export point then exports,
 * runs and judges one case. PyTorch's forward results are shared by every point with the same inputs.
 * `crossrt torch` runs all points of one session; a suite runs its `torch:` cases through one session
 * per builder, in plan order, so shards and resume work case by case.
 */
export class TorchSourceSession {
  private constructor(
    private readonly source: TorchSource,
    private readonly built: TorchBuild | undefined,
    private readonly buildError: CrossrtError | undefined,
    private readonly forwards: ForwardCache,
    private readonly tmp: string,
    private readonly settings: PointOptions,
  ) {}

  /** `models.resnet18` for `models.py:resnet18`: the prefix of every case id. */
  get name(): string {
    return torchCaseName(this.settings.callable);
  }

  /** Start the bridge (SOURCE_UNAVAILABLE when no interpreter imports torch) and build the module; a build error is kept for every point. */
  static async open(settings: TorchSessionSettings): Promise<TorchSourceSession> {
    const seed = settings.seed ?? 0;
    const tolerance = settings.tolerance ?? SOURCE_TOLERANCE;
    const policy: TolerancePolicy = { ...policyFromTolerance(tolerance), ...settings.policy };
    mkdirSync(resolve(settings.outDir), { recursive: true });
    const source = await TorchSource.start(settings.cwd ? { cwd: settings.cwd } : {});
    let built: TorchBuild | undefined;
    let buildError: CrossrtError | undefined;
    try {
      built = await source.build(settings.callable, seed, settings.kwargs);
    } catch (e) {
      if (!isCrossrtError(e)) {
        await source.close();
        throw e;
      }
      buildError = e;
    }
    const tmp = await mkdtemp(join(tmpdir(), 'crossrt-torch-'));
    return new TorchSourceSession(source, built, buildError, new ForwardCache(source, tmp), tmp, {
      ...settings,
      seed,
      tolerance,
      policy,
    });
  }

  async runPoint(point: ExportSettings, targets: readonly TargetDescriptor[], pool: TargetPool): Promise<CaseRun> {
    const id = pointId(this.name, point);
    if (!this.built)
      return { result: withBridgeTail(caseError(id, this.buildError!), this.source), outputs: new Map() };
    if (!this.source.alive) {
      // The bridge died (a native crash in torch): no later point can run in it.
      const e = new CrossrtError(
        'SOURCE_BRIDGE_FAILED',
        'the Python bridge died on an earlier export point',
        "see that case's log tail",
      );
      return { result: caseError(id, e), outputs: new Map() };
    }
    return runPoint(id, point, this.built, this.source, this.forwards, pool, { ...this.settings, targets });
  }

  async close(): Promise<void> {
    await Promise.all([this.source.close(), rm(this.tmp, { recursive: true, force: true })]);
  }
}

type PointOptions = TorchSessionSettings & { seed: number; tolerance: Tolerance; policy: TolerancePolicy };

/** One export point: export, read, run on every target and in PyTorch, judge, localize. Never throws for bad input. */
async function runPoint(
  id: string,
  point: ExportSettings,
  built: TorchBuild,
  source: TorchSource,
  forwards: ForwardCache,
  pool: TargetPool,
  o: PointOptions & { targets: readonly TargetDescriptor[] },
): Promise<CaseRun> {
  const done = (result: CaseResult, outputs: CaseRun['outputs'] = new Map()): CaseRun => ({ result, outputs });
  let specs: TensorSpec[];
  try {
    specs = inputSpecs(built, o);
  } catch (e) {
    if (!isCrossrtError(e)) throw e;
    return done(caseError(id, e));
  }
  const out = resolve(o.outDir, `${id}.onnx`);
  const base: Omit<SourceRecord, 'failureClass' | 'reason' | 'exporterVersion'> = {
    framework: 'torch',
    frameworkVersion: String(source.versions['torch'] ?? '?'),
    python: { path: source.python.path, version: source.python.version, chosenBy: source.python.chosenBy },
    callable: o.callable,
    moduleClass: built.moduleClass,
    export: point,
    warnings: [],
    outputs: [],
  };
  let exported;
  try {
    exported = await source.export(built.handle, {
      out,
      inputs: specs,
      opset: point.opset,
      constantFolding: point.constantFolding,
      dynamicAxes: point.dynamicAxes,
      seed: o.seed,
    });
  } catch (e) {
    if (!isCrossrtError(e)) throw e;
    return done(withBridgeTail(caseError(id, e), source));
  }
  const record: SourceRecord = {
    ...base,
    exporterVersion: exported.exporterVersion,
    warnings: exported.warnings,
    exportMs: exported.exportMs,
    ...(exported.checker ? { checker: exported.checker } : {}),
    failureClass: 'pass',
    reason: '',
  };
  if (exported.exportError) {
    const x = exported.exportError;
    return done({
      id,
      inputs: [],
      dims: [],
      outcomes: [],
      comparisons: [],
      verdict: 'convert-error',
      source: {
        ...record,
        failureClass: 'export-error',
        reason: `torch.onnx.export raised ${x.type}: ${x.message}`,
        exportError: x,
      },
    });
  }
  // The exported model is read like any model: its signature decides the inputs crossrt makes.
  let model;
  let feedsSets: { name: string; tensors: ReadonlyMap<string, HostTensor> }[];
  let inputs;
  try {
    model = await readModelFile(out);
    const signature = modelSignature(model.proto);
    inputs = await prepareInputSets(
      signature.inputs,
      [model.proto],
      o.seed,
      { shapes: Object.fromEntries(specs.map((s) => [s.name, s.dims])) },
      o.inputs,
    );
    feedsSets = inputs.sets.map((s) => ({ name: s.name, tensors: s.tensors }));
  } catch (e) {
    if (!isCrossrtError(e)) throw e;
    return done({
      ...caseError(id, e),
      source: {
        ...record,
        failureClass: 'invalid-model',
        reason: `crossrt cannot read the exported model: ${e.message}`,
      },
    });
  }
  const mrecord = modelRecord(out, model);
  const signature = modelSignature(model.proto);
  const layerwise = o.layerwise ?? 'auto';

  // PyTorch on the same inputs (the oracle), and every target, side by side.
  const torchRuns = Promise.all(
    feedsSets.map((s, k) => forwards.run(built.handle, specs, s.tensors, layerwise !== 'off' && k === 0)),
  );
  const executions = await Promise.all(
    o.targets.map((t) =>
      executeOnTarget(
        pool,
        t,
        out,
        feedsSets.map((s) => Object.fromEntries(s.tensors)),
        mrecord.nodes,
      ),
    ),
  );
  let oracle: ForwardResult[];
  try {
    oracle = await torchRuns;
  } catch (e) {
    if (!isCrossrtError(e)) throw e;
    return done({
      ...withBridgeTail(caseError(id, e, mrecord), source),
      outcomes: executions.map((x) => x.outcome),
      source: { ...record, failureClass: 'pass', reason: 'the source forward failed: nothing to judge against' },
    });
  }
  const outcomes: RunOutcome[] = executions.map((x) => x.outcome);
  const comparisons: Comparison[] = [];
  o.targets.forEach((t, i) => {
    const exec = executions[i]!;
    if (exec.outcome.status !== 'ok') return;
    feedsSets.forEach((set, k) => {
      for (const { name: output } of signature.outputs) {
        comparisons.push(
          compareOutput({
            output,
            target: t.id,
            reference: 'torch',
            ...(feedsSets.length > 1 ? { inputSet: set.name } : {}),
            actual: exec.outputs[k]?.get(output),
            expected: oracle[k]!.outputs.get(output),
            policy: o.policy,
            policyBaseSource: o.tolerance.source,
          }),
        );
      }
    });
  });
  const notes: string[] = [];
  if (source.versions['dynamoExporter'] === false)
    notes.push(
      `torch ${record.frameworkVersion} has no dynamo exporter (torch.onnx.dynamo_export, torch >= 2.0): only the TorchScript exporter was tested`,
    );
  const extra = oracle[0]!.spec.filter((s) => !signature.outputs.some((x) => x.name === s.name)).map((s) => s.name);
  if (extra.length)
    notes.push(
      `PyTorch returned ${extra.join(', ')}, which the exported model does not output (the exporter dropped them)`,
    );

  let localization: Localization | undefined;
  const failing = o.targets.find((t) => comparisons.some((c) => c.target === t.id && c.verdict !== 'pass'));
  const layerTarget =
    failing ?? (layerwise === 'always' ? o.targets.find((_, i) => executions[i]!.outcome.status === 'ok') : undefined);
  if (layerwise !== 'off' && layerTarget && oracle[0]!.capture) {
    localization = await localizeAgainstSource({
      proto: model.proto,
      calls: oracle[0]!.capture.calls,
      captured: oracle[0]!.capture.tensors,
      feeds: feedsSets[0]!.tensors,
      target: layerTarget,
      pool,
      policy: o.policy,
      ...(o.minLayerSnrDb !== undefined ? { minSnrDb: o.minLayerSnrDb } : {}),
    });
  }
  // The first divergent module is judged like an output, so every reporter (matrix, JUnit, annotations)
  // shows a fault that the outputs mask.
  if (localization?.culprit) comparisons.push(moduleComparison(localization));
  const judged = applyPlacementVerdicts(comparisons, outcomes);
  const { failureClass, reason } = classify(record, outcomes, judged, localization);
  const result: Omit<CaseResult, 'verdict'> = {
    id,
    model: mrecord,
    inputs: [...inputs.records],
    dims: [...inputs.dims],
    outcomes,
    comparisons: judged,
    source: {
      ...record,
      failureClass,
      reason,
      forwardMs: oracle[0]!.forwardMs,
      outputs: oracle[0]!.spec.map((s) => ({ ...s, dims: [...s.dims] })),
    },
    ...(localization ? { localization } : {}),
    ...(notes.length ? { notes } : {}),
  };
  // A divergence found only layer-wise (masked at the outputs) still fails the case.
  const verdict = failureClass === 'pass' ? caseVerdict(result) : 'fail';
  // Goldens (suite --save-baseline) keep each target's outputs of the first input set.
  const outputs = new Map(
    o.targets.flatMap((t, i) => (executions[i]!.outputs[0] ? [[t.id, executions[i]!.outputs[0]!] as const] : [])),
  );
  return done({ ...result, verdict }, outputs);
}

function moduleComparison(l: Localization): Comparison {
  const c = l.culprit!;
  const node = l.nodes.find((n) => n.index === c.index);
  const out = node?.outputs.find((o) => o.verdict !== 'pass' && o.verdict !== 'unavailable');
  const verdict =
    out?.verdict === 'shape' || out?.verdict === 'dtype' || out?.verdict === 'nan-inf' ? out.verdict : 'mismatch';
  return {
    output: `${c.node} [module]`,
    target: l.actual,
    reference: 'torch',
    tolerance: l.tolerance,
    verdict,
    reason: c.reason,
    dtype: out?.dtype ? { actual: out.dtype, reference: out.dtype } : {},
    dims: out?.dims ? { reference: out.dims } : {},
  };
}

/** The failure class of the converter failure study, from the checker, the targets and the numbers. */
export function classify(
  record: Pick<SourceRecord, 'checker'>,
  outcomes: readonly RunOutcome[],
  comparisons: readonly Comparison[],
  localization?: Localization,
): { failureClass: SourceRecord['failureClass']; reason: string } {
  if (record.checker && !record.checker.ok)
    return {
      failureClass: 'invalid-model',
      reason: `onnx.checker refuses the exported model: ${record.checker.message ?? ''}`,
    };
  const ran = outcomes.filter((x) => x.status !== 'unavailable');
  if (ran.length > 0 && ran.every((x) => x.status === 'load-error')) {
    return {
      failureClass: 'invalid-model',
      reason: `every target refuses to load the exported model (${ran[0]!.error?.message.split('\n')[0] ?? 'load-error'})`,
    };
  }
  const numeric = comparisons.filter(
    (c) =>
      c.verdict !== 'pass' &&
      c.verdict !== 'fallback' &&
      c.verdict !== 'partial-fallback' &&
      !c.output.endsWith(' [module]'),
  );
  if (numeric.length > 0) {
    const c = numeric[0]!;
    const where = localization?.culprit ? `; first divergent module: ${localization.culprit.node}` : '';
    return {
      failureClass: 'numeric-mismatch',
      reason: `${c.output} on ${c.target}: ${c.verdict}: ${c.reason}${where}`,
    };
  }
  if (localization?.culprit) {
    return {
      failureClass: 'numeric-mismatch',
      reason: `outputs agree within tolerance, but module ${localization.culprit.node} diverges inside (masked downstream)`,
    };
  }
  return { failureClass: 'pass', reason: 'every target that ran agrees with PyTorch' };
}

/** Shapes from the builder, the caller's --shape overriding; every input needs one. */
function inputSpecs(built: TorchBuild, o: Pick<TorchRunOptions, 'shapes' | 'dtypes' | 'callable'>): TensorSpec[] {
  const declared = new Map((built.inputs ?? []).map((s) => [s.name, s]));
  for (const [name, dims] of Object.entries(o.shapes ?? {}))
    declared.set(name, { name, dims: [...dims], dtype: o.dtypes?.[name] ?? declared.get(name)?.dtype ?? 'float32' });
  if (declared.size === 0) {
    throw new CrossrtError(
      'USAGE',
      `${o.callable} declares no inputs and no --shape was given`,
      'give --shape x=1x3x224x224 (one per forward argument, in order), or return (module, {"x": [1, 3, 224, 224]}) from the builder',
    );
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
  constructor(
    private readonly source: TorchSource,
    private readonly dir: string,
  ) {}

  run(
    handle: number,
    specs: readonly TensorSpec[],
    feeds: ReadonlyMap<string, HostTensor>,
    capture: boolean,
  ): Promise<ForwardResult> {
    const bytes = encodeNpz(feeds);
    // Keyed by a digest, not the bytes: the cache lives as long as the session, inputs can be megabytes.
    const key = `${handle}:${capture}:${createHash('sha256').update(bytes).digest('hex')}`;
    let hit = this.results.get(key);
    if (!hit) {
      hit = this.forward(handle, specs, bytes, capture);
      this.results.set(key, hit);
    }
    return hit;
  }

  private async forward(
    handle: number,
    specs: readonly TensorSpec[],
    bytes: Uint8Array,
    capture: boolean,
  ): Promise<ForwardResult> {
    const n = ++this.seq;
    const [inputs, outputs, captured] = ['inputs', 'outputs', 'capture'].map((f) =>
      join(this.dir, `${f}-${n}.npz`),
    ) as [string, string, string];
    await writeFile(inputs, bytes);
    const r = await this.source.forward(handle, {
      inputs,
      inputNames: specs.map((s) => s.name),
      outputs,
      ...(capture ? { capture: captured } : {}),
    });
    const result: ForwardResult = {
      outputs: decodeNpz(await readFile(outputs), 'PyTorch outputs'),
      spec: r.outputs,
      forwardMs: r.forwardMs,
      ...(capture
        ? { capture: { calls: r.calls, tensors: decodeNpz(await readFile(captured), 'PyTorch module captures') } }
        : {}),
    };
    await Promise.all([inputs, outputs, captured].map((f) => rm(f, { force: true })));
    return result;
  }
}

function withBridgeTail(c: CaseResult, source: TorchSource): CaseResult {
  const tail = source.logTail();
  return tail.length ? { ...c, notes: [...(c.notes ?? []), ...tail.slice(-10).map((l) => `python: ${l}`)] } : c;
}
