import { resolve } from 'node:path';
import {
  type CaseResult,
  type Comparison,
  type HostTensor,
  type QuantActivationError,
  type QuantError,
  type QuantGate,
  type Report,
  type RunOutcome,
} from '@crossrt/core';
import { compareOutput, computeMetrics, DEFAULT_TOLERANCE } from '@crossrt/compare';
import { DEFAULT_DIM } from '@crossrt/inputs';
import {
  dequantizeValues,
  exposeTensors,
  modelSignature,
  readModelFile,
  tensorFromProto,
  type LoadedModel,
  type ModelProto,
} from '@crossrt/model';
import type { TargetDescriptor } from '@crossrt/runtime';
import { graphOrder } from '../graph/graph-order.js';
import type { SideRunOptions } from '../run/input-settings.js';
import { buildReport, caseVerdict, modelRecord } from '../report/report-builder.js';
import { TargetPool } from '../execution/target-pool.js';
import type { TargetExecution } from '../execution/target-outcome.js';
import { quantInputSets } from './input-sets.js';
import { applyJumpRule, DEFAULT_JUMP_DB, jumpRuleText, SNR_CEILING_DB, type MeasuredActivation } from './jump-rule.js';
import { ModelRuns } from './model-runs.js';
import { matchQuantizedTensors, type ActivationPair, type QuantRef } from './tensor-matching.js';
import { byWorstSnr, weightErrors } from './weight-error.js';
import { outcomeLine } from '../run/outcome-line.js';

/** Tensor pairs exposed per run (both models), as localize's chunks bound one run's memory. */
export const QUANT_CHUNK = 128;

export interface QuantErrorGateSpec {
  readonly minSnrDb?: number;
  readonly minTensorSnrDb?: number;
  readonly minWeightSnrDb?: number;
  readonly failOnJump?: boolean;
}

export interface QuantErrorOptions extends SideRunOptions {
  /** The fp32 model (the reference). */
  readonly model: string;
  /** Its int8 variant (QDQ or QOperator). */
  readonly variant: string;
  readonly target: TargetDescriptor;
  /** Drop (dB) against a node's inputs that counts as a jump. */
  readonly jumpDb?: number;
  readonly gate?: QuantErrorGateSpec;
  readonly timeoutMs?: number;
  readonly chunkSize?: number;
}

/** `crossrt quant-error`: one case, on a pool of its own. */
export async function runQuantError(options: QuantErrorOptions): Promise<Report> {
  const pool = new TargetPool({ ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}) });
  try {
    const result = await quantErrorCase(options, pool);
    return buildReport(
      'quant-error',
      {
        targets: [options.target.id],
        reference: `${options.model}@${options.target.id}`,
        seed: options.seed ?? 0,
        tolerance: DEFAULT_TOLERANCE,
        defaultDim: options.defaultDim ?? DEFAULT_DIM,
        placement: pool.placementPolicy,
      },
      [result],
    );
  } finally {
    await pool.close();
  }
}

/**
 * The quant-error case: pair the tensors, run both plain models (their final outputs judged with the
 * int8 variant policy), then both with the paired tensors exposed, chunk by chunk, on the same inputs;
 * per-tensor error against fp32 on the same target, per-weight error from the initializers, the jump
 * rule, and the gate when a suite step sets one.
 */
export async function quantErrorCase(options: QuantErrorOptions, pool: TargetPool): Promise<CaseResult> {
  const fp32 = await readModelFile(resolve(options.model));
  const int8 = await readModelFile(resolve(options.variant));
  const matching = matchQuantizedTensors(fp32.proto, int8.proto);
  // Both runs are on one target: the outcomes list says which model each was.
  const notes = [
    `runs on ${options.target.id}: first ${options.model} (fp32), then ${options.variant} (int8)`,
    ...matching.notes,
  ];
  const samples = options.inputs?.samples ?? 1;
  const inputs = await quantInputSets(fp32.proto, samples, options, [int8.proto]);
  const refRuns = new ModelRuns(pool, options.target);
  const actRuns = new ModelRuns(pool, options.target);
  const refLabel = `${options.model}@${options.target.id}`;
  const actLabel = `${options.variant}@${options.target.id}`;
  try {
    // 1. Plain models: what users ship, before exposure keeps the runtime from fusing QDQ groups.
    const plainRef = await refRuns.run(fp32.proto, fp32, inputs.sets);
    const plainAct = await actRuns.run(int8.proto, int8, inputs.sets);
    const outcomes: RunOutcome[] = [
      { ...plainRef.outcome, target: options.target.id },
      { ...plainAct.outcome, target: options.target.id },
    ];
    const comparisons =
      plainRef.outcome.status === 'ok' && plainAct.outcome.status === 'ok'
        ? outputComparisons(fp32.proto, int8.proto, plainRef, plainAct, refLabel, actLabel)
        : [];
    let activations: MeasuredActivation[] = [];
    if (comparisons.length > 0) {
      activations = await compareActivations(
        fp32,
        int8,
        matching.activations,
        inputs.sets,
        refRuns,
        actRuns,
        options.chunkSize ?? QUANT_CHUNK,
        notes,
      );
    } else {
      notes.push('a plain model did not run on the target: no tensor was compared');
    }
    const dropDb = options.jumpDb ?? DEFAULT_JUMP_DB;
    const judged = applyJumpRule(graphOrder(fp32.proto), activations, dropDb);
    const weights = weightErrors(fp32.proto, int8.proto, matching.weights, notes);
    const first = judged.find((a) => a.jump);
    const order = graphOrder(fp32.proto);
    const firstNode =
      first && order.producer.has(first.tensor) ? order.nodes[order.producer.get(first.tensor)!]! : undefined;
    const outputSnr = lowestSnr(comparisons);
    notes.push(
      'intermediate tensors are measured with them exposed as outputs, which keeps onnxruntime from fusing QDQ groups into integer kernels; the final outputs above come from the plain models',
    );
    const quantError: QuantError = {
      format: matching.format,
      reference: options.model,
      variant: options.variant,
      target: options.target.id,
      inputSets: inputs.sets.length,
      jumpRule: { dropDb, ceilingDb: SNR_CEILING_DB, text: jumpRuleText(dropDb) },
      firstJump: first
        ? {
            tensor: first.tensor,
            index: first.index,
            node: first.node,
            opType: first.opType,
            snrDb: first.snrDb,
            inputSnrDb: first.inputSnrDb,
            dropDb: first.dropDb!,
            weights: firstNode ? firstNode.reads.filter((r) => order.initializers.has(r)) : [],
          }
        : null,
      activations: judged,
      weights,
      unmatched: { count: matching.unmatched.length, examples: matching.unmatched.slice(0, 8) },
      ...(outputSnr !== undefined ? { outputSnrDb: outputSnr } : {}),
      ...(options.gate ? { gate: judgeGate(options.gate, outputSnr, judged, weights) } : {}),
      runs: refRuns.runs + actRuns.runs,
      notes,
    };
    const result: Omit<CaseResult, 'verdict'> = {
      id: `${options.variant} vs ${options.model}`,
      model: modelRecord(options.variant, int8),
      inputs: [...inputs.records],
      dims: [...inputs.dims],
      outcomes,
      comparisons,
      quantError,
    };
    const verdict = caseVerdict(result);
    return { ...result, verdict: verdict === 'pass' && quantError.gate && !quantError.gate.passed ? 'fail' : verdict };
  } finally {
    await Promise.all([refRuns.close(), actRuns.close()]);
  }
}

function outputComparisons(
  fp32: ModelProto,
  int8: ModelProto,
  ref: TargetExecution,
  act: TargetExecution,
  refLabel: string,
  actLabel: string,
): Comparison[] {
  const refOut = modelSignature(fp32).outputs.map((o) => o.name);
  const actOut = modelSignature(int8).outputs.map((o) => o.name);
  const sets = ref.outputs.length;
  return ref.outputs.flatMap((outputs, k) =>
    refOut.map((name, i) =>
      compareOutput({
        output: name,
        target: actLabel,
        reference: refLabel,
        expected: outputs.get(name),
        actual: act.outputs[k]?.get(actOut.includes(name) ? name : actOut[i]!),
        variantKind: 'int8',
        allowFloatDtypeMix: true,
        ...(sets > 1 ? { inputSet: `sample${k}` } : {}),
      }),
    ),
  );
}

async function compareActivations(
  fp32: LoadedModel,
  int8: LoadedModel,
  pairs: readonly ActivationPair[],
  sets: readonly ReadonlyMap<string, HostTensor>[],
  refRuns: ModelRuns,
  actRuns: ModelRuns,
  chunk: number,
  notes: string[],
): Promise<MeasuredActivation[]> {
  const order = graphOrder(fp32.proto);
  const position = new Map([...order.graphInputs].map((n, i) => [n, i]));
  let next = position.size;
  for (const n of order.nodes) for (const o of n.outputs) position.set(o, next++);
  const actGraphInputs = new Set((int8.proto.graph?.input ?? []).map((i) => i.name));
  const actInits = new Map((int8.proto.graph?.initializer ?? []).map((t) => [t.name, t]));
  const rows: MeasuredActivation[] = [];
  for (let i = 0; i < pairs.length; i += chunk) {
    const part = pairs.slice(i, i + chunk);
    const refNames = part.map((p) => p.fp32).filter((n) => !order.graphInputs.has(n));
    const actNames = part.map((p) => p.variant).filter((n) => !actGraphInputs.has(n));
    const ref = await refRuns.run(exposeTensors(fp32.proto, refNames).model, fp32, sets);
    const act = await actRuns.run(exposeTensors(int8.proto, actNames).model, int8, sets);
    if (ref.outcome.status !== 'ok' || act.outcome.status !== 'ok') {
      const failed = ref.outcome.status !== 'ok' ? ref.outcome : act.outcome;
      notes.push(`${part.length} tensor(s) not compared: exposing them failed (${outcomeLine(failed)})`);
      continue;
    }
    for (const p of part) {
      const refValues = sets.map((feeds, k) =>
        order.graphInputs.has(p.fp32) ? feeds.get(p.fp32) : ref.outputs[k]?.get(p.fp32),
      );
      const actValues = sets.map((feeds, k) =>
        actGraphInputs.has(p.variant) ? feeds.get(p.variant) : act.outputs[k]?.get(p.variant),
      );
      const r = concatFloat(refValues);
      const a = p.dequantize ? concatDequantized(actValues, p.dequantize, actInits) : concatFloat(actValues);
      if (!r || !a || r.length !== a.length) {
        notes.push(
          `tensor ${p.fp32} not compared: ${!r || !a ? 'not a float tensor on both sides (or its scale is not an initializer)' : `${r.length} vs ${a.length} elements`}`,
        );
        continue;
      }
      const m = computeMetrics(
        { dtype: 'float32', dims: [a.length], data: a },
        { dtype: 'float32', dims: [r.length], data: r },
        0,
        0,
        { classScores: false },
      );
      let peak = 0;
      for (const v of r) if (Number.isFinite(v)) peak = Math.max(peak, Math.abs(v));
      const producer = order.producer.get(p.fp32);
      const node = producer === undefined ? undefined : order.nodes[producer]!;
      rows.push({
        tensor: p.fp32,
        variantTensor: p.variant,
        match: p.match,
        index: position.get(p.fp32) ?? 0,
        node: node?.label ?? null,
        opType: node?.opType ?? null,
        elements: m.elements,
        snrDb: m.snrDb ?? null,
        cosineSimilarity: m.cosineSimilarity ?? 1,
        maxAbsError: m.maxAbsError,
        maxAbsErrorRelative: peak > 0 ? m.maxAbsError / peak : m.maxAbsError,
      });
    }
  }
  return rows.sort((x, y) => x.index - y.index);
}

function concatFloat(ts: readonly (HostTensor | undefined)[]): Float32Array | undefined {
  if (ts.some((t) => !t || t.dtype !== 'float32')) return undefined;
  const out = new Float32Array(ts.reduce((n, t) => n + t!.data.length, 0));
  let at = 0;
  for (const t of ts) {
    out.set(t!.data as Float32Array, at);
    at += t!.data.length;
  }
  return out;
}

/** A QOperator's integer output as float: (q − zero point) × scale, with its own parameter initializers. */
function concatDequantized(
  ts: readonly (HostTensor | undefined)[],
  q: QuantRef,
  inits: ReadonlyMap<string, Parameters<typeof tensorFromProto>[0]>,
): Float32Array | undefined {
  const scaleInit = inits.get(q.scale);
  if (!scaleInit || ts.some((t) => !t)) return undefined;
  const scale = Float32Array.from(tensorFromProto(scaleInit).data as ArrayLike<number>);
  const zpInit = q.zeroPoint ? inits.get(q.zeroPoint) : undefined;
  const zeroPoint = zpInit
    ? Int32Array.from(tensorFromProto(zpInit).data as ArrayLike<number>)
    : new Int32Array(scale.length);
  const parts = ts.map((t) =>
    dequantizeValues(t!.data as ArrayLike<number>, t!.dims, {
      scale,
      zeroPoint,
      ...(q.axis !== undefined ? { axis: q.axis } : {}),
    }),
  );
  return concatFloat(parts.map((data) => ({ dtype: 'float32', dims: [data.length], data })));
}

function lowestSnr(comparisons: readonly Comparison[]): number | null | undefined {
  const snrs = comparisons.map((c) => c.metrics?.snrDb).filter((s): s is number | null => s !== undefined);
  if (snrs.length === 0) return undefined;
  const lo = snrs.reduce<number>((acc, s) => Math.min(acc, s ?? Infinity), Infinity);
  // Every output identical: infinite SNR, which JSON cannot hold.
  return Number.isFinite(lo) ? lo : null;
}

/** The suite step's bounds: final outputs, every compared tensor, every weight. */
export function judgeGate(
  gate: QuantErrorGateSpec,
  outputSnr: number | null | undefined,
  activations: readonly QuantActivationError[],
  weights: readonly { tensor: string; snrDb: number | null }[],
): QuantGate {
  const failures: string[] = [];
  const fmt = (x: number) => `${x.toFixed(1)} dB`;
  if (gate.minSnrDb !== undefined) {
    if (outputSnr === undefined) failures.push('the final outputs were not compared (a model did not run)');
    else if (outputSnr !== null && outputSnr < gate.minSnrDb)
      failures.push(`output SNR ${fmt(outputSnr)} < ${gate.minSnrDb} dB`);
  }
  if (gate.minTensorSnrDb !== undefined) {
    const worst = [...activations].sort(byWorstSnr)[0];
    if (worst && worst.snrDb !== null && worst.snrDb < gate.minTensorSnrDb)
      failures.push(`tensor ${worst.tensor} SNR ${fmt(worst.snrDb)} < ${gate.minTensorSnrDb} dB`);
  }
  if (gate.minWeightSnrDb !== undefined) {
    const worst = [...weights].sort(byWorstSnr)[0];
    if (worst && worst.snrDb !== null && worst.snrDb < gate.minWeightSnrDb)
      failures.push(`weight ${worst.tensor} SNR ${fmt(worst.snrDb)} < ${gate.minWeightSnrDb} dB`);
  }
  const jump = activations.find((a) => a.jump);
  if (gate.failOnJump && jump)
    failures.push(`error jumps at ${jump.tensor} (−${jump.dropDb!.toFixed(1)} dB against its inputs)`);
  return { ...gate, passed: failures.length === 0, failures };
}
