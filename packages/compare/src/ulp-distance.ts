/**
 * Distance in units in the last place between two floats of the same format: the number of
 * representable values between them. Bits are mapped to a monotonic integer line (negative values
 * mirrored below zero), so +0 and -0 are 0 apart, the two smallest subnormals of opposite sign are 2
 * apart, and the largest finite value is 1 from infinity. NaN has no place on the line: callers
 * handle NaN before asking.
 */
const f32 = new Float32Array(1);
const i32 = new Int32Array(f32.buffer);

/** Position of float32 bits on the monotonic line (int32 input, result in [-2^31+1, 2^31-1]). */
export function float32Ordinal(bits: number): number {
  return bits < 0 ? -2147483648 - bits : bits;
}

/** Position of float16 bits on the monotonic line. */
export function float16Ordinal(bits: number): number {
  return bits & 0x8000 ? -(bits & 0x7fff) : bits;
}

export function float32UlpDistance(a: number, b: number): number {
  f32[0] = a;
  const oa = float32Ordinal(i32[0]!);
  f32[0] = b;
  return Math.abs(oa - float32Ordinal(i32[0]!));
}

export function float16UlpDistanceBits(a: number, b: number): number {
  return Math.abs(float16Ordinal(a & 0xffff) - float16Ordinal(b & 0xffff));
}
