import { mkdirSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import {
  CrossrtError,
  isCrossrtError,
  type CaseResult,
  type Comparison,
  type ConversionRecord,
  type HostTensor,
  type Report,
  type RunOutcome,
  type Tolerance,
} from '@crossrt/core';
import { compareOutput, DEFAULT_TOLERANCE } from '@crossrt/compare';
import { DEFAULT_DIM, scopeDimOptions, unusedDimFlags, type GeneratedInputs } from '@crossrt/inputs';
import { modelSignature, opsetMap, readModelFile, type LoadedModel, type ModelSignature } from '@crossrt/model';
import {
  BridgeRequestError,
  OnnxConverter,
  type OnnxCheckerResult,
  type OnnxConvertResult,
} from '@crossrt/python-bridge';
import { threadsPerSession, type TargetDescriptor } from '@crossrt/runtime';
import { inputPlanRecord, prepareInputSets, unusedInputNames, type SideRunOptions } from '../run/input-settings.js';
import { applyPlacementVerdicts } from '../placement/placement-verdict.js';
import { buildReport, caseVerdict, modelRecord } from '../report/report-builder.js';
import { executeOnTarget } from '../execution/execute-on-target.js';
import { TargetPool } from '../execution/target-pool.js';
import type { TargetExecution } from '../execution/target-outcome.js';
import { mergeVariantInputs } from '../variants/variant-signature.js';
import { declaredFeeds } from '../run/declared-feeds.js';
import { outcomeLine } from '../run/outcome-line.js';

export interface OpsetUpgradeOptions extends SideRunOptions {
  /** ai.onnx opsets to convert to, each at least the model's own and at most what the installed onnx defines. */
  readonly opsets: readonly number[];
  readonly targets: readonly TargetDescriptor[];
  /** Where the converted models are written and kept (`<stem>.opset<N>.onnx`). */
  readonly outDir: string;
  /** The classic tolerance pair when --rtol/--atol set one (recorded in the report settings). */
  readonly tolerance?: Tolerance;
  readonly timeoutMs?: number;
  readonly onCase?: (result: CaseResult, done: number, total: number) => void;
}

/** The converter call a case records, in the words a user would type in Python. */
export const upgradeCommandText = (opset: number): string => `onnx.version_converter.convert_version(model, ${opset})`;

/** The model's ai.onnx opset (the default domain), which the version converter moves. */
export function defaultDomainOpset(model: LoadedModel): number {
  const v = opsetMap(model.proto)['ai.onnx'];
  if (v === undefined) {
    throw new CrossrtError(
      'USAGE',
      `${model.path} imports no ai.onnx opset: onnx.version_converter has nothing to convert`,
      'give a model built on the default ONNX domain',
    );
  }
  return v;
}

/**
 * Requested opsets against what can be asked at all. Decided here, before anything runs, rather than
 * left to onnx: a downgrade is not what `upgrade` tests (onnx 1.12 has downgrade adapters for few ops and
 * asserts on the rest), and an opset beyond the installed onnx's newest makes its converter fail an
 * internal range assertion whose text names neither number. What onnx raises inside that range (a
 * missing adapter, an adapter that needs a shape it cannot infer) is the converter's behaviour under
 * test and becomes a `convert-error` case.
 */
export function checkRequestedOpsets(
  opsets: readonly number[],
  modelOpset: number,
  maxOpset: number | undefined,
  onnxVersion?: string,
): void {
  if (opsets.length === 0) throw new CrossrtError('USAGE', 'no opset requested', 'e.g. --opset 16,17');
  const below = opsets.filter((o) => o < modelOpset);
  if (below.length) {
    throw new CrossrtError(
      'USAGE',
      `opset ${below.join(', ')} is below the model's ai.onnx opset ${modelOpset}: upgrade converts to newer opsets only`,
      `ask for opsets from ${modelOpset}${maxOpset !== undefined ? ` to ${maxOpset}` : ''}`,
    );
  }
  if (maxOpset === undefined) return;
  if (modelOpset > maxOpset) {
    throw new CrossrtError(
      'USAGE',
      `the model's ai.onnx opset ${modelOpset} is newer than the installed onnx ${onnxVersion ?? ''} knows (up to ${maxOpset}): its version converter cannot read it`,
      'install a newer onnx (pip install -U onnx, then CROSSRT_PYTHON=<that python>)',
    );
  }
  const above = opsets.filter((o) => o > maxOpset);
  if (above.length) {
    throw new CrossrtError(
      'USAGE',
      `opset ${above.join(', ')} is above ${maxOpset}, the newest ai.onnx opset the installed onnx ${onnxVersion ?? ''} defines`,
      `ask for opsets up to ${maxOpset}, or install a newer onnx and point CROSSRT_PYTHON at its interpreter`,
    );
  }
}

interface Converted {
  readonly opset: number;
  readonly out: string;
  readonly id: string;
  readonly result: OnnxConvertResult;
  readonly record: ConversionRecord;
  readonly model?: LoadedModel;
  readonly readError?: CrossrtError;
}

/**
 * `crossrt upgrade`: convert one model to each requested ai.onnx opset with onnx.version_converter (the
 * converter under test, in the Python bridge), keep the converted files, then run the original and every
 * converted model on every target with the same seeded inputs; the original on target T is the oracle
 * of each converted model on T. A converted model should compute the same numbers, so comparisons use
 * the element-wise float defaults (or --rtol/--atol), not the fp16/int8 statistical variant policies.
 */
export async function runOpsetUpgrade(modelPath: string, options: OpsetUpgradeOptions): Promise<Report> {
  const seed = options.seed ?? 0;
  const tolerance = options.tolerance ?? DEFAULT_TOLERANCE;
  const originalPath = resolve(modelPath);
  const original = await readModelFile(originalPath);
  const fromOpset = defaultDomainOpset(original);
  const opsets = [...new Set(options.opsets)];
  checkRequestedOpsets(opsets, fromOpset, undefined);
  const signature = modelSignature(original.proto);
  const dimFlags = {
    ...(options.dims ? { dims: options.dims } : {}),
    ...(options.shapes ? { shapes: options.shapes } : {}),
    ...(options.defaultDim ? { defaultDim: options.defaultDim } : {}),
  };
  const unused = [
    ...unusedDimFlags([signature.inputs], dimFlags),
    ...unusedInputNames([signature.inputs], options.inputs),
  ];
  if (unused.length)
    throw new CrossrtError(
      'USAGE',
      `${unused.join(', ')} match no input of ${basename(modelPath)}`,
      `model inputs: ${signature.inputs.map((i) => i.name).join(', ')}`,
    );
  // Non-tensor IO cannot be fed or compared, but the converter and the checker still can be judged.
  const odd = [...signature.inputs, ...signature.outputs].filter((v) => v.kind !== 'tensor');
  const ioProblem = odd.length
    ? `${odd.map((v) => `"${v.name}" is a ${v.kind}`).join(', ')}; crossrt feeds and compares tensors only, so only the conversion and onnx.checker are judged`
    : undefined;
  const generated = ioProblem
    ? undefined
    : await prepareInputSets(
        signature.inputs,
        [original.proto],
        seed,
        scopeDimOptions(signature.inputs, dimFlags),
        options.inputs,
      );

  let converter = await OnnxConverter.start();
  const stem = basename(modelPath).replace(/\.onnx$/i, '');
  const outDir = resolve(options.outDir);
  const pool = new TargetPool({
    threadsPerHost: threadsPerSession(options.targets.length),
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
  });
  const cases: CaseResult[] = [];
  const total = opsets.length + 1;
  try {
    checkRequestedOpsets(opsets, fromOpset, converter.info.maxOpset, converter.info.onnx);
    const outs = opsets.map((o) => resolve(outDir, `${stem}.opset${o}.onnx`));
    if (outs.includes(originalPath))
      throw new CrossrtError(
        'USAGE',
        `--out-dir would overwrite the model itself (${originalPath})`,
        'write the converted models to another folder',
      );
    mkdirSync(outDir, { recursive: true });
    // Hosts start and the original runs while Python converts: different processes, overlapping.
    if (generated) pool.prewarm(options.targets);
    const feeds = (sig: ModelSignature) => feedSets(generated, sig);
    const originalRuns = generated
      ? runEverywhere(pool, options.targets, originalPath, feeds(signature), original)
      : Promise.resolve([]);
    const originalCheck = await converter.check(originalPath);
    const converted: Converted[] = [];
    for (const [i, opset] of opsets.entries()) {
      // A native crash or hang inside onnx ends that bridge: the next opset gets a fresh one.
      if (!converter.alive) converter = await OnnxConverter.start({ python: converter.python });
      converted.push(
        await convertOne(converter, originalPath, outs[i]!, opset, `${basename(modelPath)}@opset${opset}`),
      );
    }
    const refRuns = await originalRuns;
    const label = basename(modelPath);
    const refCase = referenceCase(
      modelPath,
      original,
      fromOpset,
      generated,
      refRuns,
      ioProblem,
      originalCheck,
      converter,
    );
    cases.push(refCase);
    options.onCase?.(refCase, cases.length, total);
    for (const c of converted) {
      const result = await judgeConverted(c, {
        pool,
        options,
        signature,
        generated,
        refRuns,
        originalCheck,
        ioProblem,
        label,
        tolerance,
      });
      cases.push(result);
      options.onCase?.(result, cases.length, total);
    }
  } finally {
    // `converter` may have been replaced after a crash; close whichever is current.
    await Promise.all([converter.close(), pool.close()]);
  }
  return buildReport(
    'upgrade',
    {
      targets: options.targets.map((t) => t.id),
      reference: `${basename(modelPath)} (original, on the same target)`,
      seed,
      tolerance,
      defaultDim: options.defaultDim ?? DEFAULT_DIM,
      inputPlan: inputPlanRecord(options.inputs),
    },
    cases,
  );
}

async function convertOne(
  converter: OnnxConverter,
  input: string,
  out: string,
  opset: number,
  id: string,
): Promise<Converted> {
  const t0 = performance.now();
  let result: OnnxConvertResult;
  let bridgeTail: string[] = [];
  let timedOut = false;
  try {
    result = await converter.convertOpset(input, out, opset);
  } catch (e) {
    if (!(e instanceof BridgeRequestError) || e.code !== 'SOURCE_BRIDGE_FAILED') throw e;
    // The bridge died or hung inside convert_version: the converter's failure, recorded like an exception.
    result = {
      convertMs: performance.now() - t0,
      converterVersion: converter.info.onnx,
      convertError: { type: 'BridgeFailure', message: e.message, traceback: [] },
    };
    bridgeTail = [...e.logTail];
    timedOut = /did not answer/.test(e.message);
  }
  const x = result.convertError;
  const record: ConversionRecord = {
    command: upgradeCommandText(opset),
    output: out,
    // What `python3 -c "…convert_version…"` would exit with: 1 on an uncaught exception, else 0.
    exitCode: x ? 1 : 0,
    signal: null,
    durationMs: result.convertMs ?? performance.now() - t0,
    timedOut,
    version: `onnx ${result.converterVersion}`,
    logTail: x
      ? [...x.traceback, ...bridgeTail].slice(-30)
      : [`onnx.checker.check_model: ${checkerText(result.checker)}`],
  };
  if (x) return { opset, out, id, result, record };
  try {
    return { opset, out, id, result, record, model: await readModelFile(out) };
  } catch (e) {
    if (!isCrossrtError(e)) throw e;
    return { opset, out, id, result, record, readError: e };
  }
}

const checkerText = (c: OnnxCheckerResult | undefined) =>
  !c ? 'not run' : c.ok ? 'ok' : `refused: ${c.message ?? ''}`;

function feedSets(generated: GeneratedInputs | undefined, sig: ModelSignature): Record<string, HostTensor>[] {
  const names = new Set(sig.inputs.map((i) => i.name));
  return (generated?.sets ?? []).map((s) => declaredFeeds(names, s.tensors));
}

/** One model on every target, side by side (each target has its own host process). */
function runEverywhere(
  pool: TargetPool,
  targets: readonly TargetDescriptor[],
  path: string,
  feeds: Record<string, HostTensor>[],
  model: LoadedModel,
): Promise<TargetExecution[]> {
  return Promise.all(targets.map((t) => executeOnTarget(pool, t, path, feeds, model.proto.graph?.node.length ?? 0)));
}

function referenceCase(
  path: string,
  model: LoadedModel,
  opset: number,
  generated: GeneratedInputs | undefined,
  runs: readonly TargetExecution[],
  ioProblem: string | undefined,
  check: OnnxCheckerResult,
  converter: OnnxConverter,
): CaseResult {
  const py = converter.python;
  const notes = [
    `reference: the original model (ai.onnx opset ${opset}); each converted model is compared against it on the same target`,
    `onnx.checker on the original: ${checkerText(check)}`,
    `converter: onnx ${converter.info.onnx} (ai.onnx opsets up to ${converter.info.maxOpset}), Python ${py.version} at ${py.path} (${py.chosenBy})`,
  ];
  const result: Omit<CaseResult, 'verdict'> = {
    id: path,
    model: modelRecord(path, model),
    inputs: [...(generated?.records ?? [])],
    dims: [...(generated?.dims ?? [])],
    outcomes: runs.map((r) => r.outcome),
    comparisons: [],
    notes,
    ...(ioProblem ? { skipReason: ioProblem } : {}),
  };
  return { ...result, verdict: ioProblem ? 'skipped' : caseVerdict(result) };
}

interface JudgeContext {
  readonly pool: TargetPool;
  readonly options: OpsetUpgradeOptions;
  readonly signature: ModelSignature;
  readonly generated: GeneratedInputs | undefined;
  readonly refRuns: readonly TargetExecution[];
  readonly originalCheck: OnnxCheckerResult;
  readonly ioProblem: string | undefined;
  readonly label: string;
  readonly tolerance: Tolerance;
}

/**
 * One converted model's case. Failure classes: the converter raised → `convert-error`; onnx.checker
 * refuses the converted model (while it accepts the original), crossrt cannot read it, or every target
 * refuses to load it (while the original loads) → `fail`, note "invalid model"; the converter changed
 * the opset or the inputs it was asked to keep → `fail`; numbers differ → `fail`; else `pass`.
 */
async function judgeConverted(c: Converted, ctx: JudgeContext): Promise<CaseResult> {
  const x = c.result.convertError;
  if (x) {
    return {
      id: c.id,
      inputs: [],
      dims: [],
      outcomes: [],
      comparisons: [],
      verdict: 'convert-error',
      conversion: c.record,
      notes: [`onnx.version_converter raised ${x.type}: ${x.message}`],
    };
  }
  if (!c.model) {
    const e = c.readError!;
    return {
      id: c.id,
      inputs: [],
      dims: [],
      outcomes: [],
      comparisons: [],
      verdict: 'fail',
      conversion: c.record,
      notes: [`invalid model: crossrt cannot read the converted model: ${e.code}: ${e.message}`],
    };
  }
  const faults: string[] = [];
  const notes: string[] = [];
  const checker = c.result.checker;
  if (checker && !checker.ok) {
    if (ctx.originalCheck.ok)
      faults.push(
        `invalid model: onnx.checker refuses the converted model (it accepts the original): ${checker.message ?? ''}`,
      );
    else
      notes.push(
        `onnx.checker refuses the converted model as it refuses the original (${ctx.originalCheck.message ?? ''}): not the converter's doing`,
      );
  }
  const got = defaultDomainOpset(c.model);
  if (got !== c.opset)
    faults.push(`the converter was asked for ai.onnx opset ${c.opset} but the model it wrote declares ${got}`);
  const signature = modelSignature(c.model.proto);
  faults.push(...signatureFaults(ctx.signature, signature, ctx.label, c.id));
  const record = modelRecord(c.out, c.model);
  const base = { id: c.id, model: record, conversion: c.record };
  if (ctx.ioProblem || !ctx.generated) {
    const all = [...faults, ...notes];
    return {
      ...base,
      inputs: [],
      dims: [],
      outcomes: [],
      comparisons: [],
      verdict: faults.length ? 'fail' : 'skipped',
      ...(all.length ? { notes: all } : {}),
      ...(faults.length ? {} : { skipReason: ctx.ioProblem ?? 'no inputs' }),
    };
  }
  const generated = ctx.generated;
  const declared = new Set(signature.inputs.map((i) => i.name));
  const runs = await runEverywhere(ctx.pool, ctx.options.targets, c.out, feedSets(generated, signature), c.model);
  const outcomes: RunOutcome[] = runs.map((r) => r.outcome);
  const comparisons: Comparison[] = [];
  const extra = signature.outputs.map((o) => o.name).filter((n) => !ctx.signature.outputs.some((o) => o.name === n));
  if (extra.length)
    notes.push(`outputs ${extra.map((n) => `"${n}"`).join(', ')} are not in the original: not compared`);
  ctx.options.targets.forEach((t, i) => {
    const ref = ctx.refRuns[i]!;
    const exec = runs[i]!;
    if (ref.outcome.status !== 'ok') {
      notes.push(`not compared on ${t.id}: the original did not run there (${outcomeLine(ref.outcome)})`);
      return;
    }
    if (exec.outcome.status !== 'ok') return;
    generated.sets.forEach((set, k) => {
      for (const { name: output } of ctx.signature.outputs) {
        comparisons.push(
          compareOutput({
            output,
            target: t.id,
            reference: `${ctx.label}@${t.id}`,
            ...(generated.sets.length > 1 ? { inputSet: set.name } : {}),
            actual: exec.outputs[k]?.get(output),
            expected: ref.outputs[k]?.get(output),
            ...(ctx.options.policy ? { policy: ctx.options.policy } : {}),
            policyBaseSource: ctx.tolerance.source,
          }),
        );
      }
    });
  });
  const loadFault = everyTargetRefuses(
    outcomes,
    ctx.refRuns.map((r) => r.outcome),
  );
  if (loadFault) faults.push(loadFault);
  const allNotes = [...faults, ...notes];
  const result: Omit<CaseResult, 'verdict'> = {
    ...base,
    inputs: generated.records.filter((r) => declared.has(r.name)),
    dims: generated.dims.filter((d) => declared.has(d.input)),
    outcomes,
    comparisons: applyPlacementVerdicts(comparisons, outcomes),
    ...(allNotes.length ? { notes: allNotes } : {}),
  };
  return { ...result, verdict: faults.length ? 'fail' : caseVerdict(result) };
}

/** "Every target refuses to load it" counts against the converter only where the original loaded. */
function everyTargetRefuses(outcomes: readonly RunOutcome[], original: readonly RunOutcome[]): string | undefined {
  const ran = outcomes.map((o, i) => ({ o, ref: original[i]! })).filter(({ o }) => o.status !== 'unavailable');
  if (
    ran.length === 0 ||
    !ran.every(({ o }) => o.status === 'load-error') ||
    !ran.some(({ ref }) => ref.status === 'ok')
  )
    return undefined;
  return `invalid model: every target refuses to load the converted model, which loads the original (${ran[0]!.o.error?.message.split('\n')[0] ?? 'load-error'})`;
}

/** An opset conversion keeps the model's interface: any input it drops, adds or retypes is a converter fault. */
function signatureFaults(
  original: ModelSignature,
  converted: ModelSignature,
  originalLabel: string,
  label: string,
): string[] {
  const faults: string[] = [];
  const names = (s: ModelSignature) => new Set(s.inputs.map((i) => i.name));
  const [a, b] = [names(original), names(converted)];
  const dropped = [...a].filter((n) => !b.has(n));
  const added = [...b].filter((n) => !a.has(n));
  if (dropped.length) faults.push(`the converter dropped input(s) ${dropped.map((n) => `"${n}"`).join(', ')}`);
  if (added.length) faults.push(`the converter added input(s) ${added.map((n) => `"${n}"`).join(', ')}`);
  try {
    mergeVariantInputs([
      { label: originalLabel, inputs: original.inputs },
      { label, inputs: converted.inputs },
    ]);
  } catch (e) {
    if (!isCrossrtError(e)) throw e;
    faults.push(`the converter changed an input: ${e.message}`);
  }
  return faults;
}
