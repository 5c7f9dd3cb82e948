import { z } from 'zod';

/** The index of a golden-output store written by `--save-baseline` (tensors live beside it, gzipped). */
export const BASELINE_SCHEMA_ID = 'crossrt.baseline';

export const BaselineEntrySchema = z.object({
  caseId: z.string(),
  target: z.string(),
  /** Validity facts: a changed model is compared (that is the point of goldens) and noted; changed inputs are not comparable. */
  modelSha256: z.string(),
  inputSha256: z.string(),
  runtimeVersion: z.string(),
  /** Whether the target ran and agreed with its reference when the golden was saved. */
  passed: z.boolean(),
  status: z.string(),
  outputs: z.array(z.object({ name: z.string(), dtype: z.string(), dims: z.array(z.number().int()), sha256: z.string(), file: z.string() })),
});
export type BaselineEntry = z.infer<typeof BaselineEntrySchema>;

export const BaselineIndexSchema = z.object({
  schema: z.literal(BASELINE_SCHEMA_ID),
  version: z.literal(1),
  createdAt: z.string(),
  entries: z.array(BaselineEntrySchema),
});
export type BaselineIndex = z.infer<typeof BaselineIndexSchema>;
