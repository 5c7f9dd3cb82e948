import type { QuantActivationError } from '@crossrt/core';
import type { GraphOrder } from '../graph/graph-order.js';

/**
 * Where quantization error jumps. Each compared tensor's node is credited with the SNR it received:
 * the lowest SNR among the activations it reads (walking up through tensors that were not compared),
 * where graph inputs fed unquantized count as the ceiling, and every input SNR is capped at the
 * ceiling — 6.02·8 ≈ 48.2 dB, an ideal 8-bit quantizer over a full-scale uniform signal, the best an
 * int8 tensor can be. drop = min(inputs, ceiling) − SNR; a tensor jumps when drop ≥ `dropDb`
 * (default 20 dB: a healthy int8 layer loses a few dB, a first layer up to ~15; a broken scale or
 * zero point loses tens). The first jumping tensor in graph order is named.
 */
export const DEFAULT_JUMP_DB = 20;
export const SNR_CEILING_DB = 6.02 * 8;

export interface TensorSnr {
  readonly snrDb: number | null;
}

export function jumpRuleText(dropDb: number): string {
  return `a tensor jumps when its SNR is at least ${dropDb} dB below the lowest SNR of the activations its node reads (graph inputs fed as is, and any input above it, count as ${SNR_CEILING_DB.toFixed(1)} dB, the 8-bit ideal)`;
}

/** Fill inputSnrDb, dropDb and jump of each tensor (by fp32 name) from the fp32 graph's structure. */
export type MeasuredActivation = Omit<QuantActivationError, 'inputSnrDb' | 'dropDb' | 'jump'>;

export function applyJumpRule(
  order: GraphOrder,
  rows: readonly MeasuredActivation[],
  dropDb = DEFAULT_JUMP_DB,
): QuantActivationError[] {
  const byName = new Map(rows.map((r) => [r.tensor, r]));
  const received = new Map<string, number | null>();
  /** SNR a tensor carries into its readers: its own when compared, else what its node received. */
  const carried = (t: string, depth: number): number | null => {
    const r = byName.get(t);
    if (r) return r.snrDb === null ? SNR_CEILING_DB : Math.min(r.snrDb, SNR_CEILING_DB);
    if (order.graphInputs.has(t)) return SNR_CEILING_DB;
    if (order.initializers.has(t)) return null;
    const p = order.producer.get(t);
    return p === undefined || depth > 64 ? null : inputsOf(p, depth + 1);
  };
  const inputsOf = (node: number, depth: number): number | null => {
    const key = `#${node}`;
    if (received.has(key)) return received.get(key)!;
    received.set(key, null);
    let lo: number | null = null;
    for (const r of order.nodes[node]!.reads) {
      const s = carried(r, depth);
      if (s !== null) lo = lo === null ? s : Math.min(lo, s);
    }
    received.set(key, lo);
    return lo;
  };
  return rows.map((r) => {
    const p = order.producer.get(r.tensor);
    // A graph input's own quantization is judged against the exact values fed.
    const input = p === undefined ? SNR_CEILING_DB : inputsOf(p, 0);
    const own = r.snrDb === null ? Infinity : r.snrDb;
    const drop = input === null ? null : own === Infinity ? 0 : input - own;
    return { ...r, inputSnrDb: input, dropDb: drop, jump: drop !== null && drop >= dropDb };
  });
}
