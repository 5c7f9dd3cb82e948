import type { Comparison, ExecutionPlacement, PlacementPolicy, RunOutcome } from '@crossrt/core';
import { COPY_OPS } from './placement-split.js';

export type { PlacementPolicy } from '@crossrt/core';
/** Shape/control nodes on the CPU are ORT's intended placement; only compute nodes there fail a GPU pass. */
export const DEFAULT_PLACEMENT_POLICY: PlacementPolicy = 'compute';

/** Backends whose point is to compute on a GPU; a CPU-placed compute node there is a fallback, not a pass. */
const GPU_BACKENDS = new Set(['webgpu', 'webgl']);
const CPU_EP = /^CPU/i;

export type PlacementJudgement = NonNullable<ExecutionPlacement['judgement']> & {
  /** Whether the placement was proved from the runtime's own log, not just requested. */
  readonly proven: boolean;
};

export function isGpuTarget(outcome: Pick<RunOutcome, 'target' | 'device'>): boolean {
  const backend = outcome.target.split(':')[1]?.split('@')[0] ?? '';
  return GPU_BACKENDS.has(backend) || outcome.device?.kind === 'gpu';
}

type Fallback = ExecutionPlacement['fallbackNodes'][number];
const label = (n: Fallback) => (n.opType && !n.node.includes(n.opType) ? `${n.opType} ${n.node}` : n.node);

function nodeList(nodes: readonly Fallback[], limit = 8): string {
  const names = nodes.map(label);
  return names.length > limit
    ? `${names.slice(0, limit).join(', ')} (+${names.length - limit} more)`
    : names.join(', ');
}

/** `Equal ×17, Gather ×20`: op types of shape nodes, most frequent first (their names say little). */
function opTally(nodes: readonly Fallback[]): string {
  const counts = new Map<string, number>();
  for (const n of nodes) counts.set(n.opType ?? '?', (counts.get(n.opType ?? '?') ?? 0) + 1);
  return [...counts]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([op, k]) => `${op} ×${k}`)
    .join(', ');
}

/**
 * Where a GPU target's nodes ran, judged from its placement under `policy`:
 * - no proof: `unproven` — a failure for a runtime that prints its placement (its log lost it), a
 *   labelled warning (`warning: true`) for an engine that never does (WebGL, TF.js);
 * - no node placed at all (the optimizer folded the graph into constants, on the CPU), or no node on
 *   the GPU EP → `fallback`;
 * - `strict`: any CPU node (copies aside) → `partial-fallback`;
 * - `compute`: CPU nodes that are all shape/control work pass with a note; compute nodes on the CPU
 *   → `partial-fallback`, and `fallback` when the GPU ran no compute node at all. A CPU node whose
 *   class is unknown (a report from before classes) counts as compute.
 * `off`: always `pass`, the placement only noted.
 */
export function judgePlacement(
  outcome: Pick<RunOutcome, 'target' | 'device' | 'placement'>,
  policy: PlacementPolicy = DEFAULT_PLACEMENT_POLICY,
): PlacementJudgement {
  const pass = (reason: string): PlacementJudgement => ({ verdict: 'pass', policy, reason, proven: true });
  if (!isGpuTarget(outcome)) return pass('');
  const p = outcome.placement;
  if (policy === 'off')
    return {
      ...pass(p && p.source === 'verbose-log' ? `not judged (--placement off): ${providerText(p)}` : ''),
      proven: p?.source === 'verbose-log',
    };
  if (!p || p.source === 'log-missing' || p.source === 'single-ep') {
    return {
      verdict: 'unproven',
      policy,
      proven: false,
      reason: `GPU placement unproven: ${outcome.target} prints its node placement for every session, and this session's log held none`,
    };
  }
  if (p.source !== 'verbose-log') {
    return {
      verdict: 'unproven',
      policy,
      proven: false,
      warning: true,
      reason: `GPU placement unproven (warning): ${outcome.target} prints no placement log, so where its nodes ran is only what was requested`,
    };
  }
  const cpuEps = p.providers.filter((x) => CPU_EP.test(x.ep));
  const gpuEps = p.providers.filter((x) => !CPU_EP.test(x.ep));
  const cpu = cpuEps.reduce((s, x) => s + x.nodes, 0);
  const gpu = gpuEps.reduce((s, x) => s + x.nodes, 0);
  const gpuNames = gpuEps.map((x) => x.ep).join('+');
  if (cpu + gpu === 0)
    return {
      verdict: 'fallback',
      policy,
      proven: true,
      reason: 'no node ran on the GPU: the graph was folded into constants on the CPU at load',
    };
  const onCpu = p.fallbackNodes.filter((n) => CPU_EP.test(n.ep) && !COPY_OPS.has(n.opType ?? ''));
  if (gpu === 0) {
    return {
      verdict: 'fallback',
      policy,
      proven: true,
      reason: `all ${cpu} node(s) ran on ${cpuEps.map((x) => x.ep).join('+')}${onCpu.length ? ` (GPU EP refused: ${nodeList(onCpu)})` : ''}`,
    };
  }
  if (cpu === 0) return pass(`all ${gpu} node(s) on ${gpuNames}`);
  if (policy === 'strict') {
    return {
      verdict: 'partial-fallback',
      policy,
      proven: true,
      reason: `${cpu} of ${cpu + gpu} node(s) ran on the CPU${onCpu.length ? `: ${nodeList(onCpu)}` : ''}; ${gpu} on ${gpuNames}`,
    };
  }
  const compute = onCpu.filter((n) => n.class !== 'shape');
  const shape = onCpu.filter((n) => n.class === 'shape');
  const shapeText = shape.length ? `${shape.length} shape/control node(s) on the CPU (${opTally(shape)})` : '';
  if (compute.length === 0)
    return pass(
      `${shapeText || `${cpu} host/device copies on the CPU`}, as ORT intends; no compute node on the CPU; ${gpu} node(s) on ${gpuNames}`,
    );
  const gpuCompute = gpuEps.reduce((s, x) => s + (x.computeNodes ?? x.nodes), 0);
  const verdict = gpuCompute === 0 ? 'fallback' : 'partial-fallback';
  const lead =
    gpuCompute === 0
      ? `every compute node ran on the CPU: ${nodeList(compute)}`
      : `${compute.length} compute node(s) ran on the CPU: ${nodeList(compute)}`;
  return {
    verdict,
    policy,
    proven: true,
    reason: `${lead}${shapeText ? `; also ${shapeText}` : ''}; ${gpu} node(s) on ${gpuNames}`,
  };
}

function providerText(p: ExecutionPlacement): string {
  return p.providers.map((x) => `${x.ep} ${x.nodes}`).join(', ');
}

/**
 * Comparisons with placement taken into account: a GPU target's `pass` becomes `fallback`,
 * `partial-fallback` or `unproven` when its placement says so; other verdicts keep their numeric
 * meaning and gain the placement note, so a mismatch is never hidden behind a placement finding. A
 * warning (an engine that never proves placement) and a passing placement are notes only. Each
 * outcome's own judgement (made when it ran, under the run's policy) decides; outcomes without one
 * are judged here under `policy`.
 */
export function applyPlacementVerdicts(
  comparisons: readonly Comparison[],
  outcomes: readonly RunOutcome[],
  policy: PlacementPolicy = DEFAULT_PLACEMENT_POLICY,
): Comparison[] {
  const judged = new Map(
    outcomes
      .filter((o) => o.status === 'ok')
      .map((o) => [o.target, o.placement?.judgement ?? judgePlacement(o, policy)] as const),
  );
  return comparisons.map((c) => {
    const j = judged.get(c.target);
    if (!j || !j.reason) return c;
    if (c.verdict === 'pass' && j.verdict !== 'pass' && !j.warning)
      return { ...c, verdict: j.verdict, reason: `${j.reason}; numbers: ${c.reason}` };
    return { ...c, reason: `${c.reason}; placement: ${j.reason}` };
  });
}

/** The outcome with its placement judged (stored in `placement.judgement`), for GPU targets. */
export function withPlacementJudgement(outcome: RunOutcome, policy: PlacementPolicy): RunOutcome {
  if (outcome.status !== 'ok' || !outcome.placement || !isGpuTarget(outcome)) return outcome;
  const { proven: _proven, ...judgement } = judgePlacement(outcome, policy);
  return { ...outcome, placement: { ...outcome.placement, judgement } };
}
