import { z } from 'zod';
import { TargetIdSchema } from './target.js';

export const VerdictSchema = z.enum(['pass', 'mismatch', 'shape', 'dtype', 'nan-inf', 'missing']);
export type Verdict = z.infer<typeof VerdictSchema>;

export const ToleranceSchema = z.object({
  rtol: z.number().nonnegative(),
  atol: z.number().nonnegative(),
  /** Where the numbers came from, so a report explains itself. */
  source: z.enum(['default', 'cli', 'config', 'oracle-default']),
});
export type Tolerance = z.infer<typeof ToleranceSchema>;

/**
 * Metrics of one output pair, computed in one pass. Relative error is |a-r| / max(|r|, tiny)
 * (Polygraphy's formula, r = reference). `allcloseMismatches` counts elements failing numpy's
 * allclose rule |a-r| <= atol + rtol*|r|. Non-finite values count separately as `nanInfMismatches`.
 */
export const MetricsSchema = z.object({
  elements: z.number().int().nonnegative(),
  maxAbsError: z.number(),
  meanAbsError: z.number(),
  maxRelError: z.number(),
  allcloseMismatches: z.number().int().nonnegative(),
  mismatchFraction: z.number(),
  nanInfMismatches: z.number().int().nonnegative(),
  /** Flat index of the largest absolute error (-1 when none). */
  worstIndex: z.number().int(),
  worstActual: z.union([z.number(), z.string()]).optional(),
  worstReference: z.union([z.number(), z.string()]).optional(),
  /** Whether elements were compared exactly (integers, bool, string). */
  exact: z.boolean(),
});
export type Metrics = z.infer<typeof MetricsSchema>;

export const ComparisonSchema = z.object({
  output: z.string(),
  target: TargetIdSchema,
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
