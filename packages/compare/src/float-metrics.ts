/**
 * The one-pass engine for float outputs. Every metric of a pair is accumulated in a single loop with
 * no allocation per element: the loop body only reads the two arrays (and their bit views for ULP),
 * updates scalar accumulators and bumps one counter of a fixed histogram. The rare non-finite pairs
 * leave the hot path through one comparison (`!(d <= MAX_VALUE)` is true exactly when a or r is NaN
 * or ±Inf, or a float64 difference overflows).
 */

/** Denominator floor of the relative error: Polygraphy replaces a zero reference by a tiny epsilon. */
export const REL_EPSILON = 1e-12;

export type FloatArray = Float32Array | Float64Array;

/** How to measure ULP distance: none (float64, mixed formats), float32 bits, or float16 bits. */
export type UlpSource =
  | { readonly kind: 'none' }
  | { readonly kind: 'float32'; readonly a: Int32Array; readonly r: Int32Array }
  | { readonly kind: 'float16'; readonly a: Uint16Array; readonly r: Uint16Array };

export interface FloatPassResult {
  readonly elements: number;
  /** Pairs where both sides were finite (the error sums run over these). */
  readonly finite: number;
  readonly maxAbs: number;
  readonly sumAbs: number;
  readonly maxRel: number;
  readonly sumRel: number;
  readonly sumSqErr: number;
  readonly dot: number;
  readonly sumSqA: number;
  readonly sumSqR: number;
  readonly maxUlp: number;
  readonly allcloseMismatches: number;
  readonly nanInfMismatches: number;
  readonly actualNaN: number;
  readonly referenceNaN: number;
  readonly actualInf: number;
  readonly referenceInf: number;
  readonly worstIndex: number;
  readonly zeroErrors: number;
  /** Counts of |a-r| > 0 by the biased float64 exponent of |a-r| (index e: [2^(e-1023), 2^(e-1022))). */
  readonly exponentCounts: Int32Array;
}

const MAX = Number.MAX_VALUE;
const scratch = new Float64Array(1);
/** High word of `scratch` (little-endian, as on every platform Node runs on): sign, exponent, top of mantissa. */
const scratchHigh = new Int32Array(scratch.buffer, 4, 1);

// Non-finite bookkeeping lives in a small typed array so the hot loop keeps few live scalars.
const NF_MISMATCH = 0, NF_A_NAN = 1, NF_R_NAN = 2, NF_A_INF = 3, NF_R_INF = 4, NF_OVERFLOW = 5, NF_PAIRS = 6;

function nonFinitePair(x: number, y: number, nf: Int32Array): void {
  const xNaN = x !== x, yNaN = y !== y;
  const xInf = !xNaN && (x === Infinity || x === -Infinity);
  const yInf = !yNaN && (y === Infinity || y === -Infinity);
  if (!xNaN && !yNaN && !xInf && !yInf) { nf[NF_OVERFLOW]!++; return; }
  nf[NF_PAIRS]!++;
  if (xNaN) nf[NF_A_NAN]!++;
  if (yNaN) nf[NF_R_NAN]!++;
  if (xInf) nf[NF_A_INF]!++;
  if (yInf) nf[NF_R_INF]!++;
  // NaN vs NaN and equal infinities agree; any other pairing is a position mismatch.
  if (!(xNaN && yNaN) && x !== y) nf[NF_MISMATCH]!++;
}

export function floatPass(a: FloatArray, r: FloatArray, rtol: number, atol: number, ulp: UlpSource): FloatPassResult {
  const n = a.length;
  const exponentCounts = new Int32Array(2048);
  const nf = new Int32Array(7);
  let maxAbs = 0, sumAbs = 0, maxRel = 0, sumRel = 0, sumSq = 0, dot = 0, aa = 0, rr = 0;
  let mismatches = 0, worst = -1, zero = 0, maxUlp = 0, overflowWorst = -1;
  const ulpKind = ulp.kind === 'float32' ? 1 : ulp.kind === 'float16' ? 2 : 0;
  const ia32 = ulp.kind === 'float32' ? ulp.a : new Int32Array(0);
  const ir32 = ulp.kind === 'float32' ? ulp.r : new Int32Array(0);
  const ia16 = ulp.kind === 'float16' ? ulp.a : new Uint16Array(0);
  const ir16 = ulp.kind === 'float16' ? ulp.r : new Uint16Array(0);
  for (let i = 0; i < n; i++) {
    const x = a[i]!, y = r[i]!;
    const diff = x - y;
    const d = Math.abs(diff);
    if (!(d <= MAX)) {
      const before = nf[NF_OVERFLOW]!;
      nonFinitePair(x, y, nf);
      if (nf[NF_OVERFLOW]! !== before) { mismatches++; if (overflowWorst < 0) overflowWorst = i; }
      continue;
    }
    const ay = Math.abs(y);
    sumAbs += d;
    if (d > maxAbs) { maxAbs = d; worst = i; }
    const rel = d / (ay > REL_EPSILON ? ay : REL_EPSILON);
    sumRel += rel;
    if (rel > maxRel) maxRel = rel;
    sumSq += diff * diff;
    dot += x * y;
    aa += x * x;
    rr += y * y;
    if (d > atol + rtol * ay) mismatches++;
    if (d === 0) {
      zero++;
    } else {
      scratch[0] = d;
      exponentCounts[scratchHigh[0]! >>> 20]!++;
    }
    if (ulpKind === 1) {
      const ba = ia32[i]!, br = ir32[i]!;
      const u = Math.abs((ba < 0 ? -2147483648 - ba : ba) - (br < 0 ? -2147483648 - br : br));
      if (u > maxUlp) maxUlp = u;
    } else if (ulpKind === 2) {
      const ba = ia16[i]!, br = ir16[i]!;
      const u = Math.abs((ba & 0x8000 ? -(ba & 0x7fff) : ba) - (br & 0x8000 ? -(br & 0x7fff) : br));
      if (u > maxUlp) maxUlp = u;
    }
  }
  const overflows = nf[NF_OVERFLOW]!;
  if (overflows > 0) {
    // Both finite, difference beyond float64: the worst possible finite error.
    maxAbs = MAX;
    worst = overflowWorst;
  }
  return {
    elements: n, finite: n - nf[NF_PAIRS]! - overflows,
    maxAbs, sumAbs, maxRel, sumRel, sumSqErr: sumSq, dot, sumSqA: aa, sumSqR: rr, maxUlp,
    allcloseMismatches: mismatches, nanInfMismatches: nf[NF_MISMATCH]!,
    actualNaN: nf[NF_A_NAN]!, referenceNaN: nf[NF_R_NAN]!, actualInf: nf[NF_A_INF]!, referenceInf: nf[NF_R_INF]!,
    worstIndex: worst, zeroErrors: zero, exponentCounts,
  };
}
