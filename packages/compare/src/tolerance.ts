import type { DType, Tolerance, ToleranceOverride, TolerancePolicy, VariantKind } from '@crossrt/core';

/**
 * Default tolerance between two targets for float32: Polygraphy's rtol = atol = 1e-5, applied
 * element-wise with numpy's allclose rule |a - r| <= atol + rtol * |r|. Integers, bool and string
 * compare exactly.
 */
export const DEFAULT_TOLERANCE: Tolerance = { rtol: 1e-5, atol: 1e-5, source: 'default' };

/** ONNX backend test suite defaults, used when expected outputs from a test case are the oracle. */
export const ORACLE_TOLERANCE: Tolerance = { rtol: 1e-3, atol: 1e-7, source: 'oracle-default' };

/**
 * Element-wise defaults per float dtype, for the same model on two targets. float16/bfloat16 allow
 * about four / two units in the last place (fp16 ULP is 2^-10 ≈ 9.8e-4 relative, bf16 2^-7 ≈ 7.8e-3):
 * runtimes legitimately differ in whether they accumulate in the narrow type or in float32. float64 is
 * held tighter than float32. Other dtypes are exact and ignore tolerances.
 */
export const DTYPE_TOLERANCES: Readonly<Partial<Record<DType, { rtol: number; atol: number }>>> = {
  float32: { rtol: 1e-5, atol: 1e-5 },
  float64: { rtol: 1e-7, atol: 1e-9 },
  float16: { rtol: 4e-3, atol: 1e-3 },
  bfloat16: { rtol: 1.6e-2, atol: 1e-2 },
};

/**
 * Variant-aware policies for comparing model variants against the first (reference) model. A reduced
 * precision model is not expected to match element-wise; it is judged as a whole: cosine similarity,
 * signal-to-noise ratio and, for class-score outputs, top-1 agreement. fp32 variants (opset upgrades,
 * another converter version) compute the same math through a different graph, so they stay
 * element-wise with room for reordered float sums.
 */
export const VARIANT_POLICIES: Readonly<Record<VariantKind, ToleranceOverride>> = {
  fp32: { check: 'elementwise', rtol: 1e-4, atol: 1e-4 },
  fp16: { check: 'statistical', minCosine: 0.999, minSnrDb: 30, minTop1Agreement: 0.99 },
  bf16: { check: 'statistical', minCosine: 0.995, minSnrDb: 20, minTop1Agreement: 0.98 },
  int8: { check: 'statistical', minCosine: 0.99, minSnrDb: 15, minTop1Agreement: 0.95 },
};

/** The lower-precision kind of two variants decides the policy (fp32 vs int8 → int8). */
export function pairVariantKind(a: VariantKind, b: VariantKind): VariantKind {
  const order: VariantKind[] = ['fp32', 'bf16', 'fp16', 'int8'];
  return order[Math.max(order.indexOf(a), order.indexOf(b))]!;
}

export interface ToleranceSubject {
  readonly output: string;
  readonly dtype: DType;
  readonly target: string;
  readonly reference: string;
  /** Set for variant comparisons: the policy kind of the pair. */
  readonly variantKind?: VariantKind;
}

/**
 * The tolerance for one comparison: layer by layer (see TolerancePolicySchema), every layer that sets
 * something named in `rules`, and `source` telling which kind of layer had the last word.
 */
export function resolveTolerance(
  subject: ToleranceSubject,
  policy: TolerancePolicy = {},
  baseSource: Tolerance['source'] = 'cli',
): Tolerance {
  const dtypeDefault = DTYPE_TOLERANCES[subject.dtype] ?? DTYPE_TOLERANCES.float32!;
  let t: Tolerance = {
    ...dtypeDefault,
    source: 'dtype-default',
    check: 'elementwise',
    rules: [`${subject.dtype}-default`],
  };
  const apply = (o: ToleranceOverride | undefined, rule: string, source: Tolerance['source']) => {
    if (!o || Object.keys(o).length === 0) return;
    t = { ...t, ...o, source, rules: [...(t.rules ?? []), rule] };
  };
  apply(policy.dtypes?.[subject.dtype], `dtype:${subject.dtype}`, 'config');
  if (subject.variantKind) {
    apply(
      { ...VARIANT_POLICIES[subject.variantKind], ...policy.variantKinds?.[subject.variantKind] },
      `variant:${subject.variantKind}`,
      'variant-policy',
    );
  }
  apply(policy.base, 'base', baseSource);
  apply(policy.targetPairs?.[subject.target], `target:${subject.target}`, 'target-pair-override');
  apply(
    policy.targetPairs?.[`${subject.reference}->${subject.target}`],
    `pair:${subject.reference}->${subject.target}`,
    'target-pair-override',
  );
  apply(policy.outputs?.[subject.output], `output:${subject.output}`, 'output-override');
  return t;
}

/** A policy from the classic `--rtol/--atol` pair: it replaces the element-wise numbers for every float dtype. */
export function policyFromTolerance(t: Pick<Tolerance, 'rtol' | 'atol'>): TolerancePolicy {
  return { base: { rtol: t.rtol, atol: t.atol } };
}
