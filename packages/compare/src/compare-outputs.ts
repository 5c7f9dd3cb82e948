import type { Comparison, HostTensor, Tolerance } from '@crossrt/core';
import { computeMetrics } from './metrics.js';

export interface ComparePair {
  readonly output: string;
  readonly target: string;
  readonly reference: string;
  readonly inputSet?: string;
  readonly actual: HostTensor | undefined;
  readonly expected: HostTensor | undefined;
  readonly tolerance: Tolerance;
}

const sameDims = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);
const fmt = (x: number) => (x === 0 ? '0' : Math.abs(x) >= 1e-3 && Math.abs(x) < 1e4 ? x.toPrecision(4) : x.toExponential(2));

/**
 * Judge one output of one target against its reference. Checks run in a fixed order, and the first
 * that fails decides: missing → dtype → shape → NaN/Inf positions → element-wise allclose.
 */
export function compareOutput(p: ComparePair): Comparison {
  const base = {
    output: p.output, target: p.target, reference: p.reference, tolerance: p.tolerance, ...(p.inputSet ? { inputSet: p.inputSet } : {}),
    dtype: { ...(p.actual ? { actual: p.actual.dtype } : {}), ...(p.expected ? { reference: p.expected.dtype } : {}) },
    dims: { ...(p.actual ? { actual: [...p.actual.dims] } : {}), ...(p.expected ? { reference: [...p.expected.dims] } : {}) },
  };
  if (!p.actual || !p.expected) {
    const who = !p.actual ? p.target : p.reference;
    return { ...base, verdict: 'missing', reason: `output "${p.output}" was not produced by ${who}` };
  }
  if (p.actual.dtype !== p.expected.dtype) {
    return { ...base, verdict: 'dtype', reason: `dtype ${p.actual.dtype} differs from reference ${p.expected.dtype}` };
  }
  if (!sameDims(p.actual.dims, p.expected.dims)) {
    return { ...base, verdict: 'shape', reason: `dims [${p.actual.dims.join(',')}] differ from reference [${p.expected.dims.join(',')}]` };
  }
  const metrics = computeMetrics(p.actual, p.expected, p.tolerance.rtol, p.tolerance.atol);
  if (metrics.nanInfMismatches > 0) {
    return { ...base, metrics, verdict: 'nan-inf', reason: `${metrics.nanInfMismatches} element(s) are NaN/Inf on one side only or differ in sign of infinity` };
  }
  if (metrics.allcloseMismatches > 0) {
    const rule = metrics.exact ? 'exact equality' : `|a-r| <= ${p.tolerance.atol} + ${p.tolerance.rtol}*|r|`;
    return {
      ...base, metrics, verdict: 'mismatch',
      reason: `${metrics.allcloseMismatches}/${metrics.elements} element(s) fail ${rule}; max abs ${fmt(metrics.maxAbsError)}, max rel ${fmt(metrics.maxRelError)}`,
    };
  }
  return {
    ...base, metrics, verdict: 'pass',
    reason: metrics.exact ? `all ${metrics.elements} element(s) equal` : `all ${metrics.elements} element(s) within atol ${p.tolerance.atol} + rtol ${p.tolerance.rtol}*|r|`,
  };
}
