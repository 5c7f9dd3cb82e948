/**
 * Shrink a passing block-list to one where putting any single node back in float16 fails (1-minimal),
 * by delta debugging on complements: drop halves, then quarters, … of the list, least-ranked nodes
 * first, keeping every drop that still passes. `first` is a guess tried before (e.g. the node the
 * bisection pinned plus the overflow seeds). `complete` is false when the budget ran out first.
 */
export async function minimizeBlockList(
  block: readonly string[],
  passes: (fp32: readonly string[]) => Promise<boolean>,
  budgetLeft: () => boolean,
  first?: readonly string[],
): Promise<{ kept: string[]; complete: boolean }> {
  let kept = [...block];
  if (first && first.length < kept.length && budgetLeft() && (await passes(first))) kept = [...first];
  let parts = 2;
  while (kept.length > 0) {
    const size = Math.ceil(kept.length / parts);
    let dropped = false;
    for (let end = kept.length; end > 0; end -= size) {
      if (!budgetLeft()) return { kept, complete: false };
      const start = Math.max(0, end - size);
      const without = [...kept.slice(0, start), ...kept.slice(end)];
      if (await passes(without)) {
        kept = without;
        parts = Math.max(parts - 1, 2);
        dropped = true;
        break;
      }
    }
    if (!dropped) {
      if (size === 1) break;
      parts = Math.min(parts * 2, kept.length);
    }
  }
  return { kept, complete: true };
}

export type SearchStep = 'seeds' | 'grow' | 'bisect' | 'minimize';

export interface BlockSearchResult {
  /** The passing block-list found; undefined when none was. */
  readonly kept?: string[];
  /** Every removal was tried (1-minimal); false when the budget ran out first. */
  readonly complete: boolean;
  /** Why no block-list: even every unit in float32 fails, or the budget ran out while growing. */
  readonly missed?: 'unreachable' | 'budget';
  /** Units in float32 at the last growing trial. */
  readonly lastUnits: number;
}

/**
 * The block-list search over ranked units (a node, or a control-flow node with its body nodes, which
 * cannot be measured apart): grow the ranked prefix (the seeds first, then doubling) until it passes,
 * bisect between the last failing and the first passing prefix, then shrink by delta debugging —
 * first whole units (guessing the seed units plus the unit the bisection pinned), then single nodes of
 * the units kept. `passes` is one real trial per call (callers cache repeated sets).
 */
export async function searchBlockList(
  units: readonly (readonly string[])[],
  seedUnits: number,
  passes: (fp32: readonly string[], step: SearchStep) => Promise<boolean>,
  budgetLeft: () => boolean,
): Promise<BlockSearchResult> {
  const flat = (n: number) => units.slice(0, n).flat();
  let lo = 0;
  let hi: number | undefined;
  let k = Math.max(1, seedUnits);
  while (hi === undefined && budgetLeft()) {
    if (await passes(flat(k), k === seedUnits ? 'seeds' : 'grow')) hi = k;
    else {
      lo = k;
      if (k >= units.length) return { complete: false, missed: 'unreachable', lastUnits: k };
      k = Math.min(units.length, k * 2);
    }
  }
  if (hi === undefined) return { complete: false, missed: 'budget', lastUnits: k };
  while (hi - lo > 1 && budgetLeft()) {
    const mid = Math.floor((lo + hi) / 2);
    if (await passes(flat(mid), 'bisect')) hi = mid;
    else lo = mid;
  }
  const ids = units.slice(0, hi).map((_, i) => String(i));
  const members = (chosen: readonly string[]) => chosen.flatMap((id) => units[Number(id)]!);
  const pinned = [...new Set([...ids.slice(0, Math.min(seedUnits, hi)), String(hi - 1)])];
  const byUnit = await minimizeBlockList(ids, (chosen) => passes(members(chosen), 'minimize'), budgetLeft, pinned);
  const kept = members(byUnit.kept);
  if (kept.length === byUnit.kept.length) return { kept, complete: byUnit.complete && hi - lo <= 1, lastUnits: hi };
  const byNode = await minimizeBlockList(kept, (chosen) => passes(chosen, 'minimize'), budgetLeft);
  return { kept: byNode.kept, complete: byUnit.complete && byNode.complete, lastUnits: hi };
}
