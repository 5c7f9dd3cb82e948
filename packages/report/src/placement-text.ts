import type { ExecutionPlacement, RunOutcome } from '@crossrt/core';

/**
 * Placement in words, shared by every reporter: where each EP's nodes went (split into shape/control
 * and compute work, with the share of the model's weight bytes they read), how it is known, and how
 * it was judged. The weight share is bytes of initializers and Constant tensors read by the EP's
 * nodes over the model's total: it says how much of the model's parameters an EP touched, a proxy for
 * where the work went that needs no FLOP model per op.
 */
const SOURCE_WORDS: Record<ExecutionPlacement['source'], string> = {
  'verbose-log': 'from ORT log',
  'single-ep': 'single EP',
  requested: 'as requested, unproven',
  'log-missing': 'no placement in the log, unproven',
  profile: 'from profile',
};

export function placementSourceText(p: ExecutionPlacement): string {
  return SOURCE_WORDS[p.source] ?? p.source;
}

const share = (bytes: number, total: number) => {
  const pct = (100 * bytes) / total;
  return `${pct >= 99.95 || pct === 0 ? pct.toFixed(0) : pct < 0.1 ? '<0.1' : pct.toFixed(1)}%`;
};

/** `WebGpuExecutionProvider 185 (2 shape, 183 compute, 100% of weights)`, one part per EP. */
export function placementProviderParts(p: ExecutionPlacement): string[] {
  return p.providers.map((x) => {
    const classes =
      x.shapeNodes !== undefined && x.computeNodes !== undefined
        ? [`${x.shapeNodes} shape`, `${x.computeNodes} compute`]
        : [];
    const weights =
      x.weightBytes !== undefined && p.weightBytes ? [`${share(x.weightBytes, p.weightBytes)} of weights`] : [];
    const detail = [...classes, ...weights];
    return `${x.ep} ${x.nodes}${detail.length ? ` (${detail.join(', ')})` : ''}`;
  });
}

/** The judgement as one line (`pass under compute: …`, `UNPROVEN (warning): …`); undefined when nothing was judged or said. */
export function placementJudgementText(p: ExecutionPlacement | undefined): string | undefined {
  const j = p?.judgement;
  if (!j || !j.reason) return undefined;
  const verdict = j.verdict === 'pass' ? 'pass' : j.verdict.toUpperCase();
  return `${verdict}${j.warning ? ' (warning)' : ''} under --placement ${j.policy}: ${j.reason}`;
}

/** Set when an engine that never prints its placement ran on a GPU: a labelled warning, not a failure. */
export function placementWarning(o: RunOutcome | undefined): string | undefined {
  const j = o?.status === 'ok' ? o.placement?.judgement : undefined;
  return j?.warning ? j.reason : undefined;
}

/** CPU-placed nodes as `Gather /decoder/Gather [shape]`, for lists. */
export function fallbackNodeText(n: ExecutionPlacement['fallbackNodes'][number]): string {
  return `${n.opType && !n.node.includes(n.opType) ? `${n.opType} ` : ''}${n.node}${n.class ? ` [${n.class}${n.classBy && n.classBy !== 'graph' ? `, by ${n.classBy}` : ''}]` : ''} → ${n.ep}`;
}
