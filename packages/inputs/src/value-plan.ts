import type { DType } from '@crossrt/core';

/** How one input's values are made. The plan is recorded in the report as `describePlan(plan)`. */
export type ValuePlan =
  | { readonly kind: 'uniform'; readonly low: number; readonly high: number }
  | { readonly kind: 'normal'; readonly mean: number; readonly std: number }
  | { readonly kind: 'constant'; readonly value: number }
  | { readonly kind: 'bernoulli'; readonly p: number }
  | { readonly kind: 'words' };

export interface PlannedInput {
  readonly plan: ValuePlan;
  /** The semantic heuristic that picked the plan, when one fired. */
  readonly heuristic?: string;
}

/**
 * Defaults when no heuristic fires. Float inputs cover both signs, [-1, 1): Polygraphy's [0, 1]
 * default misses faults that only show for negative values (a Relu swapped for Abs, a sign slip).
 * Integers default to [0, 9] so that index-like inputs stay small; booleans are fair coins.
 */
export function defaultPlan(dtype: DType): ValuePlan {
  switch (dtype) {
    case 'float32': case 'float64': case 'float16': case 'bfloat16':
      return { kind: 'uniform', low: -1, high: 1 };
    case 'bool':
      return { kind: 'bernoulli', p: 0.5 };
    case 'string':
      return { kind: 'words' };
    default:
      return { kind: 'uniform', low: 0, high: 9 };
  }
}

export function describePlan(plan: ValuePlan, dtype: DType): string {
  const integer = !(dtype.startsWith('float') || dtype === 'bfloat16');
  switch (plan.kind) {
    case 'uniform': return integer ? `uniform-int[${plan.low},${plan.high}]` : `uniform[${plan.low},${plan.high})`;
    case 'normal': return `normal(mean=${plan.mean},std=${plan.std})`;
    case 'constant': return `constant(${plan.value})`;
    case 'bernoulli': return `bernoulli(p=${plan.p})`;
    case 'words': return 'random-words';
  }
}
