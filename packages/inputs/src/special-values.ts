import type { DType } from '@crossrt/core';

/**
 * The opt-in special-values input set (`--special-values`): values where runtimes legitimately and
 * illegitimately disagree — NaN propagation, ±Inf, signed zero, subnormals (flushed to zero by some
 * SIMD/GPU paths), and the dtype's extremes (overflow in intermediate math). Each list is in a fixed
 * order; inputs tile it on even flat indices and keep their ordinary values on odd ones, so every
 * special meets ordinary neighbours.
 */
export const SPECIAL_VALUES: Readonly<Partial<Record<DType, readonly (number | bigint)[]>>> = {
  float32: [NaN, Infinity, -Infinity, -0, 0, 2 ** -149, -(2 ** -149), 2 ** -126 - 2 ** -149, 2 ** -126, 3.4028234663852886e38, -3.4028234663852886e38, 1, -1],
  float16: [NaN, Infinity, -Infinity, -0, 0, 2 ** -24, -(2 ** -24), 2 ** -14 - 2 ** -24, 2 ** -14, 65504, -65504, 1, -1],
  bfloat16: [NaN, Infinity, -Infinity, -0, 0, 2 ** -133, -(2 ** -133), 2 ** -126, 3.3895313892515355e38, -3.3895313892515355e38, 1, -1],
  float64: [NaN, Infinity, -Infinity, -0, 0, 5e-324, -5e-324, 2.225073858507201e-308, 2.2250738585072014e-308, Number.MAX_VALUE, -Number.MAX_VALUE, 1, -1],
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

export function describeSpecialValues(dtype: DType): string {
  if (dtype === 'string') return 'special-values(empty, space, é, emoji, 1 KiB, NUL) on even indices';
  const list = SPECIAL_VALUES[dtype] ?? [];
  const name = (v: number | bigint) => (typeof v === 'bigint' ? v.toString() : Object.is(v, -0) ? '-0' : Number.isNaN(v) ? 'NaN' : v === Infinity ? '+Inf' : v === -Infinity ? '-Inf' : String(v));
  return `special-values(${list.map(name).join(', ')}) on even indices`;
}
