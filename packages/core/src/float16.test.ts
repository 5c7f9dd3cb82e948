import { describe, expect, it } from 'vitest';
import { bfloat16BitsToNumber, float16BitsToNumber, numberToBfloat16Bits, numberToFloat16Bits } from './float16.js';

/** Independent reference: the IEEE 754 binary16 definition written as a formula, not bit tricks. */
function referenceHalf(bits: number): number {
  const s = bits >> 15 ? -1 : 1;
  const e = (bits >> 10) & 31;
  const m = bits & 1023;
  if (e === 31) return m ? NaN : s * Infinity;
  return e === 0 ? s * Math.pow(2, -14) * (m / 1024) : s * Math.pow(2, e - 15) * (1 + m / 1024);
}

describe('float16', () => {
  it('decodes all 65536 bit patterns like the IEEE formula', () => {
    for (let b = 0; b < 65536; b++) {
      const got = float16BitsToNumber(b);
      const want = referenceHalf(b);
      if (Number.isNaN(want)) expect(got).toBeNaN();
      else expect(Object.is(got, want)).toBe(true);
    }
  });

  it('re-encodes every non-NaN pattern to itself', () => {
    for (let b = 0; b < 65536; b++) {
      const v = float16BitsToNumber(b);
      if (!Number.isNaN(v)) expect(numberToFloat16Bits(v)).toBe(b);
    }
  });

  it('rounds to nearest even, overflows to infinity and underflows to signed zero', () => {
    expect(numberToFloat16Bits(1)).toBe(0x3c00);
    expect(numberToFloat16Bits(65504)).toBe(0x7bff); // max finite
    expect(numberToFloat16Bits(65520)).toBe(0x7c00); // halfway to 2^16 rounds up to inf
    expect(numberToFloat16Bits(1 + 2 ** -11)).toBe(0x3c00); // tie → even (mantissa 0)
    expect(numberToFloat16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie → even (mantissa 2)
    expect(numberToFloat16Bits(2 ** -24)).toBe(0x0001); // smallest subnormal
    expect(numberToFloat16Bits(2 ** -26)).toBe(0x0000);
    expect(numberToFloat16Bits(-0)).toBe(0x8000);
    expect(numberToFloat16Bits(NaN) & 0x7e00).toBe(0x7e00);
  });
});

describe('bfloat16', () => {
  it('keeps the top 16 bits of float32 with round-to-nearest-even', () => {
    expect(numberToBfloat16Bits(1)).toBe(0x3f80);
    expect(bfloat16BitsToNumber(0x3f80)).toBe(1);
    expect(bfloat16BitsToNumber(0xc000)).toBe(-2);
    // 1 + 2^-8 is exactly halfway between bf16 1 and 1 + 2^-7: ties to even → 1.
    expect(numberToBfloat16Bits(1 + 2 ** -8)).toBe(0x3f80);
    expect(numberToBfloat16Bits(1 + 3 * 2 ** -8)).toBe(0x3f82);
    expect(Number.isNaN(bfloat16BitsToNumber(numberToBfloat16Bits(NaN)))).toBe(true);
  });
});
