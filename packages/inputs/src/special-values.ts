import { isFloatDType, type DType } from '@crossrt/core';

/**
 * The opt-in special-values input set (`--special-values`): values where runtimes legitimately and
 * illegitimately disagree — NaN propagation, ±Inf, signed zero, subnormals (flushed to zero by some
 * SIMD/GPU paths), and the dtype's extremes (overflow in intermediate math). Each list is in a fixed
 * order; inputs tile it on even flat indices and keep their ordinary values on odd ones, so every
 * special meets ordinary neighbours.
 */
export const SPECIAL_VALUES: Readonly<Partial<Record<DType, readonly (number | bigint)[]>>> = {
  float32: [
    NaN,
    Infinity,
    -Infinity,
    -0,
    0,
    2 ** -149,
    -(2 ** -149),
    2 ** -126 - 2 ** -149,
    2 ** -126,
    3.4028234663852886e38,
    -3.4028234663852886e38,
    1,
    -1,
  ],
  float16: [
    NaN,
    Infinity,
    -Infinity,
    -0,
    0,
    2 ** -24,
    -(2 ** -24),
    2 ** -14 - 2 ** -24,
    2 ** -14,
    65504,
    -65504,
    1,
    -1,
  ],
  bfloat16: [
    NaN,
    Infinity,
    -Infinity,
    -0,
    0,
    2 ** -133,
    -(2 ** -133),
    2 ** -126,
    3.3895313892515355e38,
    -3.3895313892515355e38,
    1,
    -1,
  ],
  float64: [
    NaN,
    Infinity,
    -Infinity,
    -0,
    0,
    5e-324,
    -5e-324,
    2.225073858507201e-308,
    2.2250738585072014e-308,
    Number.MAX_VALUE,
    -Number.MAX_VALUE,
    1,
    -1,
  ],
  int8: [-128, 127, 0, -1, 1],
  int16: [-32768, 32767, 0, -1, 1],
  int32: [-2147483648, 2147483647, 0, -1, 1],
  int64: [-(2n ** 63n), 2n ** 63n - 1n, 0n, -1n, 1n],
  uint8: [0, 255, 1],
  uint16: [0, 65535, 1],
  uint32: [0, 4294967295, 1],
  uint64: [0n, 2n ** 64n - 1n, 1n],
  bool: [0, 1],
};

export const SPECIAL_STRINGS: readonly string[] = ['', ' ', 'é', '😀', 'a'.repeat(1024), '\u0000'];

/** Names for the report, in list order: `NaN, +Inf, -Inf, -0, 0, ±denorm_min, denorm_max, norm_min, ±max, ±1`. */
export function describeSpecialValues(dtype: DType): string {
  if (dtype === 'string') return 'special-values(empty, space, é, emoji, 1 KiB, NUL) on even indices';
  const list = SPECIAL_VALUES[dtype] ?? [];
  const [lo, hi] = dtype === 'bool' ? [0, 1] : [list[0], list[1]];
  const name = (v: number | bigint): string => {
    if (typeof v === 'bigint') return v === lo ? 'min' : v === hi ? 'max' : v.toString();
    if (Number.isNaN(v)) return 'NaN';
    if (Object.is(v, -0)) return '-0';
    if (v === Infinity || v === -Infinity) return v > 0 ? '+Inf' : '-Inf';
    if (!isFloatDType(dtype)) return v === lo ? 'min' : v === hi ? 'max' : String(v);
    const a = Math.abs(v),
      sign = v < 0 ? '-' : '';
    const floats = FLOAT_LANDMARKS[dtype as 'float32'];
    const label =
      a === floats.denormMin
        ? 'denorm_min'
        : a === floats.denormMax
          ? 'denorm_max'
          : a === floats.normMin
            ? 'norm_min'
            : a === floats.max
              ? 'max'
              : String(a);
    return sign + label;
  };
  return `special-values(${list.map(name).join(', ')}) on even indices`;
}

const FLOAT_LANDMARKS: Record<
  'float32' | 'float16' | 'bfloat16' | 'float64',
  { denormMin: number; denormMax: number; normMin: number; max: number }
> = {
  float32: { denormMin: 2 ** -149, denormMax: 2 ** -126 - 2 ** -149, normMin: 2 ** -126, max: 3.4028234663852886e38 },
  float16: { denormMin: 2 ** -24, denormMax: 2 ** -14 - 2 ** -24, normMin: 2 ** -14, max: 65504 },
  bfloat16: { denormMin: 2 ** -133, denormMax: 2 ** -126 - 2 ** -133, normMin: 2 ** -126, max: 3.3895313892515355e38 },
  float64: {
    denormMin: 5e-324,
    denormMax: 2.225073858507201e-308,
    normMin: 2.2250738585072014e-308,
    max: Number.MAX_VALUE,
  },
};
