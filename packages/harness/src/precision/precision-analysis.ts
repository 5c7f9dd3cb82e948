import { numericView, type HostTensor } from '@crossrt/core';
import { computeMetrics } from '@crossrt/compare';
import { exposeTensors, nodeReads, type Fp16Converter, type ModelProto } from '@crossrt/model';
import { NON_TENSOR_OUTPUT_OPS } from '../graph/graph-order.js';
import type { TargetExecution } from '../execution/target-outcome.js';
import { EXACT_SNR_DB } from './precision-policy.js';

/** The float16 range: float32 values beyond it become ±Inf in a float16 tensor. */
export const FP16_MAX = 65504;

/** Runs one model (with the feeds of the first input set) on the analysis target. */
export type RunOne = (proto: ModelProto) => Promise<TargetExecution>;

export interface TensorError {
  readonly tensor: string;
  /** SNR of the all-fp16 model's value against the float32 model's, dB (-Infinity: NaN/Inf or lost signal). */
  readonly snrDb: number;
  /** Largest |value| in the float32 model. */
  readonly fp32MaxAbs: number;
}

export interface NodeGrowth {
  readonly key: string;
  /** Worst input SNR minus worst output SNR (dB); Infinity where the node first turns finite values non-finite. */
  readonly growthDb: number | undefined;
  /** Its output (or a float input it reads) holds float32 values beyond ±65504. */
  readonly overflow: boolean;
}

export interface PrecisionAnalysis {
  readonly tensors: ReadonlyMap<string, TensorError>;
  readonly growth: readonly NodeGrowth[];
  readonly overflowTensors: readonly { tensor: string; maxAbs: number; producer: string }[];
  readonly runs: number;
  readonly notes: readonly string[];
}

/**
 * What localize knows, for the float16 question: expose every float intermediate of the main graph in
 * the float32 model and in the all-fp16 model (in chunks, one target), measure each tensor's SNR, find
 * the tensors whose float32 values leave the float16 range, and rank nodes by the SNR they lose.
 * `outputs` are the graph outputs of both full runs (already run by the caller).
 */
export async function analysePrecision(
  conv: Fp16Converter,
  fp32: ModelProto,
  fp16: ModelProto,
  run: RunOne,
  outputs: { fp32: ReadonlyMap<string, HostTensor>; fp16: ReadonlyMap<string, HostTensor> },
  chunkSize = 96,
): Promise<PrecisionAnalysis> {
  const g = fp32.graph!;
  const graphOutputs = new Set(g.output.map((o) => o.name));
  const inFp16 = new Set((fp16.graph?.node ?? []).flatMap((n) => n.output));
  const names = g.node
    .flatMap((n) => (NON_TENSOR_OUTPUT_OPS.has(n.opType) ? [] : n.output))
    .filter((t) => t !== '' && conv.isFloatTensor(t) && !graphOutputs.has(t) && inFp16.has(t));
  const tensors = new Map<string, TensorError>();
  const notes: string[] = [];
  let runs = 0;
  for (const [name, a] of outputs.fp16) {
    const r = outputs.fp32.get(name);
    if (r) tensors.set(name, tensorError(name, a, r));
  }
  const measure = async (chunk: readonly string[]): Promise<void> => {
    const [ref, act] = [await run(exposeTensors(fp32, chunk).model), await run(exposeTensors(fp16, chunk).model)];
    runs += 2;
    if (ref.outcome.status !== 'ok' || act.outcome.status !== 'ok') {
      // A tensor the runtime refuses as an output must not hide the others: halve, then give it up.
      if (chunk.length > 1) {
        const mid = Math.ceil(chunk.length / 2);
        await measure(chunk.slice(0, mid));
        await measure(chunk.slice(mid));
      } else {
        notes.push(
          `tensor ${chunk[0]} could not be exposed (${ref.outcome.status}/${act.outcome.status}): its nodes rank by graph order`,
        );
      }
      return;
    }
    for (const name of chunk) {
      const r = ref.outputs[0]?.get(name);
      const a = act.outputs[0]?.get(name);
      if (r && a) tensors.set(name, tensorError(name, a, r));
    }
  };
  for (let i = 0; i < names.length; i += chunkSize) await measure(names.slice(i, i + chunkSize));

  const producer = new Map<string, string>();
  g.node.forEach((n, i) => n.output.forEach((o) => producer.set(o, conv.mainKey(i))));
  const overflowTensors = [...tensors.values()]
    .filter((t) => t.fp32MaxAbs > FP16_MAX)
    .map((t) => ({ tensor: t.tensor, maxAbs: t.fp32MaxAbs, producer: producer.get(t.tensor) ?? '' }));
  const overflowing = new Set(overflowTensors.map((t) => t.tensor));
  const snrOf = (t: string): number | undefined => {
    if (t === '' || !conv.isFloatTensor(t)) return undefined;
    if (!producer.has(t)) return EXACT_SNR_DB; // graph input or initializer: the node's own rounding
    return tensors.get(t)?.snrDb;
  };
  const growth = g.node.map((n, i): NodeGrowth => {
    const outs = n.output.map(snrOf).filter((x): x is number => x !== undefined);
    // A control-flow node also reads, through its bodies, the outer tensors they name.
    const ins = nodeReads(n)
      .map(snrOf)
      .filter((x): x is number => x !== undefined);
    const overflow = [...n.input, ...n.output].some((t) => overflowing.has(t));
    if (outs.length === 0) return { key: conv.mainKey(i), growthDb: undefined, overflow };
    const worstIn = ins.length ? Math.min(...ins) : EXACT_SNR_DB;
    const worstOut = Math.min(...outs);
    const growthDb = worstOut === -Infinity ? (worstIn === -Infinity ? 0 : Infinity) : Math.max(0, worstIn - worstOut);
    return { key: conv.mainKey(i), growthDb, overflow };
  });
  return { tensors, growth, overflowTensors, runs, notes };
}

function tensorError(tensor: string, actual: HostTensor, reference: HostTensor): TensorError {
  const m = computeMetrics(actual, reference, 0, 0);
  const snrDb =
    m.nanInfMismatches > 0
      ? -Infinity
      : m.snrDb === null || m.snrDb === undefined
        ? m.maxAbsError === 0
          ? EXACT_SNR_DB
          : -Infinity
        : Math.min(m.snrDb, EXACT_SNR_DB);
  return { tensor, snrDb, fp32MaxAbs: maxAbs(reference) };
}

function maxAbs(t: HostTensor): number {
  const v = numericView(t) as ArrayLike<number>;
  let m = 0;
  for (let i = 0; i < v.length; i++) {
    const x = Math.abs(Number(v[i]));
    if (x > m && Number.isFinite(x)) m = x;
  }
  return m;
}
