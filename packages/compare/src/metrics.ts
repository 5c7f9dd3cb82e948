import {
  decodeBfloat16Array,
  decodeFloat16Array,
  isFloatDType,
  type ErrorHistogram,
  type HostTensor,
  type Metrics,
} from '@crossrt/core';
import { looksLikeClassScores, topKAgreement } from './class-scores.js';
import { exactBigIntMetrics, exactNumberMetrics, exactStringMetrics, type IntegerArray } from './exact-metrics.js';
import { floatPass, type FloatArray, type FloatPassResult, type UlpSource } from './float-metrics.js';

export { REL_EPSILON } from './float-metrics.js';

export interface MetricsOptions {
  /** Compute top-k agreement: `auto` (default) when the output looks like class scores. */
  readonly classScores?: boolean | 'auto';
  /** Output name, used by the class-score guess. */
  readonly output?: string;
}

/**
 * All metrics of one output pair (formulas: see MetricsSchema in @crossrt/core). Floats go through the
 * one-pass engine; fp16/bf16 are decoded once into a Float32Array first (ULP distance still uses the
 * fp16 bits). Integers, bool and string compare exactly. The two tensors must have the same element
 * count; float dtypes may differ (variant comparisons), other dtypes must match.
 */
export function computeMetrics(
  actual: HostTensor,
  reference: HostTensor,
  rtol: number,
  atol: number,
  options: MetricsOptions = {},
): Metrics {
  if (actual.dtype === 'string' || reference.dtype === 'string')
    return exactStringMetrics(actual.data as string[], reference.data as string[]);
  if (!isFloatDType(actual.dtype) || !isFloatDType(reference.dtype)) {
    const a = actual.data,
      r = reference.data;
    if (a instanceof BigInt64Array || a instanceof BigUint64Array)
      return exactBigIntMetrics(a, r as BigInt64Array | BigUint64Array);
    return exactNumberMetrics(a as IntegerArray, r as IntegerArray);
  }
  const a = floatView(actual),
    r = floatView(reference);
  const pass = floatPass(a, r, rtol, atol, ulpSource(actual, reference, a, r));
  const metrics = floatMetricsFromPass(pass, a, r);
  const wantTopK =
    options.classScores === true ||
    ((options.classScores ?? 'auto') === 'auto' && looksLikeClassScores(options.output ?? '', actual.dims));
  const classes = actual.dims[actual.dims.length - 1] ?? 0;
  return wantTopK && classes >= 1 && a.length > 0 ? { ...metrics, topK: topKAgreement(a, r, classes) } : metrics;
}

function floatView(t: HostTensor): FloatArray {
  if (t.dtype === 'float16') return decodeFloat16Array(t.data as Uint16Array);
  if (t.dtype === 'bfloat16') return decodeBfloat16Array(t.data as Uint16Array);
  return t.data as FloatArray;
}

function ulpSource(actual: HostTensor, reference: HostTensor, a: FloatArray, r: FloatArray): UlpSource {
  if (actual.dtype === 'float16' && reference.dtype === 'float16')
    return { kind: 'float16', a: actual.data as Uint16Array, r: reference.data as Uint16Array };
  // fp16/bf16 values decode exactly into float32, so a mixed pair is measured in float32 ULPs.
  if (a instanceof Float32Array && r instanceof Float32Array) {
    return {
      kind: 'float32',
      a: new Int32Array(a.buffer, a.byteOffset, a.length),
      r: new Int32Array(r.buffer, r.byteOffset, r.length),
    };
  }
  return { kind: 'none' };
}

export function floatMetricsFromPass(p: FloatPassResult, a: FloatArray, r: FloatArray): Metrics {
  const f = p.finite;
  const normA = Math.sqrt(p.sumSqA),
    normR = Math.sqrt(p.sumSqR);
  const cosine =
    normA === 0 && normR === 0
      ? 1
      : normA === 0 || normR === 0
        ? 0
        : Math.max(-1, Math.min(1, p.dot / (normA * normR)));
  const snrDb = p.sumSqErr === 0 || p.sumSqR === 0 ? null : 10 * Math.log10(p.sumSqR / p.sumSqErr);
  const worst = p.worstIndex;
  return {
    elements: p.elements,
    maxAbsError: p.maxAbs,
    meanAbsError: f ? p.sumAbs / f : 0,
    maxRelError: p.maxRel,
    meanRelError: f ? p.sumRel / f : 0,
    rmse: f ? Math.sqrt(p.sumSqErr / f) : 0,
    cosineSimilarity: cosine,
    snrDb,
    ...(a instanceof Float32Array && r instanceof Float32Array ? { maxUlp: p.maxUlp } : {}),
    allcloseMismatches: p.allcloseMismatches,
    mismatchFraction: p.elements ? p.allcloseMismatches / p.elements : 0,
    nanInfMismatches: p.nanInfMismatches,
    nonFinite: {
      actualNaN: p.actualNaN,
      referenceNaN: p.referenceNaN,
      actualInf: p.actualInf,
      referenceInf: p.referenceInf,
    },
    worstIndex: worst,
    ...(worst >= 0 ? { worstActual: a[worst]!, worstReference: r[worst]! } : {}),
    exact: false,
    histogram: histogramFromExponents(p.zeroErrors, p.exponentCounts),
  };
}

/** Non-empty power-of-two bins of |a-r|; exponent 0 holds subnormal errors (below 2^-1022). */
export function histogramFromExponents(zero: number, exponentCounts: Int32Array): ErrorHistogram {
  const bins: ErrorHistogram['bins'] = [];
  for (let e = 0; e < exponentCounts.length; e++) {
    const count = exponentCounts[e]!;
    if (count > 0) bins.push({ log2: e - 1023, count });
  }
  return { zero, bins };
}
