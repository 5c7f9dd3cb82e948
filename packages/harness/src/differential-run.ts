import { resolve } from 'node:path';
import { isCrossrtError, type CaseResult, type HostTensor, type Report, type RunOutcome, type Tolerance } from '@crossrt/core';
import { compareOutput, DEFAULT_TOLERANCE } from '@crossrt/compare';
import { DEFAULT_DIM, generateInputs } from '@crossrt/inputs';
import { modelSignature, opsetMap, readModelFile } from '@crossrt/model';
import type { TargetDescriptor } from '@crossrt/runtime';
import { buildReport, caseVerdict } from './report-builder.js';
import { executeOnTarget, TargetPool, type TargetExecution } from './target-execution.js';

export interface DifferentialRunOptions {
  readonly targets: readonly TargetDescriptor[];
  readonly seed?: number;
  readonly tolerance?: Tolerance;
  readonly dims?: Readonly<Record<string, number>>;
  readonly shapes?: Readonly<Record<string, readonly number[]>>;
  readonly defaultDim?: number;
  readonly timeoutMs?: number;
  /** Called as each case finishes (progress, streaming). */
  readonly onCase?: (result: CaseResult, index: number, total: number) => void;
}

export const DEFAULT_SEED = 0;

/**
 * `crossrt run`: for each model, generate one seeded input set, run it on every target (each in its own
 * host process), and compare every output of every target against the first target.
 */
export async function runDifferential(modelPaths: readonly string[], options: DifferentialRunOptions): Promise<Report> {
  const seed = options.seed ?? DEFAULT_SEED;
  const tolerance = options.tolerance ?? DEFAULT_TOLERANCE;
  const [reference] = options.targets;
  if (!reference) throw new Error('runDifferential needs at least one target');
  const pool = new TargetPool(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {});
  const cases: CaseResult[] = [];
  try {
    for (const [index, path] of modelPaths.entries()) {
      const result = await runCase(path, options, pool, seed, tolerance, reference);
      cases.push(result);
      options.onCase?.(result, index, modelPaths.length);
    }
  } finally {
    await pool.close();
  }
  return buildReport('run', {
    targets: options.targets.map((t) => t.id), reference: reference.id, seed, tolerance, defaultDim: options.defaultDim ?? DEFAULT_DIM,
  }, cases);
}

async function runCase(path: string, options: DifferentialRunOptions, pool: TargetPool, seed: number, tolerance: Tolerance, reference: TargetDescriptor): Promise<CaseResult> {
  const modelPath = resolve(path);
  let prepared;
  try {
    const model = await readModelFile(modelPath);
    const signature = modelSignature(model.proto);
    const inputs = generateInputs(signature.inputs, { seed, ...pick(options) });
    prepared = { model, signature, inputs };
  } catch (e) {
    if (!isCrossrtError(e)) throw e;
    return { id: path, error: { code: e.code, message: e.message, ...(e.hint ? { hint: e.hint } : {}) }, inputs: [], dims: [], outcomes: [], comparisons: [], verdict: 'error' };
  }
  const { model, signature, inputs } = prepared;
  const feeds: Record<string, HostTensor> = Object.fromEntries(inputs.tensors);
  const graphNodes = model.proto.graph?.node.length ?? 0;
  const executions = new Map<string, TargetExecution>();
  for (const target of options.targets) {
    executions.set(target.id, await executeOnTarget(pool, target, modelPath, feeds, graphNodes));
  }
  const outcomes: RunOutcome[] = [...executions.values()].map((x) => x.outcome);
  const refOutputs = executions.get(reference.id)!;
  const comparisons = refOutputs.outcome.status !== 'ok' ? [] : options.targets.slice(1).flatMap((target) => {
    const exec = executions.get(target.id)!;
    if (exec.outcome.status !== 'ok') return [];
    const names = signature.outputs.map((o) => o.name);
    return names.map((output) => compareOutput({
      output, target: target.id, reference: reference.id, actual: exec.outputs.get(output), expected: refOutputs.outputs.get(output), tolerance,
    }));
  });
  const result: Omit<CaseResult, 'verdict'> = {
    id: path,
    model: {
      path, sha256: model.sha256, bytes: model.bytes.length, irVersion: Number(model.proto.irVersion), opsets: opsetMap(model.proto),
      producer: `${model.proto.producerName} ${model.proto.producerVersion}`.trim(), nodes: graphNodes,
    },
    inputs: [...inputs.records], dims: [...inputs.dims], outcomes, comparisons,
  };
  return { ...result, verdict: caseVerdict(result) };
}

function pick(o: DifferentialRunOptions) {
  return { ...(o.dims ? { dims: o.dims } : {}), ...(o.shapes ? { shapes: o.shapes } : {}), ...(o.defaultDim ? { defaultDim: o.defaultDim } : {}) };
}

