import {
  isFloatDType,
  type Comparison,
  type HostTensor,
  type Metrics,
  type Tolerance,
  type TolerancePolicy,
  type VariantKind,
} from '@crossrt/core';
import { computeMetrics } from './metrics.js';
import { resolveTolerance } from './tolerance.js';

export interface ComparePair {
  readonly output: string;
  readonly target: string;
  readonly reference: string;
  readonly inputSet?: string;
  readonly actual: HostTensor | undefined;
  readonly expected: HostTensor | undefined;
  /** A fixed tolerance (e.g. the ONNX backend suite's). When absent, `policy` is resolved for this output. */
  readonly tolerance?: Tolerance;
  readonly policy?: TolerancePolicy;
  /** Source recorded for the policy's `base` layer (`cli` for --rtol/--atol, `config` for a file). */
  readonly policyBaseSource?: Tolerance['source'];
  /** Set for model-variant comparisons: picks the variant-aware policy. */
  readonly variantKind?: VariantKind;
  /** Variant comparisons: an fp16 output against an fp32 one is compared by value, not refused as `dtype`. */
  readonly allowFloatDtypeMix?: boolean;
  readonly classScores?: boolean | 'auto';
}

const sameDims = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);
export const formatNumber = (x: number) =>
  x === 0 ? '0' : Math.abs(x) >= 1e-3 && Math.abs(x) < 1e4 ? x.toPrecision(4) : x.toExponential(2);

/**
 * Judge one output of one target against its reference. Checks run in a fixed order and the first that
 * fails decides: missing → dtype → shape → NaN/Inf positions → the tolerance check (exact equality for
 * integers/bool/string; element-wise allclose, or the statistical rules of a variant policy, for floats;
 * then the optional ULP bound). `reason` names the rule that decided.
 */
export function compareOutput(p: ComparePair): Comparison {
  const dtype = p.expected?.dtype ?? p.actual?.dtype ?? 'float32';
  const tolerance =
    p.tolerance ??
    resolveTolerance(
      {
        output: p.output,
        dtype,
        target: p.target,
        reference: p.reference,
        ...(p.variantKind ? { variantKind: p.variantKind } : {}),
      },
      p.policy,
      p.policyBaseSource,
    );
  const base = {
    output: p.output,
    target: p.target,
    reference: p.reference,
    tolerance,
    ...(p.inputSet ? { inputSet: p.inputSet } : {}),
    dtype: { ...(p.actual ? { actual: p.actual.dtype } : {}), ...(p.expected ? { reference: p.expected.dtype } : {}) },
    dims: {
      ...(p.actual ? { actual: [...p.actual.dims] } : {}),
      ...(p.expected ? { reference: [...p.expected.dims] } : {}),
    },
  };
  if (!p.actual || !p.expected) {
    const who = !p.actual ? p.target : p.reference;
    return { ...base, verdict: 'missing', reason: `output "${p.output}" was not produced by ${who}` };
  }
  const floatMix =
    p.actual.dtype !== p.expected.dtype &&
    p.allowFloatDtypeMix === true &&
    isFloatDType(p.actual.dtype) &&
    isFloatDType(p.expected.dtype);
  if (p.actual.dtype !== p.expected.dtype && !floatMix) {
    return { ...base, verdict: 'dtype', reason: `dtype ${p.actual.dtype} differs from reference ${p.expected.dtype}` };
  }
  if (!sameDims(p.actual.dims, p.expected.dims)) {
    return {
      ...base,
      verdict: 'shape',
      reason: `dims [${p.actual.dims.join(',')}] differ from reference [${p.expected.dims.join(',')}]`,
    };
  }
  const metrics = computeMetrics(p.actual, p.expected, tolerance.rtol, tolerance.atol, {
    output: p.output,
    ...(p.classScores !== undefined ? { classScores: p.classScores } : {}),
  });
  const mixNote = floatMix ? ` (${p.actual.dtype} compared by value against ${p.expected.dtype})` : '';
  if (metrics.nanInfMismatches > 0) {
    const nf = metrics.nonFinite;
    const detail = nf
      ? ` (actual NaN ${nf.actualNaN}, Inf ${nf.actualInf}; reference NaN ${nf.referenceNaN}, Inf ${nf.referenceInf})`
      : '';
    return {
      ...base,
      metrics,
      verdict: 'nan-inf',
      reason: `${metrics.nanInfMismatches} element(s) are NaN/Inf on one side only or differ in sign of infinity${detail}`,
    };
  }
  const failure = metrics.exact ? exactFailure(metrics) : floatFailure(metrics, tolerance);
  if (failure) return { ...base, metrics, verdict: 'mismatch', reason: failure + mixNote };
  return { ...base, metrics, verdict: 'pass', reason: passReason(metrics, tolerance) + mixNote };
}

function exactFailure(m: Metrics): string | undefined {
  return m.allcloseMismatches > 0 ? `${m.allcloseMismatches}/${m.elements} element(s) fail exact equality` : undefined;
}

function floatFailure(m: Metrics, t: Tolerance): string | undefined {
  const fmt = formatNumber;
  if (t.check === 'statistical') {
    const fails: string[] = [];
    if (t.minCosine !== undefined && (m.cosineSimilarity ?? 1) < t.minCosine)
      fails.push(`cosine ${m.cosineSimilarity!.toFixed(6)} < ${t.minCosine}`);
    if (t.minSnrDb !== undefined && snrBelow(m, t.minSnrDb))
      fails.push(`SNR ${m.snrDb === null ? '-inf (zero reference)' : `${m.snrDb!.toFixed(1)} dB`} < ${t.minSnrDb} dB`);
    if (t.minTop1Agreement !== undefined && m.topK && m.topK.top1 < t.minTop1Agreement)
      fails.push(`top-1 agreement ${(m.topK.top1 * 100).toFixed(2)}% < ${(t.minTop1Agreement * 100).toFixed(2)}%`);
    if (t.maxUlp !== undefined && m.maxUlp !== undefined && m.maxUlp > t.maxUlp)
      fails.push(`max ULP ${m.maxUlp} > ${t.maxUlp}`);
    return fails.length ? `${fails.join('; ')} (${policyName(t)}); max abs ${fmt(m.maxAbsError)}` : undefined;
  }
  if (m.allcloseMismatches > 0) {
    return `${m.allcloseMismatches}/${m.elements} element(s) fail |a-r| <= ${t.atol} + ${t.rtol}*|r| (${policyName(t)}); max abs ${fmt(m.maxAbsError)}, max rel ${fmt(m.maxRelError)}`;
  }
  if (t.maxUlp !== undefined && m.maxUlp !== undefined && m.maxUlp > t.maxUlp)
    return `max ULP distance ${m.maxUlp} > ${t.maxUlp} (${policyName(t)})`;
  return undefined;
}

/** SNR below the bound; a null SNR is infinite when nothing differs, and undefined (fail) for a zero reference with errors. */
function snrBelow(m: Metrics, min: number): boolean {
  if (m.snrDb === null || m.snrDb === undefined) return m.maxAbsError > 0;
  return m.snrDb < min;
}

function policyName(t: Tolerance): string {
  return t.rules && t.rules.length ? t.rules[t.rules.length - 1]! : t.source;
}

function passReason(m: Metrics, t: Tolerance): string {
  if (m.exact) return `all ${m.elements} element(s) equal`;
  if (t.check === 'statistical') {
    const parts = [
      t.minCosine !== undefined ? `cosine ${(m.cosineSimilarity ?? 1).toFixed(6)} >= ${t.minCosine}` : '',
      t.minSnrDb !== undefined
        ? `SNR ${m.snrDb === null ? 'inf' : `${m.snrDb!.toFixed(1)} dB`} >= ${t.minSnrDb} dB`
        : '',
      t.minTop1Agreement !== undefined && m.topK
        ? `top-1 ${(m.topK.top1 * 100).toFixed(2)}% >= ${(t.minTop1Agreement * 100).toFixed(2)}%`
        : '',
    ].filter(Boolean);
    return `${parts.join(', ')} (${policyName(t)})`;
  }
  return `all ${m.elements} element(s) within atol ${t.atol} + rtol ${t.rtol}*|r| (${policyName(t)})`;
}
