import { z } from 'zod';
import { TARGET_ID_PATTERN } from '../target-id.js';

export { TARGET_ID_PATTERN, parseTargetId, type ParsedTargetId } from '../target-id.js';

export const TargetIdSchema = z.string().regex(TARGET_ID_PATTERN, 'target id must look like runtime:backend[@environment]');
export type TargetId = z.infer<typeof TargetIdSchema>;

export const AvailabilitySchema = z.object({
  target: TargetIdSchema,
  available: z.boolean(),
  /** Why not, when unavailable; what was found, when available. */
  reason: z.string(),
  runtimeVersion: z.string().optional(),
});
export type Availability = z.infer<typeof AvailabilitySchema>;
