import { describe, expect, it } from 'vitest';
import { mapConcurrent } from './map-concurrent.js';

describe('mapConcurrent', () => {
  it('keeps the input order and never exceeds the limit', async () => {
    let inFlight = 0,
      peak = 0;
    const delays = [30, 5, 20, 1, 10, 15, 2];
    const out = await mapConcurrent(delays, 3, async (ms, i) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, ms));
      inFlight--;
      return `${i}:${ms}`;
    });
    expect(out).toEqual(delays.map((ms, i) => `${i}:${ms}`));
    expect(peak).toBe(3);
  });

  it('runs one at a time with limit 1 and copes with no items', async () => {
    const order: number[] = [];
    await mapConcurrent([3, 1, 2], 1, async (x) => {
      order.push(x);
      await new Promise((r) => setTimeout(r, x));
    });
    expect(order).toEqual([3, 1, 2]);
    expect(await mapConcurrent([], 4, async () => 1)).toEqual([]);
  });
});
