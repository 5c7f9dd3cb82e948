import { numericView, type HostTensor, type Metrics } from '@crossrt/core';

/** Denominator floor of the relative error: Polygraphy replaces a zero reference by a tiny epsilon. */
export const REL_EPSILON = 1e-12;

type NumericArray = Exclude<ReturnType<typeof numericView>, string[] | BigInt64Array | BigUint64Array>;

/**
 * All metrics of one output pair in a single pass over the data (no per-element allocation).
 * r = reference, a = actual. Non-finite elements are never mixed into error sums: they either match
 * (both NaN, or the same infinity) or count as a NaN/Inf position mismatch.
 */
export function computeMetrics(actual: HostTensor, reference: HostTensor, rtol: number, atol: number): Metrics {
  const a = numericView(actual);
  const r = numericView(reference);
  if (Array.isArray(a) || Array.isArray(r)) return exactStringMetrics(a as string[], r as string[]);
  if (a instanceof BigInt64Array || a instanceof BigUint64Array) return exactBigIntMetrics(a, r as BigInt64Array | BigUint64Array);
  const exact = !(actual.dtype.startsWith('float') || actual.dtype === 'bfloat16');
  return exact ? exactNumberMetrics(a, r as NumericArray) : floatMetrics(a, r as NumericArray, rtol, atol);
}

function floatMetrics(a: NumericArray, r: NumericArray, rtol: number, atol: number): Metrics {
  const n = a.length;
  let maxAbs = 0, sumAbs = 0, maxRel = 0, mismatches = 0, nanInf = 0, worst = -1, finite = 0;
  for (let i = 0; i < n; i++) {
    const x = a[i]!, y = r[i]!;
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      // NaN vs NaN and equal infinities agree; any other pairing is a position mismatch.
      if (!(x !== x && y !== y) && x !== y) nanInf++;
      continue;
    }
    const d = Math.abs(x - y);
    const ay = Math.abs(y);
    finite++;
    sumAbs += d;
    if (worst < 0 || d > maxAbs) { maxAbs = d; worst = i; }
    const rel = d / (ay > REL_EPSILON ? ay : REL_EPSILON);
    if (rel > maxRel) maxRel = rel;
    if (d > atol + rtol * ay) mismatches++;
  }
  return finish(n, maxAbs, finite ? sumAbs / finite : 0, maxRel, mismatches, nanInf, worst, a, r, false);
}

function exactNumberMetrics(a: NumericArray, r: NumericArray): Metrics {
  const n = a.length;
  let maxAbs = 0, sumAbs = 0, maxRel = 0, mismatches = 0, worst = -1;
  for (let i = 0; i < n; i++) {
    const d = Math.abs(a[i]! - r[i]!);
    if (d === 0) continue;
    mismatches++;
    sumAbs += d;
    if (d > maxAbs) { maxAbs = d; worst = i; }
    const rel = d / Math.max(Math.abs(r[i]!), REL_EPSILON);
    if (rel > maxRel) maxRel = rel;
  }
  return finish(n, maxAbs, n ? sumAbs / n : 0, maxRel, mismatches, 0, worst, a, r, true);
}

function exactBigIntMetrics(a: BigInt64Array | BigUint64Array, r: BigInt64Array | BigUint64Array): Metrics {
  const n = a.length;
  let maxAbs = 0, sumAbs = 0, maxRel = 0, mismatches = 0, worst = -1;
  for (let i = 0; i < n; i++) {
    if (a[i] === r[i]) continue;
    const d = Math.abs(Number(a[i]!) - Number(r[i]!));
    mismatches++;
    sumAbs += d;
    if (worst < 0 || d > maxAbs) { maxAbs = d; worst = i; }
    maxRel = Math.max(maxRel, d / Math.max(Math.abs(Number(r[i]!)), REL_EPSILON));
  }
  const m = finish(n, maxAbs, n ? sumAbs / n : 0, maxRel, mismatches, 0, -1, a as never, r as never, true);
  return worst >= 0 ? { ...m, worstIndex: worst, worstActual: String(a[worst]), worstReference: String(r[worst]) } : m;
}

function exactStringMetrics(a: string[], r: string[]): Metrics {
  let mismatches = 0, worst = -1;
  for (let i = 0; i < a.length; i++) if (a[i] !== r[i]) { mismatches++; if (worst < 0) worst = i; }
  return {
    elements: a.length, maxAbsError: 0, meanAbsError: 0, maxRelError: 0, allcloseMismatches: mismatches,
    mismatchFraction: a.length ? mismatches / a.length : 0, nanInfMismatches: 0, worstIndex: worst, exact: true,
    ...(worst >= 0 ? { worstActual: a[worst]!, worstReference: r[worst]! } : {}),
  };
}

function finish(n: number, maxAbs: number, meanAbs: number, maxRel: number, mismatches: number, nanInf: number, worst: number, a: NumericArray, r: NumericArray, exact: boolean): Metrics {
  return {
    elements: n, maxAbsError: maxAbs, meanAbsError: meanAbs, maxRelError: maxRel, allcloseMismatches: mismatches,
    mismatchFraction: n ? mismatches / n : 0, nanInfMismatches: nanInf, worstIndex: worst, exact,
    ...(worst >= 0 ? { worstActual: a[worst]!, worstReference: r[worst]! } : {}),
  };
}
