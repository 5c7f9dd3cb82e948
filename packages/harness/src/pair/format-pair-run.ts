import { relative } from 'node:path';
import {
  CrossrtError,
  isCrossrtError,
  type CaseResult,
  type Comparison,
  type HostTensor,
  type ModelRecord,
  type Report,
  type Tolerance,
} from '@crossrt/core';
import { compareOutput, DEFAULT_TOLERANCE } from '@crossrt/compare';
import { DEFAULT_DIM, generateInputs, scopeDimOptions } from '@crossrt/inputs';
import {
  modelSignature,
  readModelFile,
  readTfjsModelJson,
  tfjsModelSignature,
  type ValueSignature,
} from '@crossrt/model';
import type { TargetDescriptor } from '@crossrt/runtime';
import { describePerm, invertPerm, transposeTensor } from './layout-permutation.js';
import {
  alignIntegerWidth,
  layoutByRank,
  resolveTensorMappings,
  type PairSide,
  type PairValue,
  type TensorMapping,
} from './tensor-mapping.js';
import { targetFormat, type FormatPair } from './pair-config.js';
import { shapesFromTfjs } from './pair-shapes.js';
import { diagnosePair, type PairDiagnosis } from './pair-diagnosis.js';
import { buildReport, caseError, caseVerdict, modelRecord } from '../report/report-builder.js';
import { executeOnTarget } from '../execution/execute-on-target.js';
import { TargetPool } from '../execution/target-pool.js';
import type { TargetExecution } from '../execution/target-outcome.js';

export interface FormatPairRunOptions {
  readonly targets: readonly TargetDescriptor[];
  readonly seed?: number;
  readonly tolerance?: Tolerance;
  readonly dims?: Readonly<Record<string, number>>;
  readonly shapes?: Readonly<Record<string, readonly number[]>>;
  readonly defaultDim?: number;
  readonly timeoutMs?: number;
  readonly onCase?: (result: CaseResult, index: number, total: number) => void;
}

export interface PairCaseSummary {
  readonly name: string;
  readonly onnx: string;
  readonly tfjs: string;
  readonly inputs: readonly TensorMapping[];
  readonly outputs: readonly TensorMapping[];
  readonly diagnosis: PairDiagnosis;
}

export interface FormatPairRunResult {
  readonly report: Report;
  readonly pairs: readonly PairCaseSummary[];
}

const toPairValues = (vs: readonly ValueSignature[]): PairValue[] =>
  vs.map((v) => ({ name: v.name, ...(v.dims ? { dims: v.dims } : {}) }));

/** `crossrt pair`: each pair runs on every target with the same (mapped) inputs; outputs compare after mapping. */
export async function runFormatPairs(
  pairs: readonly FormatPair[],
  options: FormatPairRunOptions,
): Promise<FormatPairRunResult> {
  const [reference] = options.targets;
  if (!reference) throw new CrossrtError('USAGE', 'a pair run needs targets');
  const formats = new Set(options.targets.map(targetFormat));
  if (formats.size < 2) {
    throw new CrossrtError(
      'USAGE',
      `targets ${options.targets.map((t) => t.id).join(', ')} all run ${[...formats][0]} models; a pair run needs an ONNX target and a TF.js target`,
      'e.g. --targets ort-node:cpu,tfjs:cpu',
    );
  }
  const seed = options.seed ?? 0;
  const tolerance = options.tolerance ?? DEFAULT_TOLERANCE;
  const pool = new TargetPool(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {});
  const cases: CaseResult[] = [];
  const summaries: PairCaseSummary[] = [];
  try {
    for (const [index, pair] of pairs.entries()) {
      const { result, summary } = await runPairCase(pair, options, pool, seed, tolerance);
      cases.push(result);
      summaries.push(summary);
      options.onCase?.(result, index, pairs.length);
    }
  } finally {
    await pool.close();
  }
  const report = buildReport(
    'pair',
    {
      targets: options.targets.map((t) => t.id),
      reference: reference.id,
      seed,
      tolerance,
      defaultDim: options.defaultDim ?? DEFAULT_DIM,
    },
    cases,
  );
  return { report, pairs: summaries };
}

function artifactLabel(pair: FormatPair, path: string): string {
  const rel = relative(pair.baseDir, path);
  return rel.startsWith('..') ? path : rel;
}

async function runPairCase(
  pair: FormatPair,
  options: FormatPairRunOptions,
  pool: TargetPool,
  seed: number,
  tolerance: Tolerance,
): Promise<{ result: CaseResult; summary: PairCaseSummary }> {
  const onnxLabel = artifactLabel(pair, pair.onnxPath);
  const tfjsLabel = artifactLabel(pair, pair.tfjsPath);
  const summaryBase = { name: pair.name, onnx: onnxLabel, tfjs: tfjsLabel };
  let model;
  let record: ModelRecord | undefined;
  let prepared;
  try {
    model = await readModelFile(pair.onnxPath);
    record = modelRecord(pair.onnxPath, model);
    const onnxSig = modelSignature(model.proto);
    const tfjsSig = tfjsModelSignature(await readTfjsModelJson(pair.tfjsPath));
    const inputMappings = resolveTensorMappings(
      'input',
      toPairValues(onnxSig.inputs),
      toPairValues(tfjsSig.inputs),
      pair.inputs,
    );
    const shapes = { ...shapesFromTfjs(onnxSig, tfjsSig, inputMappings, options.shapes ?? {}), ...options.shapes };
    const dimOptions = {
      ...(options.dims ? { dims: options.dims } : {}),
      shapes,
      ...(options.defaultDim ? { defaultDim: options.defaultDim } : {}),
    };
    const inputs = generateInputs(onnxSig.inputs, { seed, ...scopeDimOptions(onnxSig.inputs, dimOptions) });
    prepared = { onnxSig, tfjsSig, inputMappings, inputs };
  } catch (e) {
    if (!isCrossrtError(e)) throw e;
    return {
      result: caseError(pair.name, e, record),
      summary: {
        ...summaryBase,
        inputs: [],
        outputs: [],
        diagnosis: { kind: 'inconclusive', outputs: [], explanation: `${e.code}: ${e.message}` },
      },
    };
  }
  const { onnxSig, tfjsSig, inputMappings, inputs } = prepared;
  const feeds: Record<PairSide, Record<string, HostTensor>> = { onnx: Object.fromEntries(inputs.tensors), tfjs: {} };
  for (const m of inputMappings) feeds.tfjs[m.tfjs] = transposeTensor(feeds.onnx[m.onnx]!, m.perm);
  const paths: Record<PairSide, string> = { onnx: pair.onnxPath, tfjs: pair.tfjsPath };
  const labels: Record<PairSide, string> = { onnx: onnxLabel, tfjs: tfjsLabel };

  const executions = new Map<string, TargetExecution>();
  for (const target of options.targets) {
    const side = targetFormat(target);
    executions.set(
      target.id,
      await executeOnTarget(pool, target, paths[side], [feeds[side]], model.proto.graph?.node.length ?? 0),
    );
  }
  const outcomes = options.targets.map((t) => executions.get(t.id)!.outcome);
  const firstOk = (side: PairSide) =>
    options.targets.find((t) => targetFormat(t) === side && executions.get(t.id)!.outcome.status === 'ok');
  const okOnnx = firstOk('onnx');
  const okTfjs = firstOk('tfjs');
  const base = { id: pair.name, model: record!, inputs: [...inputs.records], dims: [...inputs.dims], outcomes };
  if (!okOnnx || !okTfjs) {
    const missing = !okOnnx ? 'no ONNX target ran' : 'no TF.js target ran';
    const result = { ...base, comparisons: [] };
    return {
      result: { ...result, verdict: caseVerdict(result) },
      summary: {
        ...summaryBase,
        inputs: inputMappings,
        outputs: [],
        diagnosis: { kind: 'inconclusive', outputs: [], explanation: missing },
      },
    };
  }
  const actualValues = (target: TargetDescriptor, declared: readonly ValueSignature[]): PairValue[] => {
    const produced = executions.get(target.id)!.outputs[0]!;
    const order =
      declared.length > 0 ? declared.map((v) => v.name).filter((n) => produced.has(n)) : [...produced.keys()];
    for (const n of produced.keys()) if (!order.includes(n)) order.push(n);
    return order.map((name) => ({ name, dims: [...produced.get(name)!.dims] }));
  };
  let outputMappings: TensorMapping[];
  try {
    outputMappings = resolveTensorMappings(
      'output',
      actualValues(okOnnx, onnxSig.outputs),
      actualValues(okTfjs, tfjsSig.outputs),
      pair.outputs,
      layoutByRank(inputMappings),
    );
  } catch (e) {
    if (!isCrossrtError(e)) throw e;
    return {
      result: caseError(pair.name, e, record),
      summary: {
        ...summaryBase,
        inputs: inputMappings,
        outputs: [],
        diagnosis: { kind: 'inconclusive', outputs: [], explanation: `${e.code}: ${e.message}` },
      },
    };
  }

  const comparisons = pairComparisons(options.targets, executions, outputMappings, labels, tolerance);
  const result = { ...base, comparisons };
  return {
    result: { ...result, verdict: caseVerdict(result) },
    summary: {
      ...summaryBase,
      inputs: inputMappings,
      outputs: outputMappings,
      diagnosis: diagnosePair(options.targets, executions, comparisons, labels),
    },
  };
}

const outputLabel = (m: TensorMapping) => `${m.onnx} ↔ ${m.tfjs}`;

/** Bring a tensor produced on `from` into the layout of `to` through the mapping. */
function intoLayout(t: HostTensor, m: TensorMapping, from: PairSide, to: PairSide): HostTensor {
  if (from === to) return t;
  return from === 'onnx' ? transposeTensor(t, m.perm) : transposeTensor(t, invertPerm(m.perm));
}

/**
 * Every target against the first (the reference), in the reference's layout; and the targets of the
 * other format against that format's first target, so a disagreement can be placed on a side.
 */
function pairComparisons(
  targets: readonly TargetDescriptor[],
  executions: ReadonlyMap<string, TargetExecution>,
  mappings: readonly TensorMapping[],
  labels: Record<PairSide, string>,
  tolerance: Tolerance,
): Comparison[] {
  const ok = targets.filter((t) => executions.get(t.id)!.outcome.status === 'ok');
  const reference = targets[0]!;
  if (!ok.includes(reference)) return [];
  const refSide = targetFormat(reference);
  const otherFirst = ok.find((t) => targetFormat(t) !== refSide);
  const pairs: [TargetDescriptor, TargetDescriptor][] = ok.filter((t) => t !== reference).map((t) => [t, reference]);
  if (otherFirst)
    for (const t of ok)
      if (t !== otherFirst && targetFormat(t) === targetFormat(otherFirst)) pairs.push([t, otherFirst]);
  const subject = (t: TargetDescriptor) => `${labels[targetFormat(t)]}@${t.id}`;
  return pairs.flatMap(([actualT, refT]) =>
    mappings.map((m) => {
      const aSide = targetFormat(actualT);
      const rSide = targetFormat(refT);
      const aRaw = executions.get(actualT.id)!.outputs[0]?.get(m[aSide]);
      const rRaw = executions.get(refT.id)!.outputs[0]?.get(m[rSide]);
      let actual = aRaw && intoLayout(aRaw, m, aSide, rSide);
      if (actual && rRaw) actual = alignIntegerWidth(actual, rRaw.dtype);
      const expected = rRaw && aRaw ? alignIntegerWidth(rRaw, actual?.dtype) : rRaw;
      const cmp = compareOutput({
        output: outputLabel(m),
        target: subject(actualT),
        reference: subject(refT),
        actual,
        expected,
        tolerance,
      });
      const how =
        aSide === rSide
          ? ''
          : `; ${aSide === 'tfjs' ? 'TF.js' : 'ONNX'} ${m[aSide]} brought into the ${rSide === 'tfjs' ? 'TF.js' : 'ONNX'} layout (${describePerm(aSide === 'onnx' ? m.perm : invertPerm(m.perm))})`;
      return { ...cmp, reason: `${cmp.reason}${how}` };
    }),
  );
}
