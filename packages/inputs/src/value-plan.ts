import type { DType, ValuePlan } from '@crossrt/core';

export type { ValuePlan } from '@crossrt/core';

export interface PlannedInput {
  readonly plan: ValuePlan;
  /** The semantic heuristic that picked the plan, when one fired, with what it found. */
  readonly heuristic?: string;
}

export const isIntegerDType = (d: DType) => d.startsWith('int') || d.startsWith('uint');
export const isFloatingDType = (d: DType) => d.startsWith('float') || d === 'bfloat16';

/** Inclusive value range of each integer dtype (64-bit ones as the nearest safe doubles). */
export const INTEGER_RANGES: Readonly<Partial<Record<DType, readonly [number, number]>>> = {
  int8: [-128, 127],
  uint8: [0, 255],
  int16: [-32768, 32767],
  uint16: [0, 65535],
  int32: [-2147483648, 2147483647],
  uint32: [0, 4294967295],
  int64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  uint64: [0, Number.MAX_SAFE_INTEGER],
  bool: [0, 1],
};

/**
 * Defaults when no heuristic fires and nobody set a plan. Float inputs cover both signs, [-1, 1):
 * a [0, 1] default (Polygraphy's) never exercises faults that only show for negative values — a Relu
 * swapped for Abs, a sign slip in a converter's Sub/Neg rewrite, an unsigned cast. Integers default to
 * [0, 9] so that index-like inputs stay in range; booleans are fair coins; strings are random words.
 */
export function defaultPlan(dtype: DType): ValuePlan {
  switch (dtype) {
    case 'float32':
    case 'float64':
    case 'float16':
    case 'bfloat16':
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
  const integer = !isFloatingDType(dtype);
  switch (plan.kind) {
    case 'uniform':
      return integer ? `uniform-int[${plan.low},${plan.high}]` : `uniform[${plan.low},${plan.high})`;
    case 'normal':
      return `normal(mean=${plan.mean},std=${plan.std})`;
    case 'constant':
      return `constant(${plan.value})`;
    case 'bernoulli':
      return `bernoulli(p=${plan.p})`;
    case 'words':
      return 'random-words';
    case 'prefix-ones':
      return `prefix-ones(min ${plan.minFraction} of each row, then 0s)`;
    case 'segments':
      return 'segments(0s then 1s per row)';
    case 'arange':
      return `arange(from ${plan.start} along the last axis)`;
  }
}

/**
 * Parse a plan written on the command line: `uniform:LOW,HIGH` (or just `LOW,HIGH`), `normal:MEAN,STD`,
 * `constant:V`, `bernoulli:P`, `arange:START`, `prefix-ones:FRACTION`, `segments`, `words`.
 * Returns undefined when the text is not a plan (the caller reports the error).
 */
export function parseValuePlan(text: string): ValuePlan | undefined {
  const m = /^(?:([a-z][a-z-]*)(?::|$))?(.*)$/.exec(text.trim());
  if (!m) return undefined;
  const kind = m[1] ?? 'uniform';
  const nums = m[2] === '' ? [] : m[2]!.split(',').map((x) => Number(x.trim()));
  if (nums.some((x) => !Number.isFinite(x))) return undefined;
  switch (kind) {
    case 'uniform':
      return nums.length === 2 && nums[0]! <= nums[1]! ? { kind, low: nums[0]!, high: nums[1]! } : undefined;
    case 'normal':
      return nums.length === 2 && nums[1]! >= 0 ? { kind, mean: nums[0]!, std: nums[1]! } : undefined;
    case 'constant':
      return nums.length === 1 ? { kind, value: nums[0]! } : undefined;
    case 'bernoulli':
      return nums.length === 1 && nums[0]! >= 0 && nums[0]! <= 1 ? { kind, p: nums[0]! } : undefined;
    case 'arange':
      return nums.length <= 1 && Number.isInteger(nums[0] ?? 0) ? { kind, start: nums[0] ?? 0 } : undefined;
    case 'prefix-ones':
      return nums.length <= 1 ? { kind, minFraction: nums[0] ?? 0.5 } : undefined;
    case 'segments':
      return nums.length === 0 ? { kind } : undefined;
    case 'words':
      return nums.length === 0 ? { kind } : undefined;
    default:
      return undefined;
  }
}
