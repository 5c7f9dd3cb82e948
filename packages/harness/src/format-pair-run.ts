import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import {
  CrossrtError, firstSchemaIssue, FormatPairConfigSchema, isCrossrtError, type CaseResult, type Comparison, type HostTensor, type ModelRecord,
  type Report, type TensorMappingConfig, type Tolerance,
} from '@crossrt/core';
import { compareOutput, DEFAULT_TOLERANCE } from '@crossrt/compare';
import { DEFAULT_DIM, generateInputs, scopeDimOptions } from '@crossrt/inputs';
import { modelSignature, readModelFile, readTfjsModelJson, tfjsModelSignature, type ModelSignature, type ValueSignature } from '@crossrt/model';
import type { TargetDescriptor } from '@crossrt/runtime';
import {
  alignIntegerWidth, describePerm, invertPerm, layoutByRank, resolveTensorMappings, transposeTensor,
  type PairSide, type PairValue, type TensorMapping,
} from './format-pair.js';
import { buildReport, caseError, caseVerdict, modelRecord } from './report-builder.js';
import { executeOnTarget } from './execution/execute-on-target.js';
import { TargetPool } from './execution/target-pool.js';
import type { TargetExecution } from './execution/target-outcome.js';

/** One ONNX artifact and one TF.js artifact of the same logical model, with optional mapping config. */
export interface FormatPair {
  readonly name: string;
  readonly onnxPath: string;
  readonly tfjsPath: string;
  readonly inputs?: readonly TensorMappingConfig[];
  readonly outputs?: readonly TensorMappingConfig[];
  /** Folder the artifact labels in the report are relative to. */
  readonly baseDir: string;
}

export const PAIR_CONFIG_FILE = 'crossrt-pair.json';

/** Read `crossrt-pair.json` (or a folder holding one); artifact paths resolve against its folder. */
export async function loadFormatPair(path: string): Promise<FormatPair> {
  let file = resolve(path);
  const info = await stat(file).catch(() => undefined);
  if (!info) throw new CrossrtError('FILE_NOT_FOUND', `pair config not found: ${path}`, `pass a folder holding ${PAIR_CONFIG_FILE}, the file itself, or --onnx and --tfjs`);
  if (info.isDirectory()) file = join(file, PAIR_CONFIG_FILE);
  const text = await readFile(file, 'utf8').catch(() => {
    throw new CrossrtError('FILE_NOT_FOUND', `${file} not found`, `write a ${PAIR_CONFIG_FILE} ({ "onnx": "model.onnx", "tfjs": "tfjs/model.json" }) or pass --onnx and --tfjs`);
  });
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new CrossrtError('PAIR_CONFIG_INVALID', `${file} is not JSON: ${(e as Error).message.replace(/[^\x20-\x7e]/g, '?')}`, /\.onnx$/i.test(file) ? 'pass model files with --onnx and --tfjs; the positional argument is a crossrt-pair.json or its folder' : `a ${PAIR_CONFIG_FILE} is JSON: { "onnx": "model.onnx", "tfjs": "tfjs/model.json" }`);
  }
  const parsed = FormatPairConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw new CrossrtError('PAIR_CONFIG_INVALID', `${file}: ${firstSchemaIssue(parsed.error)}`, 'fields: name, onnx, tfjs, inputs[], outputs[] ({ onnx, tfjs, perm? })');
  }
  const dir = dirname(file);
  const c = parsed.data;
  return {
    name: c.name ?? basename(dir), onnxPath: resolve(dir, c.onnx), tfjsPath: resolve(dir, c.tfjs), baseDir: dir,
    ...(c.inputs ? { inputs: c.inputs } : {}), ...(c.outputs ? { outputs: c.outputs } : {}),
  };
}

export function targetFormat(t: TargetDescriptor): PairSide {
  return t.runtime === 'tfjs' || t.runtime.startsWith('tfjs-') ? 'tfjs' : 'onnx';
}

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

/**
 * What the pattern of verdicts says: `equivalent` (all agree), `conversion` (each format agrees with
 * itself on every target, the formats disagree: the converter changed the numbers), `runtime` (some
 * target disagrees with its own format), `inconclusive` (a side did not run, or the case errored).
 */
export interface PairDiagnosis {
  readonly kind: 'equivalent' | 'conversion' | 'runtime' | 'inconclusive';
  readonly outputs: readonly string[];
  readonly explanation: string;
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

const toPairValues = (vs: readonly ValueSignature[]): PairValue[] => vs.map((v) => ({ name: v.name, ...(v.dims ? { dims: v.dims } : {}) }));

/** `crossrt pair`: each pair runs on every target with the same (mapped) inputs; outputs compare after mapping. */
export async function runFormatPairs(pairs: readonly FormatPair[], options: FormatPairRunOptions): Promise<FormatPairRunResult> {
  const [reference] = options.targets;
  if (!reference) throw new CrossrtError('USAGE', 'a pair run needs targets');
  const formats = new Set(options.targets.map(targetFormat));
  if (formats.size < 2) {
    throw new CrossrtError('USAGE', `targets ${options.targets.map((t) => t.id).join(', ')} all run ${[...formats][0]} models; a pair run needs an ONNX target and a TF.js target`, 'e.g. --targets ort-node:cpu,tfjs:cpu');
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
  const report = buildReport('pair', { targets: options.targets.map((t) => t.id), reference: reference.id, seed, tolerance, defaultDim: options.defaultDim ?? DEFAULT_DIM }, cases);
  return { report, pairs: summaries };
}

/** ONNX symbolic dims take the TF.js side's fixed size through the mapping (unless the user set them). */
export function shapesFromTfjs(onnx: ModelSignature, tfjs: ModelSignature, mappings: readonly TensorMapping[], given: Readonly<Record<string, readonly number[]>>): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const m of mappings) {
    const o = onnx.inputs.find((v) => v.name === m.onnx)?.dims;
    const t = tfjs.inputs.find((v) => v.name === m.tfjs)?.dims;
    if (!o || !t || given[m.onnx] || o.every((d) => typeof d === 'number')) continue;
    const inv = invertPerm(m.perm);
    const dims = o.map((d, j) => (typeof d === 'number' ? d : t[inv[j]!]));
    if (dims.every((d): d is number => typeof d === 'number')) out[m.onnx] = dims;
  }
  return out;
}

function artifactLabel(pair: FormatPair, path: string): string {
  const rel = relative(pair.baseDir, path);
  return rel.startsWith('..') ? path : rel;
}

async function runPairCase(pair: FormatPair, options: FormatPairRunOptions, pool: TargetPool, seed: number, tolerance: Tolerance): Promise<{ result: CaseResult; summary: PairCaseSummary }> {
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
    const inputMappings = resolveTensorMappings('input', toPairValues(onnxSig.inputs), toPairValues(tfjsSig.inputs), pair.inputs);
    const shapes = { ...shapesFromTfjs(onnxSig, tfjsSig, inputMappings, options.shapes ?? {}), ...options.shapes };
    const dimOptions = { ...(options.dims ? { dims: options.dims } : {}), shapes, ...(options.defaultDim ? { defaultDim: options.defaultDim } : {}) };
    const inputs = generateInputs(onnxSig.inputs, { seed, ...scopeDimOptions(onnxSig.inputs, dimOptions) });
    prepared = { onnxSig, tfjsSig, inputMappings, inputs };
  } catch (e) {
    if (!isCrossrtError(e)) throw e;
    return { result: caseError(pair.name, e, record), summary: { ...summaryBase, inputs: [], outputs: [], diagnosis: { kind: 'inconclusive', outputs: [], explanation: `${e.code}: ${e.message}` } } };
  }
  const { onnxSig, tfjsSig, inputMappings, inputs } = prepared;
  const feeds: Record<PairSide, Record<string, HostTensor>> = { onnx: Object.fromEntries(inputs.tensors), tfjs: {} };
  for (const m of inputMappings) feeds.tfjs[m.tfjs] = transposeTensor(feeds.onnx[m.onnx]!, m.perm);
  const paths: Record<PairSide, string> = { onnx: pair.onnxPath, tfjs: pair.tfjsPath };
  const labels: Record<PairSide, string> = { onnx: onnxLabel, tfjs: tfjsLabel };

  const executions = new Map<string, TargetExecution>();
  for (const target of options.targets) {
    const side = targetFormat(target);
    executions.set(target.id, await executeOnTarget(pool, target, paths[side], [feeds[side]], model.proto.graph?.node.length ?? 0));
  }
  const outcomes = options.targets.map((t) => executions.get(t.id)!.outcome);
  const firstOk = (side: PairSide) => options.targets.find((t) => targetFormat(t) === side && executions.get(t.id)!.outcome.status === 'ok');
  const okOnnx = firstOk('onnx');
  const okTfjs = firstOk('tfjs');
  const base = { id: pair.name, model: record!, inputs: [...inputs.records], dims: [...inputs.dims], outcomes };
  if (!okOnnx || !okTfjs) {
    const missing = !okOnnx ? 'no ONNX target ran' : 'no TF.js target ran';
    const result = { ...base, comparisons: [] };
    return { result: { ...result, verdict: caseVerdict(result) }, summary: { ...summaryBase, inputs: inputMappings, outputs: [], diagnosis: { kind: 'inconclusive', outputs: [], explanation: missing } } };
  }
  const actualValues = (target: TargetDescriptor, declared: readonly ValueSignature[]): PairValue[] => {
    const produced = executions.get(target.id)!.outputs[0]!;
    const order = declared.length > 0 ? declared.map((v) => v.name).filter((n) => produced.has(n)) : [...produced.keys()];
    for (const n of produced.keys()) if (!order.includes(n)) order.push(n);
    return order.map((name) => ({ name, dims: [...produced.get(name)!.dims] }));
  };
  let outputMappings: TensorMapping[];
  try {
    outputMappings = resolveTensorMappings('output', actualValues(okOnnx, onnxSig.outputs), actualValues(okTfjs, tfjsSig.outputs), pair.outputs, layoutByRank(inputMappings));
  } catch (e) {
    if (!isCrossrtError(e)) throw e;
    return { result: caseError(pair.name, e, record), summary: { ...summaryBase, inputs: inputMappings, outputs: [], diagnosis: { kind: 'inconclusive', outputs: [], explanation: `${e.code}: ${e.message}` } } };
  }

  const comparisons = pairComparisons(options.targets, executions, outputMappings, labels, tolerance);
  const result = { ...base, comparisons };
  return {
    result: { ...result, verdict: caseVerdict(result) },
    summary: { ...summaryBase, inputs: inputMappings, outputs: outputMappings, diagnosis: diagnosePair(options.targets, executions, comparisons, labels) },
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
  targets: readonly TargetDescriptor[], executions: ReadonlyMap<string, TargetExecution>, mappings: readonly TensorMapping[],
  labels: Record<PairSide, string>, tolerance: Tolerance,
): Comparison[] {
  const ok = targets.filter((t) => executions.get(t.id)!.outcome.status === 'ok');
  const reference = targets[0]!;
  if (!ok.includes(reference)) return [];
  const refSide = targetFormat(reference);
  const otherFirst = ok.find((t) => targetFormat(t) !== refSide);
  const pairs: [TargetDescriptor, TargetDescriptor][] = ok.filter((t) => t !== reference).map((t) => [t, reference]);
  if (otherFirst) for (const t of ok) if (t !== otherFirst && targetFormat(t) === targetFormat(otherFirst)) pairs.push([t, otherFirst]);
  const subject = (t: TargetDescriptor) => `${labels[targetFormat(t)]}@${t.id}`;
  return pairs.flatMap(([actualT, refT]) => mappings.map((m) => {
    const aSide = targetFormat(actualT);
    const rSide = targetFormat(refT);
    const aRaw = executions.get(actualT.id)!.outputs[0]?.get(m[aSide]);
    const rRaw = executions.get(refT.id)!.outputs[0]?.get(m[rSide]);
    let actual = aRaw && intoLayout(aRaw, m, aSide, rSide);
    if (actual && rRaw) actual = alignIntegerWidth(actual, rRaw.dtype);
    const expected = rRaw && aRaw ? alignIntegerWidth(rRaw, actual?.dtype) : rRaw;
    const cmp = compareOutput({ output: outputLabel(m), target: subject(actualT), reference: subject(refT), actual, expected, tolerance });
    const how = aSide === rSide ? '' : `; ${aSide === 'tfjs' ? 'TF.js' : 'ONNX'} ${m[aSide]} brought into the ${rSide === 'tfjs' ? 'TF.js' : 'ONNX'} layout (${describePerm(aSide === 'onnx' ? m.perm : invertPerm(m.perm))})`;
    return { ...cmp, reason: `${cmp.reason}${how}` };
  }));
}

function diagnosePair(targets: readonly TargetDescriptor[], executions: ReadonlyMap<string, TargetExecution>, comparisons: readonly Comparison[], labels: Record<PairSide, string>): PairDiagnosis {
  const sideOf = (subject: string) => (subject.startsWith(`${labels.tfjs}@`) ? 'tfjs' : 'onnx');
  const cross = comparisons.filter((c) => sideOf(c.target) !== sideOf(c.reference));
  const within = comparisons.filter((c) => sideOf(c.target) === sideOf(c.reference));
  const notRun = targets.filter((t) => executions.get(t.id)!.outcome.status !== 'ok').map((t) => t.id);
  const failed = (cs: readonly Comparison[]) => cs.filter((c) => c.verdict !== 'pass');
  const crossFailed = failed(cross);
  const withinFailed = failed(within);
  if (cross.length === 0) return { kind: 'inconclusive', outputs: [], explanation: 'no cross-format comparison was possible (the reference target did not run)' };
  if (crossFailed.length === 0 && withinFailed.length === 0) {
    return { kind: 'equivalent', outputs: [], explanation: `ONNX and TF.js agree on every output on every target that ran${notRun.length ? ` (did not run: ${notRun.join(', ')})` : ''}` };
  }
  const outputs = [...new Set([...crossFailed, ...withinFailed].map((c) => c.output))];
  const everyCrossFails = (o: string) => cross.filter((c) => c.output === o).every((c) => c.verdict !== 'pass');
  if (withinFailed.length === 0 && outputs.every(everyCrossFails)) {
    const worst = crossFailed.map((c) => `${c.output}: ${c.verdict}${c.metrics ? `, max abs ${c.metrics.maxAbsError.toPrecision(3)}` : ''}`);
    return {
      kind: 'conversion', outputs,
      explanation: `the ${labels.onnx} and ${labels.tfjs} artifacts disagree on ${outputs.join(', ')} on every target, ${within.length > 0
        ? 'while targets of the same format agree: the conversion changed the model'
        : 'so the conversion likely changed the model (one target per format: add a second target of either format to rule out a runtime difference)'} (${[...new Set(worst)].slice(0, 3).join('; ')})`,
    };
  }
  const odd = [...new Set([...withinFailed, ...crossFailed].map((c) => c.target.split('@').slice(1).join('@')))];
  return { kind: 'runtime', outputs, explanation: `targets disagree within a format or only some targets disagree across formats (${odd.join(', ')}): a runtime/backend difference, not (only) the conversion` };
}
