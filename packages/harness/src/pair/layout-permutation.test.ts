import { describe, expect, it } from 'vitest';
import { channelsLastPerm, describePerm, invertPerm, transposeTensor } from './layout-permutation.js';

describe('transposeTensor', () => {
  it('NCHW → NHWC moves channels last (hand-written 1x2x2x3 → 1x2x3x2)', () => {
    // x[0,c,h,w] = 100c + 10h + w for C=2, H=2, W=3.
    const data = new Float32Array([0, 1, 2, 10, 11, 12, 100, 101, 102, 110, 111, 112]);
    const t = transposeTensor({ dtype: 'float32', dims: [1, 2, 2, 3], data }, [0, 2, 3, 1]);
    expect(t.dims).toEqual([1, 2, 3, 2]);
    expect([...(t.data as Float32Array)]).toEqual([0, 100, 1, 101, 2, 102, 10, 110, 11, 111, 12, 112]);
    const back = transposeTensor(t, invertPerm([0, 2, 3, 1]));
    expect(back.dims).toEqual([1, 2, 2, 3]);
    expect([...(back.data as Float32Array)]).toEqual([...data]);
  });

  it('keeps dtype storage (int64 stays BigInt64Array, strings stay strings)', () => {
    const i = transposeTensor({ dtype: 'int64', dims: [2, 2], data: new BigInt64Array([1n, 2n, 3n, 4n]) }, [1, 0]);
    expect([...(i.data as BigInt64Array)]).toEqual([1n, 3n, 2n, 4n]);
    const s = transposeTensor({ dtype: 'string', dims: [1, 3], data: ['a', 'b', 'c'] }, [1, 0]);
    expect(s.dims).toEqual([3, 1]);
    expect(s.data).toEqual(['a', 'b', 'c']);
  });
});

describe('perm helpers', () => {
  it('channels-last perms and their names', () => {
    expect(channelsLastPerm(4)).toEqual([0, 2, 3, 1]);
    expect(channelsLastPerm(3)).toEqual([0, 2, 1]);
    expect(channelsLastPerm(5)).toEqual([0, 2, 3, 4, 1]);
    expect(invertPerm([0, 2, 3, 1])).toEqual([0, 3, 1, 2]);
    expect(describePerm([0, 2, 3, 1])).toBe('NCHW→NHWC (perm [0,2,3,1])');
    expect(describePerm([0, 1, 2])).toBe('same layout');
  });
});
