import type { DType } from '@crossrt/core';
import type { PlannedInput } from './value-plan.js';

export interface InputFacts {
  readonly name: string;
  readonly dtype: DType;
  readonly dims: readonly number[];
}

/**
 * A heuristic recognises what an input means from its name, dtype and shape and picks realistic values.
 * Each returns undefined when it does not apply; the first that applies wins and is reported by name.
 */
export interface SemanticHeuristic {
  readonly name: string;
  readonly describe: string;
  readonly apply: (input: InputFacts) => PlannedInput | undefined;
}

const isInt = (d: DType) => d.startsWith('int') || d.startsWith('uint');
const isFloat = (d: DType) => d.startsWith('float') || d === 'bfloat16';
const elementCount = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);

export const SAMPLE_RATE_HZ = 16000;

export const SEMANTIC_HEURISTICS: readonly SemanticHeuristic[] = [
  {
    name: 'sample-rate',
    describe: `integer scalar named sr / sample_rate / sampling_rate → ${SAMPLE_RATE_HZ} Hz`,
    apply: (i) => (isInt(i.dtype) && elementCount(i.dims) === 1 && /^(sr|sample_?rate|sampling_?rate)$/i.test(i.name)
      ? { plan: { kind: 'constant', value: SAMPLE_RATE_HZ }, heuristic: 'sample-rate' }
      : undefined),
  },
  {
    name: 'recurrent-state',
    describe: 'float input named state / h0 / c0 / hidden / *_state → zeros (a fresh recurrent state)',
    apply: (i) => (isFloat(i.dtype) && /^(state|states|h|c|h0|c0|hn|cn|hidden|hidden_state|.*_state|state_.*)$/i.test(i.name)
      ? { plan: { kind: 'constant', value: 0 }, heuristic: 'recurrent-state' }
      : undefined),
  },
];

export function planFromHeuristics(input: InputFacts, heuristics: readonly SemanticHeuristic[] = SEMANTIC_HEURISTICS): PlannedInput | undefined {
  for (const h of heuristics) {
    const p = h.apply(input);
    if (p) return p;
  }
  return undefined;
}
