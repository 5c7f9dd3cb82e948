/**
 * Linear quantization parameters and the value transforms of ONNX QuantizeLinear/DequantizeLinear,
 * as pure functions: `q = saturate(roundHalfEven(x / scale) + zeroPoint)`, `x' = (q - zeroPoint) * scale`.
 * Conventions follow onnxruntime's quantize_static: weights symmetric int8 in [-127, 127] (zero point 0;
 * [-64, 64] with reduce_range),
 * activations asymmetric uint8 [0, 255] or int8 [-128, 127] over a range widened to hold 0, bias int32
 * with scale = input scale × weight scale and zero point 0.
 */

export type QuantType = 'uint8' | 'int8' | 'int32';

export interface QuantParams {
  /** One scale per tensor, or one per slice along `axis`. */
  readonly scale: Float32Array;
  readonly zeroPoint: Int32Array;
  readonly type: QuantType;
  /** Set for per-axis (per-channel) parameters. */
  readonly axis?: number;
}

export const QUANT_RANGE: Readonly<Record<QuantType, { readonly min: number; readonly max: number }>> = {
  uint8: { min: 0, max: 255 },
  int8: { min: -128, max: 127 },
  int32: { min: -2147483648, max: 2147483647 },
};

/** Symmetric weights leave -128 out, so that -w quantizes to -q (onnxruntime does the same). */
const SYMMETRIC_INT8 = { min: -127, max: 127 };
/**
 * onnxruntime's reduce_range for int8 weights: 7 bits. On x86 CPUs without VNNI, onnxruntime's U8S8
 * kernels (QLinearConv, MatMulInteger, and the QDQ graphs fused into them) multiply with VPMADDUBSW,
 * which adds two uint8 × int8 products into a saturating int16: 255 · 127 · 2 = 64770 overflows it,
 * 255 · 64 · 2 = 32640 does not. onnxruntime's quantization docs give this as the fix for the
 * accuracy drop that saturation causes.
 */
const REDUCED_INT8 = { min: -64, max: 64 };

/** Round half to even, as QuantizeLinear does. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  // Math.round sends x.5 up; an exact half with an odd result goes back down to the even neighbour.
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Asymmetric activation parameters over [min, max] (widened to include 0, as zero must be exact). */
export function activationParams(min: number, max: number, type: 'uint8' | 'int8'): QuantParams {
  const lo = Math.min(min, 0);
  const hi = Math.max(max, 0);
  const q = QUANT_RANGE[type];
  // A constant-zero tensor still needs a usable scale.
  const scale = hi - lo > 0 ? (hi - lo) / (q.max - q.min) : 1;
  const zp = Math.max(q.min, Math.min(q.max, roundHalfEven(q.min - lo / scale)));
  return { scale: Float32Array.of(scale), zeroPoint: Int32Array.of(zp), type };
}

/**
 * Symmetric int8 parameters of a weight: one scale for the whole tensor, or one per slice along
 * `axis` (the output-channel axis) when `axis` is given; `reduceRange` uses 7 bits (see REDUCED_INT8).
 */
export function weightParams(
  values: ArrayLike<number>,
  dims: readonly number[],
  axis?: number,
  reduceRange = false,
): QuantParams {
  const slices = sliceMaxAbs(values, dims, axis);
  const qmax = (reduceRange ? REDUCED_INT8 : SYMMETRIC_INT8).max;
  const scale = Float32Array.from(slices, (m) => (m > 0 ? m / qmax : 1));
  return { scale, zeroPoint: new Int32Array(scale.length), type: 'int8', ...(axis !== undefined ? { axis } : {}) };
}

/** Bias as int32 with scale = input scale × weight scale (per channel when the weight is), zero point 0. */
export function biasParams(inputScale: number, weight: QuantParams): QuantParams {
  const scale = Float32Array.from(weight.scale, (s) => inputScale * s);
  return {
    scale,
    zeroPoint: new Int32Array(scale.length),
    type: 'int32',
    ...(weight.scale.length > 1 ? { axis: 0 } : {}),
  };
}

/** Element i's parameter slot: 0 per tensor, its index along `axis` per axis. */
function slotOf(dims: readonly number[], axis: number | undefined): (i: number) => number {
  if (axis === undefined) return () => 0;
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const n = dims[axis]!;
  return (i) => Math.floor(i / inner) % n;
}

function sliceMaxAbs(values: ArrayLike<number>, dims: readonly number[], axis?: number): Float64Array {
  const out = new Float64Array(axis === undefined ? 1 : dims[axis]!);
  const slot = slotOf(dims, axis);
  for (let i = 0; i < values.length; i++) {
    const s = slot(i);
    const a = Math.abs(values[i]!);
    if (a > out[s]!) out[s] = a;
  }
  return out;
}

/** QuantizeLinear: round half to even, add the zero point, saturate to the type's range. */
export function quantizeValues(values: ArrayLike<number>, dims: readonly number[], p: QuantParams): Int32Array {
  const slot = slotOf(dims, p.scale.length > 1 ? p.axis : undefined);
  // Symmetric weights never reach -128 (|w| / scale <= 127), so the type's own range is the one clamp.
  const { min, max } = QUANT_RANGE[p.type];
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const s = slot(i);
    const q = roundHalfEven(values[i]! / p.scale[s]!) + p.zeroPoint[s]!;
    out[i] = Math.max(min, Math.min(max, q));
  }
  return out;
}

/** DequantizeLinear: (q - zeroPoint) * scale, per tensor or per slice along `axis`. */
export function dequantizeValues(
  q: ArrayLike<number>,
  dims: readonly number[],
  p: Pick<QuantParams, 'scale' | 'zeroPoint' | 'axis'>,
): Float32Array {
  const slot = slotOf(dims, p.scale.length > 1 ? p.axis : undefined);
  const out = new Float32Array(q.length);
  for (let i = 0; i < q.length; i++) {
    const s = slot(i);
    out[i] = (q[i]! - p.zeroPoint[s]!) * p.scale[s]!;
  }
  return out;
}
