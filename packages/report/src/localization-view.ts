import type { Localization, NodeDivergence, Reduction } from '@crossrt/core';
import { toleranceText } from './comparison-text.js';
import { num } from './console-reporter.js';
import { statusTone, type StatusTone } from './target-cells.js';

/** What the HTML case section shows for `crossrt localize` and `crossrt reduce` results. */

/** Past this many nodes the per-node table starts collapsed; the chart already shows the shape. */
export const NODE_TABLE_OPEN_UP_TO = 30;

const NODE_TONE: Record<NodeDivergence['status'], StatusTone> = {
  agree: 'pass',
  culprit: 'fail',
  origin: 'fail',
  diverged: 'warn',
  unknown: 'neutral',
};

function mismatchText(n: NodeDivergence): string {
  const compared = n.outputs.filter((o) => o.elements !== undefined && o.mismatches !== undefined);
  if (compared.length === 0) return '-';
  return `${compared.reduce((s, o) => s + o.mismatches!, 0)}/${compared.reduce((s, o) => s + o.elements!, 0)}`;
}

export function localizationView(l: Localization, chartId: string) {
  const nodes = [...l.nodes].sort((a, b) => a.index - b.index);
  const culpritNode = l.culprit ? nodes.find((n) => n.index === l.culprit!.index) : undefined;
  return {
    mode: l.mode,
    reference: l.reference,
    actual: l.actual,
    tolerance: toleranceText(l.tolerance),
    exposedTensors: l.exposedTensors,
    chunks: l.chunks,
    runs: l.runs,
    chartId,
    culprit: l.culprit
      ? {
          ...l.culprit,
          maxAbs: num(culpritNode?.maxAbsError),
          maxRel: num(culpritNode?.maxRelError),
          inputMaxAbs: num(culpritNode?.inputMaxAbsError),
          parameterDiffs: culpritNode?.parameterDiffs ?? [],
        }
      : undefined,
    otherOrigins: l.otherOrigins,
    notes: l.notes,
    coverage: l.coverage,
    nodesOpen: nodes.length <= NODE_TABLE_OPEN_UP_TO,
    diverging: nodes.filter((n) => n.status !== 'agree').length,
    nodes: nodes.map((n) => ({
      index: n.index,
      name: n.name,
      opType: n.domain ? `${n.domain}.${n.opType}` : n.opType,
      status: n.status,
      tone: NODE_TONE[n.status],
      maxAbs: num(n.maxAbsError),
      maxRel: num(n.maxRelError),
      inputMaxAbs: num(n.inputMaxAbsError),
      mismatches: mismatchText(n),
      outputs: n.outputs.map((o) => o.tensor).join(', '),
      detail: [
        ...(n.divergentInputs?.length ? [`diverging inputs: ${n.divergentInputs.join(', ')}`] : []),
        ...(n.controlFlow ? ['control flow: judged as one unit'] : []),
        ...(n.parameterDiffs ?? []).map((d) => `variant changes ${d}`),
        ...(n.fusedModules?.length ? [`folded into it by the exporter: ${n.fusedModules.join(', ')}`] : []),
        ...(n.scope ? [`scope ${n.scope} (${n.onnxNodes ?? 0} ONNX node(s))`] : []),
        ...n.outputs
          .filter((o) => o.verdict !== 'pass' && o.verdict !== 'unavailable' && o.reason?.startsWith('SNR'))
          .map((o) => o.reason!),
        ...n.outputs.filter((o) => o.verdict === 'unavailable' && o.reason).map((o) => `${o.tensor}: ${o.reason}`),
      ].join('; '),
    })),
  };
}

export function reductionView(r: Reduction) {
  return {
    mode: r.mode,
    reference: r.reference,
    actual: r.actual,
    tolerance: toleranceText(r.tolerance),
    originalOutput: r.originalOutput,
    output: r.output,
    verdict: r.verdict,
    tone: statusTone(r.failure ? r.failure.status : r.verdict),
    failure: r.failure,
    reason: r.reason,
    nodesBefore: r.nodesBefore,
    nodesAfter: r.nodesAfter,
    runs: r.runs,
    steps: r.steps.length,
    kept: r.nodes.map((n) => `${n.name} (${n.opType})`),
    inputs: r.inputs.map((i) => ({ ...i, dims: `[${i.dims.join(', ')}]` })),
    files: r.files,
    notes: r.notes,
  };
}
