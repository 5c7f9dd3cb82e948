import { describe, expect, it } from 'vitest';
import { minimizeBlockList, searchBlockList } from './block-search.js';

/** A model that passes exactly when every node of `needed` stays float32 (and, optionally, one of `either`). */
function oracle(needed: readonly string[], either: readonly string[] = []) {
  const calls: string[][] = [];
  const passes = async (fp32: readonly string[]) => {
    calls.push([...fp32]);
    return needed.every((n) => fp32.includes(n)) && (either.length === 0 || either.some((n) => fp32.includes(n)));
  };
  return { passes, calls };
}

const nodes = (n: number) => Array.from({ length: n }, (_, i) => `n${i}`);

describe('minimizeBlockList', () => {
  it('keeps exactly the nodes that must stay float32, wherever they sit in the list', async () => {
    const { passes, calls } = oracle(['n3', 'n97']);
    const r = await minimizeBlockList(nodes(100), passes, () => true);
    expect(r).toEqual({ kept: ['n3', 'n97'], complete: true });
    // Delta debugging: far fewer trials than one per node (2 needed of 100: ~2·2·log2(100) ≈ 27).
    expect(calls.length).toBeLessThan(40);
  });

  it('reaches a 1-minimal list when either of two nodes suffices', async () => {
    const { passes } = oracle([], ['n10', 'n20']);
    const r = await minimizeBlockList(nodes(32), passes, () => true);
    expect(r.kept).toHaveLength(1);
    expect(['n10', 'n20']).toContain(r.kept[0]);
  });

  it('takes a passing first guess, and checks it is still minimal', async () => {
    const { passes, calls } = oracle(['n5']);
    const r = await minimizeBlockList(nodes(64), passes, () => true, ['n5', 'n6']);
    expect(r.kept).toEqual(['n5']);
    expect(calls[0]).toEqual(['n5', 'n6']);
    expect(calls.length).toBeLessThanOrEqual(4);
  });

  it('stops at the budget and says so', async () => {
    const { passes, calls } = oracle(['n1', 'n2', 'n3']);
    let left = 3;
    const r = await minimizeBlockList(
      nodes(50),
      async (s) => {
        left--;
        return passes(s);
      },
      () => left > 0,
    );
    expect(r.complete).toBe(false);
    expect(calls).toHaveLength(3);
    expect(r.kept).toEqual(expect.arrayContaining(['n1', 'n2', 'n3']));
  });
});

describe('searchBlockList', () => {
  it('finds the one needed node inside a control-flow unit, and drops the unit parts that are not needed', async () => {
    // Units: 20 plain nodes, then an If with a 30-node body; only the If and one body node matter.
    const units = [...nodes(20).map((n) => [n]), ['if', ...Array.from({ length: 30 }, (_, i) => `if/body${i}`)]];
    const { passes, calls } = oracle(['if', 'if/body17']);
    const r = await searchBlockList(
      units,
      0,
      (s) => passes(s),
      () => true,
    );
    expect(r.kept?.sort()).toEqual(['if', 'if/body17']);
    expect(r.complete).toBe(true);
    expect(calls.length).toBeLessThan(45);
  });

  it('says when even every unit in float32 fails, and when the budget ran out while growing', async () => {
    const never = async () => false;
    expect(await searchBlockList([['a'], ['b'], ['c']], 0, never, () => true)).toMatchObject({
      missed: 'unreachable',
      complete: false,
    });
    let left = 2;
    expect(
      await searchBlockList(
        nodes(64).map((n) => [n]),
        0,
        never,
        () => left-- > 0,
      ),
    ).toMatchObject({ missed: 'budget' });
  });

  it('tries the seed units first and keeps exactly them when they suffice', async () => {
    const { passes, calls } = oracle(['n0', 'n1']);
    const r = await searchBlockList(
      nodes(40).map((n) => [n]),
      2,
      (s) => passes(s),
      () => true,
    );
    expect(calls[0]).toEqual(['n0', 'n1']);
    expect(r.kept).toEqual(['n0', 'n1']);
  });
});
