import type { Comparison, ExecutionPlacement, RunOutcome } from '@crossrt/core';

/** Backends whose point is to compute on a GPU; a CPU-placed node there is a fallback, not a pass. */
const GPU_BACKENDS = new Set(['webgpu', 'webgl']);
const CPU_EP = /^CPU/i;
/** Copies between host and device that GPU EPs insert; they say nothing about where math ran. */
const COPY_OPS = new Set(['MemcpyFromHost', 'MemcpyToHost']);

export interface PlacementJudgement {
  /** `pass` when every node ran on the GPU EP (or the target is not a GPU target). */
  readonly verdict: 'pass' | 'fallback' | 'partial-fallback';
  /** What the placement shows, in words (empty for non-GPU targets). */
  readonly reason: string;
  /** Whether the placement was proved from the runtime's own log, not just requested. */
  readonly proven: boolean;
}

function isGpuTarget(outcome: RunOutcome): boolean {
  const backend = outcome.target.split(':')[1]?.split('@')[0] ?? '';
  return GPU_BACKENDS.has(backend) || outcome.device?.kind === 'gpu';
}

function nodeList(p: ExecutionPlacement, limit = 8): string {
  const names = p.fallbackNodes.map((n) => (n.opType && !n.node.includes(n.opType) ? `${n.opType} ${n.node}` : n.node));
  return names.length > limit ? `${names.slice(0, limit).join(', ')} (+${names.length - limit} more)` : names.join(', ');
}

/**
 * Where a GPU target's nodes ran, judged from its placement: all on the CPU → `fallback`; some →
 * `partial-fallback` (nodes named); none placed at all (the optimizer folded the graph into
 * constants at load, on the CPU) → `fallback`. Placement that is only "requested" proves nothing:
 * the verdict stays `pass` and the reason says it is unproven.
 */
export function judgePlacement(outcome: RunOutcome): PlacementJudgement {
  if (!isGpuTarget(outcome)) return { verdict: 'pass', reason: '', proven: true };
  const p = outcome.placement;
  if (!p || p.source === 'requested') return { verdict: 'pass', reason: 'GPU placement not proven (the runtime gives no placement log)', proven: false };
  const cpu = p.providers.filter((x) => CPU_EP.test(x.ep)).reduce((s, x) => s + x.nodes, 0);
  const gpuEps = p.providers.filter((x) => !CPU_EP.test(x.ep));
  const gpu = gpuEps.reduce((s, x) => s + x.nodes, 0);
  if (cpu + gpu === 0) return { verdict: 'fallback', reason: 'no node ran on the GPU: the graph was folded into constants on the CPU at load', proven: true };
  const listed = nodeList(p);
  if (gpu === 0) {
    return { verdict: 'fallback', reason: `all ${cpu} node(s) ran on ${p.providers.map((x) => x.ep).join('+')}${listed ? ` (GPU EP refused: ${listed})` : ''}`, proven: true };
  }
  if (cpu > 0) {
    const math = p.fallbackNodes.filter((n) => !COPY_OPS.has(n.opType ?? ''));
    return {
      verdict: 'partial-fallback',
      reason: `${cpu} of ${cpu + gpu} node(s) ran on the CPU${math.length > 0 ? `: ${listed}` : ''}; ${gpu} on ${gpuEps.map((x) => x.ep).join('+')}`,
      proven: true,
    };
  }
  return { verdict: 'pass', reason: `all ${gpu} node(s) on ${gpuEps.map((x) => x.ep).join('+')}`, proven: true };
}

/**
 * Comparisons with placement taken into account: a GPU target's `pass` becomes `fallback` or
 * `partial-fallback` when its placement shows CPU nodes; other verdicts keep their numeric meaning
 * and gain the placement note, so a mismatch is never hidden behind a fallback.
 */
export function applyPlacementVerdicts(comparisons: readonly Comparison[], outcomes: readonly RunOutcome[]): Comparison[] {
  const judged = new Map(outcomes.filter((o) => o.status === 'ok').map((o) => [o.target, judgePlacement(o)] as const));
  return comparisons.map((c) => {
    const j = judged.get(c.target);
    if (!j || !j.reason) return c;
    if (c.verdict === 'pass' && j.verdict !== 'pass') return { ...c, verdict: j.verdict, reason: `${j.reason}; numbers: ${c.reason}` };
    return { ...c, reason: `${c.reason}; placement: ${j.reason}` };
  });
}
