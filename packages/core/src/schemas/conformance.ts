import { z } from 'zod';
import { TargetIdSchema } from './target.js';

/**
 * One (case, target) cell of a conformance matrix over ONNX backend test cases:
 * `pass` every expected output matched; `mismatch` an output differed (values, shape, dtype, NaN/Inf or
 * missing); `load-error` the target (or crossrt) could not load the model; `run-error` it loaded but
 * failed, crashed or timed out while running; `skipped` not run, with the reason (non-tensor IO,
 * unavailable target).
 */
export const ConformanceCellSchema = z.enum(['pass', 'mismatch', 'load-error', 'run-error', 'skipped']);
export type ConformanceCell = z.infer<typeof ConformanceCellSchema>;

export const KnownFailureEntrySchema = z.object({
  /** A case name (`test_abs`), optionally with its suite (`node/test_abs`); `*` and `?` globs allowed. */
  case: z.string().min(1),
  /** Why it fails, in one line: the upstream issue, the missing kernel, the precision gap. */
  reason: z.string().min(1),
  /** The cell seen when the entry was written; informational (a different failure still counts as known). */
  cell: ConformanceCellSchema.exclude(['pass', 'skipped']).optional(),
}).strict();
export type KnownFailureEntry = z.infer<typeof KnownFailureEntrySchema>;

/**
 * A known-failures file (JSON, `//` comments allowed): one per target, like onnxruntime's backend test
 * filters. A listed case failing on that target does not fail the run; a listed case that passes is
 * reported so the entry can be removed.
 */
export const KnownFailuresFileSchema = z.object({
  target: TargetIdSchema,
  description: z.string().optional(),
  failures: z.array(KnownFailureEntrySchema),
}).strict();
export type KnownFailuresFile = z.infer<typeof KnownFailuresFileSchema>;
