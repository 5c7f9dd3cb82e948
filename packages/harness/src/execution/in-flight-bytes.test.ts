import { describe, expect, it } from 'vitest';
import { caseHeldBytes, inFlightLimitBytes, InFlightBytes } from './in-flight-bytes.js';

const MiB = 2 ** 20;

describe('bytes in flight', () => {
  it('budget: 1.5 × the largest case, at least 64 MiB', () => {
    expect(inFlightLimitBytes(0)).toBe(64 * MiB);
    expect(inFlightLimitBytes(40 * MiB)).toBe(64 * MiB); // 60 MiB < floor
    expect(inFlightLimitBytes(100 * MiB)).toBe(150 * MiB);
  });

  it("a case's held bytes: the model up to 8 MiB (larger ones keep their weights on disk), inputs, expected outputs once plus once per target", () => {
    // 4.7 MB model held whole, 1.2 MB input, 0.4 MB expected output, 2 targets: 4.7 + 1.2 + 0.4 × 3
    expect(caseHeldBytes({ modelFileBytes: 4_700_000, inputBytes: 1_200_000, expectedBytes: 400_000 }, 2)).toBe(
      4_700_000 + 1_200_000 + 1_200_000,
    );
    // vgg11, 531 MB: its graph only, counted as at most 8 MiB; input 602 KB, output 4 KB, 2 targets
    expect(caseHeldBytes({ modelFileBytes: 531_435_592, inputBytes: 602_124, expectedBytes: 4_012 }, 2)).toBe(
      8 * MiB + 602_124 + 3 * 4_012,
    );
  });

  it('admits while the bytes fit, one oversized case alone, first come first served', async () => {
    const w = new InFlightBytes();
    const order: string[] = [];
    const r40 = await w.acquire(40 * MiB); // limit max(64, 60) = 64 MiB
    const p30 = w.acquire(30 * MiB).then((r) => (order.push('30'), r)); // 70 > 64: waits
    const p10 = w.acquire(10 * MiB).then((r) => (order.push('10'), r)); // would fit (50), but waits its turn behind 30
    await Promise.resolve();
    expect(order).toEqual([]);
    expect(w.inFlight).toEqual({ bytes: 40 * MiB, cases: 1, limitBytes: 64 * MiB });
    r40();
    const [r30, r10] = await Promise.all([p30, p10]);
    expect(order).toEqual(['30', '10']);
    expect(w.inFlight.bytes).toBe(40 * MiB);
    // 200 MiB case: the limit becomes 300 MiB, 40 + 200 fits
    const r200 = await w.acquire(200 * MiB);
    expect(w.inFlight).toEqual({ bytes: 240 * MiB, cases: 3, limitBytes: 300 * MiB });
    r30();
    r10();
    r200();
    expect(w.inFlight).toEqual({ bytes: 0, cases: 0, limitBytes: 300 * MiB });
    // bigger than any budget: admitted when nothing else is in flight
    const big = await w.acquire(1024 * MiB);
    expect(w.inFlight.cases).toBe(1);
    big();
  });

  it('the count bound still applies (jobs)', async () => {
    const w = new InFlightBytes(2);
    const a = await w.acquire(1);
    await w.acquire(1);
    let third = false;
    const p = w.acquire(1).then((r) => {
      third = true;
      return r;
    });
    await Promise.resolve();
    expect(third).toBe(false);
    a();
    (await p)();
    expect(third).toBe(true);
  });
});
