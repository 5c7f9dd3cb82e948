import { z } from 'zod';
import { TARGET_ID_PATTERN } from '../target-id.js';

export { TARGET_ID_PATTERN, parseTargetId, type ParsedTargetId } from '../target-id.js';

export const TargetIdSchema = z.string().regex(TARGET_ID_PATTERN, 'target id must look like runtime:backend[@environment]');
export type TargetId = z.infer<typeof TargetIdSchema>;

/**
 * What a runtime adapter's `probe()` answers (the `Runtime` contract in @crossrt/runtime): never
 * thrown, a reason either way.
 */
export const ProbeResultSchema = z.object({
  available: z.boolean(),
  /** Why not, when unavailable; what was found, when available. */
  reason: z.string(),
  runtimeVersion: z.string().optional(),
});
export type ProbeResult = Readonly<z.infer<typeof ProbeResultSchema>>;

/** One target's probe, named: a row of `crossrt targets`. */
export const AvailabilitySchema = z.object({ target: TargetIdSchema, ...ProbeResultSchema.shape });
export type Availability = z.infer<typeof AvailabilitySchema>;
