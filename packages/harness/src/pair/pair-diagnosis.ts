import type { Comparison } from '@crossrt/core';
import type { TargetDescriptor } from '@crossrt/runtime';
import type { TargetExecution } from '../execution/target-outcome.js';
import type { PairSide } from './tensor-mapping.js';

/**
 * What the pattern of verdicts says: `equivalent` (all agree), `conversion` (each format agrees with
 * itself on every target, the formats disagree: the converter changed the numbers), `runtime` (some
 * target disagrees with its own format), `inconclusive` (a side did not run, or the case errored).
 */
export interface PairDiagnosis {
  readonly kind: 'equivalent' | 'conversion' | 'runtime' | 'inconclusive';
  readonly outputs: readonly string[];
  readonly explanation: string;
}

export function diagnosePair(
  targets: readonly TargetDescriptor[],
  executions: ReadonlyMap<string, TargetExecution>,
  comparisons: readonly Comparison[],
  labels: Record<PairSide, string>,
): PairDiagnosis {
  const sideOf = (subject: string) => (subject.startsWith(`${labels.tfjs}@`) ? 'tfjs' : 'onnx');
  const cross = comparisons.filter((c) => sideOf(c.target) !== sideOf(c.reference));
  const within = comparisons.filter((c) => sideOf(c.target) === sideOf(c.reference));
  const notRun = targets.filter((t) => executions.get(t.id)!.outcome.status !== 'ok').map((t) => t.id);
  const failed = (cs: readonly Comparison[]) => cs.filter((c) => c.verdict !== 'pass');
  const crossFailed = failed(cross);
  const withinFailed = failed(within);
  if (cross.length === 0)
    return {
      kind: 'inconclusive',
      outputs: [],
      explanation: 'no cross-format comparison was possible (the reference target did not run)',
    };
  if (crossFailed.length === 0 && withinFailed.length === 0) {
    return {
      kind: 'equivalent',
      outputs: [],
      explanation: `ONNX and TF.js agree on every output on every target that ran${notRun.length ? ` (did not run: ${notRun.join(', ')})` : ''}`,
    };
  }
  const outputs = [...new Set([...crossFailed, ...withinFailed].map((c) => c.output))];
  const everyCrossFails = (o: string) => cross.filter((c) => c.output === o).every((c) => c.verdict !== 'pass');
  if (withinFailed.length === 0 && outputs.every(everyCrossFails)) {
    const worst = crossFailed.map(
      (c) => `${c.output}: ${c.verdict}${c.metrics ? `, max abs ${c.metrics.maxAbsError.toPrecision(3)}` : ''}`,
    );
    return {
      kind: 'conversion',
      outputs,
      explanation: `the ${labels.onnx} and ${labels.tfjs} artifacts disagree on ${outputs.join(', ')} on every target, ${
        within.length > 0
          ? 'while targets of the same format agree: the conversion changed the model'
          : 'so the conversion likely changed the model (one target per format: add a second target of either format to rule out a runtime difference)'
      } (${[...new Set(worst)].slice(0, 3).join('; ')})`,
    };
  }
  const odd = [...new Set([...withinFailed, ...crossFailed].map((c) => c.target.split('@').slice(1).join('@')))];
  return {
    kind: 'runtime',
    outputs,
    explanation: `targets disagree within a format or only some targets disagree across formats (${odd.join(', ')}): a runtime/backend difference, not (only) the conversion`,
  };
}
