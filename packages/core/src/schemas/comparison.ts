import { z } from 'zod';
import { TargetIdSchema } from './target.js';

/**
 * `fallback` / `partial-fallback`: the numbers agree, but a GPU target (WebGPU, WebGL) ran all / some
 * of its compute nodes on the CPU (proved by the placement log), so it is not reported as a GPU pass.
 * `unproven`: the numbers agree, but nothing proves where a GPU target that prints its placement ran
 * (its log held no placement for this case), so it is not a GPU pass either.
 */
export const VerdictSchema = z.enum(['pass', 'mismatch', 'shape', 'dtype', 'nan-inf', 'missing', 'fallback', 'partial-fallback', 'unproven']);
export type Verdict = z.infer<typeof VerdictSchema>;

/**
 * The tolerance a comparison was judged by, with where it came from. Two kinds of check:
 * - `elementwise` (default): every element must satisfy numpy's allclose rule |a-r| <= atol + rtol*|r|;
 * - `statistical`: for variant comparisons (fp16/int8 models against fp32) the output as a whole must
 *   reach `minCosine`, `minSnrDb` and, for class-score outputs, `minTop1Agreement`; element-wise
 *   counts are still reported but do not decide.
 * Integers, bool and string always compare exactly, whatever the tolerance says.
 */
export const ToleranceSchema = z.object({
  rtol: z.number().nonnegative(),
  atol: z.number().nonnegative(),
  /** Where the numbers came from, so a report explains itself. */
  source: z.enum(['default', 'cli', 'config', 'oracle-default', 'dtype-default', 'variant-policy', 'output-override', 'target-pair-override']),
  check: z.enum(['elementwise', 'statistical']).optional(),
  minCosine: z.number().optional(),
  minSnrDb: z.number().optional(),
  minTop1Agreement: z.number().min(0).max(1).optional(),
  /** Also fail when the float32/float16 ULP distance exceeds this (opt-in). */
  maxUlp: z.number().nonnegative().optional(),
  /** The named policy layers that were applied, most general first (e.g. `float16-default`, `variant:fp16`). */
  rules: z.array(z.string()).optional(),
});
export type Tolerance = z.infer<typeof ToleranceSchema>;

/** Log2-scale histogram of |a-r| over finite pairs: `zero` exact matches, bins [2^log2, 2^(log2+1)). */
export const ErrorHistogramSchema = z.object({
  zero: z.number().int().nonnegative(),
  /** Non-empty bins only, ascending. The first/last bins also hold everything below 2^-64 / above 2^63. */
  bins: z.array(z.object({ log2: z.number().int(), count: z.number().int().nonnegative() })),
});
export type ErrorHistogram = z.infer<typeof ErrorHistogramSchema>;

/** Agreement of class-score outputs, row by row along the last axis. */
export const TopKAgreementSchema = z.object({
  rows: z.number().int().nonnegative(),
  classes: z.number().int().positive(),
  k: z.number().int().positive(),
  /** Fraction of rows whose argmax is the same. */
  top1: z.number().min(0).max(1),
  /** Mean of |topk(a) ∩ topk(r)| / k over rows. */
  topKOverlap: z.number().min(0).max(1),
});
export type TopKAgreement = z.infer<typeof TopKAgreementSchema>;

/**
 * Metrics of one output pair, computed in one pass (r = reference, a = actual, over finite pairs):
 * - relative error |a-r| / max(|r|, 1e-12) (Polygraphy's |a-b|/|b| with a floor for zeros);
 * - rmse = sqrt(mean((a-r)^2)); cosine = a·r / (|a||r|) (1 when both are all-zero, 0 when one is);
 * - snrDb = 10·log10(Σr² / Σ(a-r)²), null when Σ(a-r)² = 0 (identical: infinite SNR) or Σr² = 0;
 * - maxUlp: largest distance in units in the last place for float32/float16 (±0 are 0 apart);
 * - `allcloseMismatches` counts elements failing numpy's allclose |a-r| <= atol + rtol*|r|;
 * - non-finite values never enter error sums: both NaN, or the same infinity, agree; any other pairing
 *   counts in `nanInfMismatches`.
 */
export const MetricsSchema = z.object({
  elements: z.number().int().nonnegative(),
  maxAbsError: z.number(),
  meanAbsError: z.number(),
  maxRelError: z.number(),
  meanRelError: z.number().optional(),
  rmse: z.number().optional(),
  cosineSimilarity: z.number().optional(),
  snrDb: z.number().nullable().optional(),
  maxUlp: z.number().nonnegative().optional(),
  allcloseMismatches: z.number().int().nonnegative(),
  mismatchFraction: z.number(),
  nanInfMismatches: z.number().int().nonnegative(),
  /** NaN / ±Inf counts on each side. */
  nonFinite: z.object({
    actualNaN: z.number().int().nonnegative(), referenceNaN: z.number().int().nonnegative(),
    actualInf: z.number().int().nonnegative(), referenceInf: z.number().int().nonnegative(),
  }).optional(),
  /** Flat index of the largest absolute error (-1 when none). */
  worstIndex: z.number().int(),
  worstActual: z.union([z.number(), z.string()]).optional(),
  worstReference: z.union([z.number(), z.string()]).optional(),
  /** Whether elements were compared exactly (integers, bool, string). */
  exact: z.boolean(),
  histogram: ErrorHistogramSchema.optional(),
  topK: TopKAgreementSchema.optional(),
});
export type Metrics = z.infer<typeof MetricsSchema>;

/**
 * What a comparison names as `target` / `reference`: a target id, `oracle`, or, for variant
 * comparisons (`crossrt compare`), `<model label>@<target id>`, e.g. `silero_vad_half.onnx@ort-node:cpu`.
 */
export const VARIANT_SUBJECT_PATTERN = /^.+@[a-z][a-z0-9-]*:[a-z][a-z0-9-]*(?:@[a-z][a-z0-9-]*)?$/;
export const ComparisonSubjectSchema = z.union([TargetIdSchema, z.string().regex(VARIANT_SUBJECT_PATTERN)]);

export const ComparisonSchema = z.object({
  output: z.string(),
  target: ComparisonSubjectSchema,
  /** The reference: another target id, or `oracle` for expected outputs shipped with a test case. */
  reference: z.string(),
  /** The input set (e.g. `test_data_set_0`) when a case has several. */
  inputSet: z.string().optional(),
  verdict: VerdictSchema,
  /** The rule that decided the verdict, in words. */
  reason: z.string(),
  tolerance: ToleranceSchema,
  metrics: MetricsSchema.optional(),
  dtype: z.object({ actual: z.string().optional(), reference: z.string().optional() }),
  dims: z.object({ actual: z.array(z.number().int()).optional(), reference: z.array(z.number().int()).optional() }),
});
export type Comparison = z.infer<typeof ComparisonSchema>;

/** Variant kinds a model can be, for variant-aware tolerance policies (`crossrt compare`). */
export const VariantKindSchema = z.enum(['fp32', 'fp16', 'bf16', 'int8']);
export type VariantKind = z.infer<typeof VariantKindSchema>;

/** One layer of a tolerance policy: only the fields it sets override the layers below it. */
export const ToleranceOverrideSchema = z.object({
  rtol: z.number().nonnegative().optional(),
  atol: z.number().nonnegative().optional(),
  check: z.enum(['elementwise', 'statistical']).optional(),
  minCosine: z.number().min(-1).max(1).optional(),
  minSnrDb: z.number().optional(),
  minTop1Agreement: z.number().min(0).max(1).optional(),
  maxUlp: z.number().nonnegative().optional(),
}).strict();
export type ToleranceOverride = z.infer<typeof ToleranceOverrideSchema>;

/**
 * A tolerance policy as written in a config file. Layers apply in this order, later ones winning field
 * by field: per-dtype defaults → `variantKinds` (when comparing model variants) → `base` (e.g. --rtol)
 * → `targetPairs` (key `reference->target`, or just `target`) → `outputs` (key: output name).
 */
export const TolerancePolicySchema = z.object({
  base: ToleranceOverrideSchema.optional(),
  dtypes: z.record(z.string(), ToleranceOverrideSchema).optional(),
  variantKinds: z.partialRecord(VariantKindSchema, ToleranceOverrideSchema).optional(),
  targetPairs: z.record(z.string(), ToleranceOverrideSchema).optional(),
  outputs: z.record(z.string(), ToleranceOverrideSchema).optional(),
}).strict();
export type TolerancePolicy = z.infer<typeof TolerancePolicySchema>;
