/**
 * The one-pass engine for float outputs. Every metric of a pair is accumulated in a single loop with
 * no allocation per element: the loop body only reads the two arrays (and their bit views for ULP),
 * updates scalar accumulators and bumps one counter of a fixed histogram. Non-finite pairs leave the
 * hot path through one comparison (`!(d <= MAX_VALUE)` is true exactly when a or r is NaN or ±Inf, or
 * a float64 difference overflows); only outputs that have such pairs get a second pass that classifies
 * them (NaN/Inf counts and position mismatches). fp16 pairs also get a short pass over their bits for
 * the ULP distance in half-precision places. Measured throughput: tools/bench/compare.bench.mjs.
 */

import { float32SimdPass } from './float32-simd-kernel.js';

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
const NF_MISMATCH = 0,
  NF_A_NAN = 1,
  NF_R_NAN = 2,
  NF_A_INF = 3,
  NF_R_INF = 4,
  NF_OVERFLOW = 5,
  NF_PAIRS = 6;

function nonFinitePair(x: number, y: number, nf: Int32Array): void {
  const xNaN = x !== x,
    yNaN = y !== y;
  const xInf = !xNaN && (x === Infinity || x === -Infinity);
  const yInf = !yNaN && (y === Infinity || y === -Infinity);
  if (!xNaN && !yNaN && !xInf && !yInf) {
    nf[NF_OVERFLOW]!++;
    return;
  }
  nf[NF_PAIRS]!++;
  if (xNaN) nf[NF_A_NAN]!++;
  if (yNaN) nf[NF_R_NAN]!++;
  if (xInf) nf[NF_A_INF]!++;
  if (yInf) nf[NF_R_INF]!++;
  // NaN vs NaN and equal infinities agree; any other pairing is a position mismatch.
  if (!(xNaN && yNaN) && x !== y) nf[NF_MISMATCH]!++;
}

/**
 * NaN/Inf bookkeeping, run only when the main loop met a pair whose difference was not finite: a
 * second pass over such outputs keeps the hot loop free of the call (inlining it cost ~15% for all).
 * Returns the first index where two finite values overflowed float64 when subtracted, or -1.
 */
function classifyNonFinite(a: FloatArray, r: FloatArray, nf: Int32Array): number {
  let overflowFirst = -1;
  const n = Math.min(a.length, r.length);
  for (let i = 0; i < n; i++) {
    const x = a[i]!,
      y = r[i]!;
    if (Math.abs(x - y) <= MAX) continue;
    const before = nf[NF_OVERFLOW]!;
    nonFinitePair(x, y, nf);
    if (nf[NF_OVERFLOW]! !== before && overflowFirst < 0) overflowFirst = i;
  }
  return overflowFirst;
}

/**
 * All float metrics of a pair. Float32 pairs (also fp16/bf16 decoded to float32) take the WebAssembly
 * SIMD kernel (float32-simd-kernel.ts) or, without SIMD or with NaN/Inf present, the JS float32 kernel;
 * float64 and mixed-width pairs the generic one. Two kernels rather than one keeps each loop
 * monomorphic for V8 (one typed-array kind per load site), which is worth about 2x.
 */
export function floatPass(
  a: FloatArray,
  r: FloatArray,
  rtol: number,
  atol: number,
  ulp: UlpSource,
  options: { simd?: boolean } = {},
): FloatPassResult {
  const f32 = a instanceof Float32Array && r instanceof Float32Array;
  // The WebAssembly SIMD kernel (same figures, ~2x faster) when available and the pair is all finite.
  const simd = f32 && options.simd !== false ? float32SimdPass(a, r, rtol, atol) : undefined;
  const result =
    simd ?? (f32 ? float32Kernel(a as Float32Array, r as Float32Array, rtol, atol) : genericKernel(a, r, rtol, atol));
  // fp16 pairs count ULPs in half-precision places, from the original bits (a short integer loop).
  if (ulp.kind === 'float16') return { ...result, maxUlp: maxFloat16Ulp(ulp.a, ulp.r) };
  return ulp.kind === 'none' ? { ...result, maxUlp: 0 } : result;
}

function maxFloat16Ulp(a: Uint16Array, r: Uint16Array): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    const ba = a[i]!,
      br = r[i]!;
    if ((ba & 0x7c00) === 0x7c00 && (ba & 0x3ff) !== 0) continue; // NaN
    if ((br & 0x7c00) === 0x7c00 && (br & 0x3ff) !== 0) continue;
    const u = Math.abs((ba & 0x8000 ? -(ba & 0x7fff) : ba) - (br & 0x8000 ? -(br & 0x7fff) : br));
    if (u > max) max = u;
  }
  return max;
}

/**
 * The float32 kernel works on the values and, through Int32Array views of the same memory, on their
 * bits: the ULP distance is the difference of the sign-magnitude bits mapped to a monotonic line
 * (branch-free: random signs would mispredict), and the histogram bin of |a-r| comes from integers too:
 * when a and r share sign and exponent E (the usual case for small errors) the difference is exactly
 * ulp · 2^(E-150), so its float64 exponent is E + 904 - clz32(ulp). Other pairs take the exact path
 * through the float64 bits of |a-r|.
 */
function float32Kernel(a: Float32Array, r: Float32Array, rtol: number, atol: number): FloatPassResult {
  // Module constants copied into locals: V8 would otherwise reload them from the module context per element.
  const max = MAX,
    eps = REL_EPSILON,
    f64 = scratch,
    f64High = scratchHigh;
  const n = Math.min(a.length, r.length);
  const ia = new Int32Array(a.buffer, a.byteOffset, n);
  const ir = new Int32Array(r.buffer, r.byteOffset, n);
  const exponentCounts = new Int32Array(2048);
  const nf = new Int32Array(7);
  let maxAbs = 0,
    sumAbs = 0,
    maxRel = 0,
    sumRel = 0,
    sumSq = 0,
    aa = 0,
    rr = 0;
  let mismatches = 0,
    worst = -1,
    zero = 0,
    maxUlp = 0,
    nonFinite = 0;
  for (let i = 0; i < n; i++) {
    const x = a[i]!,
      y = r[i]!;
    const diff = x - y;
    const d = Math.abs(diff);
    if (!(d <= max)) {
      nonFinite++;
      continue;
    }
    if (d === 0) {
      zero++;
      const sq = x * x;
      aa += sq;
      rr += sq;
      continue;
    }
    const ay = Math.abs(y);
    sumAbs += d;
    if (d > maxAbs) {
      maxAbs = d;
      worst = i;
    }
    const rel = d / (ay > eps ? ay : eps);
    sumRel += rel;
    if (rel > maxRel) maxRel = rel;
    sumSq += diff * diff;
    aa += x * x;
    rr += y * y;
    if (d > atol + rtol * ay) mismatches++;
    const ba = ia[i]!,
      br = ir[i]!;
    const sa = ba >> 31,
      sb = br >> 31;
    const u = Math.abs(((ba & 0x7fffffff) ^ sa) - sa - (((br & 0x7fffffff) ^ sb) - sb));
    if (u > maxUlp) maxUlp = u;
    if (((ba ^ br) & 0xff800000) === 0 && (br & 0x7f800000) !== 0) {
      exponentCounts[((br >>> 23) & 0xff) + 904 - Math.clz32(u)]!++;
    } else {
      f64[0] = d;
      exponentCounts[f64High[0]! >>> 20]!++;
    }
  }
  if (nonFinite > 0) classifyNonFinite(a, r, nf);
  return finishPass(
    n,
    nf,
    maxAbs,
    sumAbs,
    maxRel,
    sumRel,
    sumSq,
    aa,
    rr,
    maxUlp,
    mismatches,
    worst,
    zero,
    exponentCounts,
  );
}

/** float64 or mixed widths: no ULP figure (the formats differ), histogram through the float64 bits. */
function genericKernel(a: FloatArray, r: FloatArray, rtol: number, atol: number): FloatPassResult {
  // Module constants copied into locals: V8 would otherwise reload them from the module context per element.
  const max = MAX,
    eps = REL_EPSILON,
    f64 = scratch,
    f64High = scratchHigh;
  const n = Math.min(a.length, r.length);
  const exponentCounts = new Int32Array(2048);
  const nf = new Int32Array(7);
  let maxAbs = 0,
    sumAbs = 0,
    maxRel = 0,
    sumRel = 0,
    sumSq = 0,
    aa = 0,
    rr = 0;
  let mismatches = 0,
    worst = -1,
    zero = 0,
    nonFinite = 0;
  for (let i = 0; i < n; i++) {
    const x = a[i]!,
      y = r[i]!;
    const diff = x - y;
    const d = Math.abs(diff);
    if (!(d <= max)) {
      nonFinite++;
      continue;
    }
    if (d === 0) {
      zero++;
      const sq = x * x;
      aa += sq;
      rr += sq;
      continue;
    }
    const ay = Math.abs(y);
    sumAbs += d;
    if (d > maxAbs) {
      maxAbs = d;
      worst = i;
    }
    const rel = d / (ay > eps ? ay : eps);
    sumRel += rel;
    if (rel > maxRel) maxRel = rel;
    sumSq += diff * diff;
    aa += x * x;
    rr += y * y;
    if (d > atol + rtol * ay) mismatches++;
    f64[0] = d;
    exponentCounts[f64High[0]! >>> 20]!++;
  }
  const overflowWorst = nonFinite > 0 ? classifyNonFinite(a, r, nf) : -1;
  if (overflowWorst >= 0) {
    // Both finite, difference beyond float64: the worst possible finite error, and a mismatch.
    maxAbs = MAX;
    worst = overflowWorst;
    mismatches += nf[NF_OVERFLOW]!;
  }
  return finishPass(n, nf, maxAbs, sumAbs, maxRel, sumRel, sumSq, aa, rr, 0, mismatches, worst, zero, exponentCounts);
}

function finishPass(
  n: number,
  nf: Int32Array,
  maxAbs: number,
  sumAbs: number,
  maxRel: number,
  sumRel: number,
  sumSq: number,
  aa: number,
  rr: number,
  maxUlp: number,
  mismatches: number,
  worst: number,
  zero: number,
  exponentCounts: Int32Array,
): FloatPassResult {
  // Σa·r is not accumulated: (Σa² + Σr² - Σ(a-r)²) / 2 gives it to float64 rounding, one multiply-add fewer per element.
  return {
    elements: n,
    finite: n - nf[NF_PAIRS]! - nf[NF_OVERFLOW]!,
    maxAbs,
    sumAbs,
    maxRel,
    sumRel,
    sumSqErr: sumSq,
    dot: (aa + rr - sumSq) / 2,
    sumSqA: aa,
    sumSqR: rr,
    maxUlp,
    allcloseMismatches: mismatches,
    nanInfMismatches: nf[NF_MISMATCH]!,
    actualNaN: nf[NF_A_NAN]!,
    referenceNaN: nf[NF_R_NAN]!,
    actualInf: nf[NF_A_INF]!,
    referenceInf: nf[NF_R_INF]!,
    worstIndex: worst,
    zeroErrors: zero,
    exponentCounts,
  };
}

/**
 * Run both kernels once on a few crafted pairs that take every branch (equal, same binade, across
 * binades and signs, subnormal, NaN, Inf, float64 overflow) so V8's type feedback covers them before
 * the first real output arrives. Without it, the on-stack-replacement compile of the first large loop
 * can miss a branch, deoptimize when it is taken, and leave the kernel in slower code for the rest of
 * the process (measured: about 2.5x slower, at random between runs).
 */
function primeKernels(): void {
  const a = [1, 0, NaN, 2, -1, 1e-40, 3, 5, 1.5, Infinity, 1e-45, -0];
  const r = [1, 0, 1, 2.5, 1, 0, 3.0000002, -5, 1.25, Infinity, 2e-45, 0];
  for (let k = 0; k < 4; k++) {
    float32Kernel(new Float32Array(a), new Float32Array(r), 1e-5, 1e-5);
    genericKernel(new Float64Array([...a, 1.5e308]), new Float64Array([...r, -1.5e308]), 1e-5, 1e-5);
    genericKernel(new Float32Array(a), new Float64Array(r), 1e-5, 1e-5);
  }
}
primeKernels();
