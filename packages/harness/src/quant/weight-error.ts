import type { HostTensor, QuantWeightError } from '@crossrt/core';
import { computeMetrics } from '@crossrt/compare';
import { dequantizeValues, tensorFromProto, type ModelProto } from '@crossrt/model';
import type { QuantRef, WeightPair } from './tensor-matching.js';

/**
 * Quantization error of each int8 initializer: dequantized with its own scale and zero point (per
 * channel along its axis) against the fp32 weight it replaced, worst SNR first. `maxErrorInScales`
 * is in units of the element's scale: round-to-nearest gives at most 0.5; more means clipping or
 * wrong parameters.
 */
export function weightErrors(
  fp32: ModelProto,
  variant: ModelProto,
  pairs: readonly WeightPair[],
  notes: string[],
): QuantWeightError[] {
  const refInits = new Map((fp32.graph?.initializer ?? []).map((t) => [t.name, t]));
  const actInits = new Map((variant.graph?.initializer ?? []).map((t) => [t.name, t]));
  const load = (
    m: Map<string, Parameters<typeof tensorFromProto>[0]>,
    name: string | undefined,
  ): HostTensor | undefined => {
    const t = name ? m.get(name) : undefined;
    try {
      return t ? tensorFromProto(t) : undefined;
    } catch {
      return undefined;
    }
  };
  const out: QuantWeightError[] = [];
  const seen = new Set<string>();
  for (const p of pairs) {
    if (seen.has(`${p.fp32}\u0000${p.variant}`)) continue;
    seen.add(`${p.fp32}\u0000${p.variant}`);
    const w = load(refInits, p.fp32);
    const q = load(actInits, p.variant);
    const scale = scaleOf(p, (n) => load(actInits, n));
    if (!w || !q || !scale || w.dtype !== 'float32' || w.data.length !== q.data.length) {
      notes.push(
        `weight ${p.fp32} (${p.node}) not compared: ${!w || !q ? 'an initializer is external or unreadable' : !scale ? 'its scale is not an initializer' : 'dtypes or sizes differ'}`,
      );
      continue;
    }
    const zpTensor = load(actInits, p.quant.zeroPoint);
    const zeroPoint = zpTensor ? Int32Array.from(zpTensor.data as ArrayLike<number>) : new Int32Array(scale.length);
    const rank = q.dims.length;
    const axis = scale.length > 1 ? (((p.quant.axis ?? 1) % rank) + rank) % rank : undefined;
    const dq = dequantizeValues(q.data as ArrayLike<number>, q.dims, {
      scale,
      zeroPoint,
      ...(axis !== undefined ? { axis } : {}),
    });
    const m = computeMetrics({ dtype: 'float32', dims: q.dims, data: dq }, w, 0, 0);
    const inner = axis === undefined ? 1 : q.dims.slice(axis + 1).reduce((a, b) => a * b, 1);
    const wv = w.data as Float32Array;
    let inScales = 0;
    for (let i = 0; i < dq.length; i++) {
      const s = scale[axis === undefined ? 0 : Math.floor(i / inner) % scale.length]!;
      if (s > 0) inScales = Math.max(inScales, Math.abs(dq[i]! - wv[i]!) / s);
    }
    out.push({
      tensor: p.fp32,
      variantTensor: p.variant,
      node: p.node,
      opType: p.opType,
      kind: p.kind,
      dtype: q.dtype,
      dims: [...q.dims],
      axis: axis ?? null,
      scales: scale.length,
      snrDb: m.snrDb ?? null,
      cosineSimilarity: m.cosineSimilarity ?? 1,
      maxAbsError: m.maxAbsError,
      maxErrorInScales: inScales,
    });
  }
  return out.sort(byWorstSnr);
}

/** Lowest SNR first; exact (null) last. */
export function byWorstSnr(a: { snrDb: number | null }, b: { snrDb: number | null }): number {
  return (a.snrDb ?? Infinity) - (b.snrDb ?? Infinity);
}

function scaleOf(p: WeightPair, load: (name: string) => HostTensor | undefined): Float32Array | undefined {
  const values = (ref: QuantRef | string | undefined) => {
    const t = ref === undefined ? undefined : load(typeof ref === 'string' ? ref : ref.scale);
    return t && t.dtype === 'float32' ? (t.data as Float32Array) : undefined;
  };
  if (!p.scaleProduct) return values(p.quant);
  const a = values(p.scaleProduct[0]);
  const b = values(p.scaleProduct[1]);
  if (!a || !b) return undefined;
  return Float32Array.from(b, (x) => x * a[0]!);
}
