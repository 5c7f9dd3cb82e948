import { resolve } from 'node:path';
import {
  CrossrtError,
  isCrossrtError,
  type CaseResult,
  type Comparison,
  type DimResolution,
  type HostTensor,
  type ModelRecord,
  type PlacementPolicy,
  type Report,
  type RunOutcome,
  type Tolerance,
  type TolerancePolicy,
} from '@crossrt/core';
import { compareOutput, DEFAULT_TOLERANCE, policyFromTolerance, resolveTolerance } from '@crossrt/compare';
import { DEFAULT_DIM, scopeDimOptions, unusedDimFlags } from '@crossrt/inputs';
import { inputPlanRecord, prepareInputSets, unusedInputNames, type InputSettings } from './input-settings.js';
import {
  isTfjsModelPath,
  modelSignature,
  readModelFile,
  readTfjsModelArtifacts,
  type ModelProto,
  type ModelSignature,
} from '@crossrt/model';
import { threadsPerSession, type TargetDescriptor } from '@crossrt/runtime';
import { applyPlacementVerdicts } from '../placement/placement-verdict.js';
import { jitterNote, jitterOf, noiseFloorTolerance, repeatFeedSets, splitRepeats } from './repeat-runs.js';
import { applyCompareHook, type CompareHook } from './user-hooks.js';
import { dimCandidates, markSearched, MAX_DIM_TRIES, type DimCandidate } from './dim-search.js';
import { buildReport, caseError, caseVerdict, modelRecord } from '../report/report-builder.js';
import { executeOnTarget } from '../execution/execute-on-target.js';
import { TargetPool } from '../execution/target-pool.js';
import type { TargetExecution } from '../execution/target-outcome.js';
import {
  REFERENCE_COMMAND_SUBJECT,
  runReferenceCommand,
  type ReferenceCommandSettings,
} from '../source/reference-command.js';
import { outcomeLine } from './outcome-line.js';

/** Everything that decides one model case's inputs and verdicts. */
export interface ModelCaseSettings {
  readonly targets: readonly TargetDescriptor[];
  readonly seed: number;
  readonly tolerance: Tolerance;
  readonly dims?: Readonly<Record<string, number>>;
  readonly shapes?: Readonly<Record<string, readonly number[]>>;
  readonly defaultDim?: number;
  /** Samples, special values, per-input plans, heuristic settings, input files. */
  readonly inputs?: InputSettings;
  /** Per-dtype/target-pair/output tolerance layers; `tolerance` (when not the default) becomes its base. */
  readonly policy?: TolerancePolicy;
  /** Run each input set this many times per target (run-to-run jitter, `nondeterministic`). */
  readonly repeat?: number;
  /** Raise each output's atol to this many times the reference target's own jitter (needs repeat > 1). */
  readonly noiseFloor?: number;
  /** `--compare`: a user module that judges each output pair's values instead of the tolerance. */
  readonly compareHook?: CompareHook;
  /** Search for dims that run when guessed ones make a target fail (default on; `--no-dim-search`). */
  readonly dimSearch?: boolean;
  /** An external program as the oracle: every target, the first included, is judged against its outputs. */
  readonly referenceCommand?: ReferenceCommandSettings;
}

export interface DifferentialRunOptions
  extends Partial<Pick<ModelCaseSettings, 'seed' | 'tolerance'>>, Omit<ModelCaseSettings, 'seed' | 'tolerance'> {
  /** `always`: parse ORT's placement log on CPU/WASM targets too (see TargetPoolOptions). */
  readonly placementLog?: 'auto' | 'always';
  /** How GPU targets' placement is judged (default `compute`). */
  readonly placement?: PlacementPolicy;
  readonly timeoutMs?: number;
  /** Called as each case finishes (progress, streaming). */
  readonly onCase?: (result: CaseResult, index: number, total: number) => void;
}

/** A finished case plus the raw outputs per target (kept out of the report; baselines store them). */
export interface CaseRun {
  readonly result: CaseResult;
  readonly outputs: ReadonlyMap<string, ReadonlyMap<string, HostTensor>>;
}

export const DEFAULT_SEED = 0;

/**
 * `crossrt run`: for each model, generate one seeded input set, run it on every target (each in its own
 * host process), and compare every output of every target against the first target.
 */
export async function runDifferential(modelPaths: readonly string[], options: DifferentialRunOptions): Promise<Report> {
  const settings: ModelCaseSettings = {
    ...options,
    seed: options.seed ?? DEFAULT_SEED,
    tolerance: options.tolerance ?? DEFAULT_TOLERANCE,
  };
  const [reference] = options.targets;
  if (!reference) throw new Error('runDifferential needs at least one target');
  await checkDimFlagsUsed(modelPaths, options);
  // The targets of a case run side by side, so they share the cores.
  const pool = new TargetPool({
    threadsPerHost: threadsPerSession(options.targets.length),
    placementLog: options.placementLog ?? 'auto',
    ...(options.placement ? { placementPolicy: options.placement } : {}),
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
  });
  pool.prewarm(options.targets);
  const cases: CaseResult[] = [];
  try {
    for (const [index, path] of modelPaths.entries()) {
      const { result } = await runModelCase(path, path, settings, pool);
      cases.push(result);
      options.onCase?.(result, index, modelPaths.length);
    }
  } finally {
    await pool.close();
  }
  return buildReport(
    'run',
    {
      targets: options.targets.map((t) => t.id),
      reference: options.referenceCommand ? REFERENCE_COMMAND_SUBJECT : reference.id,
      seed: settings.seed,
      tolerance: settings.tolerance,
      defaultDim: options.defaultDim ?? DEFAULT_DIM,
      inputPlan: inputPlanRecord(options.inputs),
      placement: pool.placementPolicy,
    },
    cases,
  );
}

/**
 * One model on every target, compared against the first target, or, with a reference command, every
 * target against the command's outputs. Never throws for bad input.
 */
export async function runModelCase(
  path: string,
  id: string,
  settings: ModelCaseSettings,
  pool: TargetPool,
): Promise<CaseRun> {
  const first = await runModelCaseOnce(path, id, settings, pool);
  const failing = first.run.result.outcomes.filter((o) => o.status === 'load-error' || o.status === 'run-error');
  if (settings.dimSearch === false || !first.prepared || failing.length === 0) return first.run;
  const { signature, dims, shapes } = first.prepared;
  const candidates = dimCandidates(signature.inputs, dims, shapes).slice(0, MAX_DIM_TRIES);
  if (candidates.length === 0) return first.run;
  const failed = failing.map((o) => `${o.target}: ${outcomeLine(o, { brief: true })}`);
  const tried: string[] = [];
  const targets = settings.targets.filter((t) => failing.some((o) => o.target === t.id));
  for (const candidate of candidates) {
    const why = await tryDims(path, settings, pool, targets, candidate);
    const label = Object.entries(candidate.shapes)
      .map(([n, d]) => `${n}=[${d.join(',')}]`)
      .join(' ');
    if (why) {
      tried.push(`${label} (${candidate.why}): ${why}`);
      continue;
    }
    const again = await runModelCaseOnce(
      path,
      id,
      { ...settings, shapes: { ...settings.shapes, ...candidate.shapes } },
      pool,
    );
    const note = `dim search: with every unnamed dim guessed as ${settings.defaultDim ?? DEFAULT_DIM}, ${failed.join('; ')}; ${tried.length ? `tried ${tried.join('; ')}; ` : ''}chose ${label} (${candidate.why}); --no-dim-search keeps the guesses`;
    const r = again.run.result;
    return { ...again.run, result: { ...r, dims: markSearched(r.dims, candidate), notes: [...(r.notes ?? []), note] } };
  }
  const note = `dim search: ${failed.join('; ')}; no candidate ran either (${tried.join('; ')}); give --dim or --shape`;
  return { ...first.run, result: { ...first.run.result, notes: [...(first.run.result.notes ?? []), note] } };
}

/** One candidate on the targets that failed, first input set only; undefined when it ran, else why not. */
async function tryDims(
  path: string,
  settings: ModelCaseSettings,
  pool: TargetPool,
  targets: readonly TargetDescriptor[],
  candidate: DimCandidate,
): Promise<string | undefined> {
  const modelPath = resolve(path);
  let feeds: Record<string, HostTensor>;
  try {
    const { signature, protos } = await readCaseModel(path, modelPath);
    const shapes = { ...settings.shapes, ...candidate.shapes };
    const inputs = await prepareInputSets(
      signature.inputs,
      protos,
      settings.seed,
      scopeDimOptions(signature.inputs, dimOptions({ ...settings, shapes })),
      { ...settings.inputs, samples: 1, specialValues: false },
    );
    feeds = Object.fromEntries(inputs.sets[0]!.tensors);
  } catch (e) {
    if (!isCrossrtError(e)) throw e;
    return `${e.code}: ${e.message}`;
  }
  for (const target of targets) {
    const exec = await executeOnTarget(pool, target, modelPath, [feeds], 0);
    if (exec.outcome.status !== 'ok') return `${target.id}: ${outcomeLine(exec.outcome, { brief: true })}`;
  }
  return undefined;
}

interface PreparedCase {
  readonly signature: ModelSignature;
  readonly dims: readonly DimResolution[];
  readonly shapes: ReadonlyMap<string, readonly number[]>;
}

async function runModelCaseOnce(
  path: string,
  id: string,
  settings: ModelCaseSettings,
  pool: TargetPool,
): Promise<{ run: CaseRun; prepared?: PreparedCase }> {
  const [reference] = settings.targets;
  if (!reference) throw new Error('a model case needs at least one target');
  const modelPath = resolve(path);
  let prepared;
  try {
    const { record, signature, protos } = await readCaseModel(path, modelPath);
    rejectNonTensorIo(signature);
    const inputs = await prepareInputSets(
      signature.inputs,
      protos,
      settings.seed,
      scopeDimOptions(signature.inputs, dimOptions(settings)),
      settings.inputs,
    );
    prepared = { record, signature, inputs, proto: isTfjsModelPath(modelPath) ? undefined : protos[0] };
  } catch (e) {
    if (!isCrossrtError(e)) throw e;
    return { run: { result: caseError(id, e), outputs: new Map() } };
  }
  const { record, signature, inputs, proto } = prepared;
  const preparedCase: PreparedCase = {
    signature,
    dims: inputs.dims,
    shapes: new Map([...inputs.sets[0]!.tensors].map(([n, t]) => [n, t.dims])),
  };
  const repeat = Math.max(1, settings.repeat ?? 1);
  const feedSets: Record<string, HostTensor>[] = repeatFeedSets(
    inputs.sets.map((s) => Object.fromEntries(s.tensors)),
    repeat,
  );
  const setNames = inputs.sets.map((s) => s.name);
  // Every target has its own host process, so they run side by side, and beside the reference command.
  const [runs, refRun] = await Promise.all([
    Promise.all(
      settings.targets.map(async (target) =>
        splitRepeats(await executeOnTarget(pool, target, modelPath, feedSets, record.nodes, proto), setNames, repeat),
      ),
    ),
    settings.referenceCommand
      ? runReferenceCommand(settings.referenceCommand, modelPath, inputs.sets, signature.outputs)
      : undefined,
  ]);
  const executions = new Map<string, TargetExecution>(settings.targets.map((t, i) => [t.id, runs[i]!]));
  const outcomes: RunOutcome[] = [...executions.values()].map((x) => x.outcome);
  // Per-dtype defaults unless a tolerance was given; a given one is the policy's base layer.
  const policy: TolerancePolicy = {
    ...(settings.tolerance.source === 'default' ? {} : policyFromTolerance(settings.tolerance)),
    ...settings.policy,
  };
  const judge = (
    targets: readonly TargetDescriptor[],
    referenceId: string,
    expected: (set: number, output: string) => HostTensor | undefined,
  ) =>
    targets.flatMap((target) => {
      const exec = executions.get(target.id)!;
      if (exec.outcome.status !== 'ok') return [];
      return inputs.sets.flatMap((set, k) =>
        signature.outputs.map(({ name: output }) => {
          const inputSet = inputs.sets.length > 1 ? set.name : undefined;
          const refJitter = jitterOf(executions.get(referenceId)?.outcome.repeats, output, inputSet);
          const actual = exec.outputs[k]?.get(output);
          const base = {
            output,
            target: target.id,
            reference: referenceId,
            ...(inputSet ? { inputSet } : {}),
            actual,
            expected: expected(k, output),
          };
          const tolerance = settings.noiseFloor
            ? noiseFloorTolerance(
                resolveTolerance(
                  { output, dtype: actual?.dtype ?? 'float32', target: target.id, reference: referenceId },
                  policy,
                  settings.tolerance.source,
                ),
                settings.noiseFloor,
                refJitter,
              )
            : undefined;
          const c = compareOutput({
            ...base,
            ...(tolerance ? { tolerance } : { policy, policyBaseSource: settings.tolerance.source }),
          });
          // With --repeat, a discrepancy says whether it stands out from the targets' own run-to-run noise.
          return repeat > 1 && c.verdict === 'mismatch'
            ? {
                ...c,
                reason:
                  c.reason +
                  jitterNote(c.metrics?.maxAbsError, refJitter, jitterOf(exec.outcome.repeats, output, inputSet)),
              }
            : c;
        }),
      );
    });
  const outputs = new Map([...executions].filter(([, x]) => x.outputs[0]).map(([t, x]) => [t, x.outputs[0]!] as const));
  const facts = { inputs: [...inputs.records], dims: [...inputs.dims], outcomes };
  if (refRun?.error) {
    // No oracle, no verdicts: an error case that still shows what the command printed and how the targets ran.
    const failed: CaseResult = {
      ...caseError(id, refRun.error, record),
      ...facts,
      referenceCommand: refRun.record,
      ...(refRun.notes.length ? { notes: [...refRun.notes] } : {}),
    };
    return { run: { result: failed, outputs } };
  }
  let comparisons: Comparison[];
  if (refRun) {
    comparisons = judge(settings.targets, REFERENCE_COMMAND_SUBJECT, (k, output) => refRun.outputs[k]?.get(output));
  } else {
    const refOutputs = executions.get(reference.id)!;
    comparisons =
      refOutputs.outcome.status !== 'ok'
        ? []
        : judge(settings.targets.slice(1), reference.id, (k, output) => refOutputs.outputs[k]?.get(output));
  }
  if (settings.compareHook) {
    try {
      comparisons = await judgeWithHook(settings.compareHook, comparisons, (c) => {
        const k = c.inputSet ? inputs.sets.findIndex((x) => x.name === c.inputSet) : 0;
        const ref = refRun ? refRun.outputs[k]?.get(c.output) : executions.get(reference.id)?.outputs[k]?.get(c.output);
        return [executions.get(c.target)?.outputs[k]?.get(c.output), ref];
      });
    } catch (e) {
      if (!isCrossrtError(e)) throw e;
      return { run: { result: { ...caseError(id, e, record), ...facts }, outputs } };
    }
  }
  const result: Omit<CaseResult, 'verdict'> = {
    id,
    model: record,
    ...facts,
    comparisons: applyPlacementVerdicts(comparisons, outcomes),
    ...(refRun
      ? { referenceCommand: refRun.record, ...(refRun.notes.length ? { notes: [...refRun.notes] } : {}) }
      : {}),
  };
  return { run: { result: { ...result, verdict: caseVerdict(result) }, outputs }, prepared: preparedCase };
}

/**
 * An ONNX file, or a TF.js model.json (graph or layers model) for runs across tfjs targets; the
 * signature comes from the ModelProto or from model.json.
 */
async function readCaseModel(
  path: string,
  modelPath: string,
): Promise<{ record: ModelRecord; signature: ModelSignature; protos: ModelProto[] }> {
  if (isTfjsModelPath(modelPath)) {
    const tfjs = await readTfjsModelArtifacts(modelPath);
    const graphNodes = tfjs.json.modelTopology['node'];
    return {
      signature: tfjs.signature,
      protos: [],
      record: {
        path,
        sha256: tfjs.sha256,
        bytes: tfjs.bytes,
        irVersion: 0,
        opsets: {},
        producer: [`tfjs ${tfjs.format}`, tfjs.json.convertedBy ?? tfjs.json.generatedBy ?? '']
          .filter(Boolean)
          .join(', '),
        nodes: Array.isArray(graphNodes) ? graphNodes.length : tfjs.weightSpecs.length,
      },
    };
  }
  // The hosts read the model themselves: this process decodes the graph and leaves the weights on disk.
  const model = await readModelFile(modelPath, { weights: 'reference' });
  return { record: modelRecord(path, model), signature: modelSignature(model.proto), protos: [model.proto] };
}

/** Sequences, maps and optionals cannot be generated or compared: say so before any runtime runs. */
function rejectNonTensorIo(signature: ModelSignature): void {
  const odd = [...signature.inputs, ...signature.outputs].filter((v) => v.kind !== 'tensor');
  if (odd.length > 0) {
    throw new CrossrtError(
      'MODEL_UNSUPPORTED_IO',
      `${odd.map((v) => `"${v.name}" is ${/^[aeiou]/.test(v.kind) ? 'an' : 'a'} ${v.kind}`).join(', ')}; crossrt feeds and compares tensors only`,
      'expose the tensors inside (e.g. a model variant without the sequence/map wrapper)',
    );
  }
}

/** With several models each flag applies where it fits, but a flag that fits no model is a typo. */
async function checkDimFlagsUsed(modelPaths: readonly string[], options: DifferentialRunOptions): Promise<void> {
  if (modelPaths.length < 2 || (!options.dims && !options.shapes && !options.inputs?.plans && !options.inputs?.files)) {
    if (modelPaths.length === 1 && (options.inputs?.plans || options.inputs?.files))
      await checkInputNames(modelPaths, options);
    return;
  }
  const signatures = [];
  for (const p of modelPaths) {
    try {
      signatures.push((await readCaseModel(p, resolve(p))).signature.inputs);
    } catch {
      // unreadable models are reported by their own case
    }
  }
  const unused = [...unusedDimFlags(signatures, dimOptions(options)), ...unusedInputNames(signatures, options.inputs)];
  if (unused.length > 0)
    throw new CrossrtError(
      'USAGE',
      `${unused.join(', ')} match no input of any model`,
      'check the names with `crossrt inspect` or the model signature',
    );
}

function dimOptions(o: Pick<ModelCaseSettings, 'dims' | 'shapes' | 'defaultDim'>) {
  return {
    ...(o.dims ? { dims: o.dims } : {}),
    ...(o.shapes ? { shapes: o.shapes } : {}),
    ...(o.defaultDim ? { defaultDim: o.defaultDim } : {}),
  };
}

async function checkInputNames(modelPaths: readonly string[], options: DifferentialRunOptions): Promise<void> {
  let inputs;
  try {
    inputs = modelSignature((await readModelFile(resolve(modelPaths[0]!))).proto).inputs;
  } catch {
    return; // the case reports an unreadable model itself
  }
  const unused = unusedInputNames([inputs], options.inputs);
  if (unused.length > 0)
    throw new CrossrtError(
      'USAGE',
      `${unused.join(', ')} name no input of the model`,
      `model inputs: ${inputs.map((i) => i.name).join(', ')}`,
    );
}

/** Each comparison through the user's compare module, one after the other (a hook may hold state). */
async function judgeWithHook(
  hook: CompareHook,
  comparisons: readonly Comparison[],
  tensors: (c: Comparison) => [HostTensor | undefined, HostTensor | undefined],
): Promise<Comparison[]> {
  const out: Comparison[] = [];
  for (const c of comparisons) out.push(await applyCompareHook(hook, c, ...tensors(c)));
  return out;
}
