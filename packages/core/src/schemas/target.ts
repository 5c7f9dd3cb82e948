import { z } from 'zod';

/** `runtime:backend[@environment]`, e.g. `ort-node:cpu`, `ort-web:wasm@chromium`. */
export const TARGET_ID_PATTERN = /^([a-z][a-z0-9-]*):([a-z][a-z0-9-]*)(?:@([a-z][a-z0-9-]*))?$/;

export const TargetIdSchema = z.string().regex(TARGET_ID_PATTERN, 'target id must look like runtime:backend[@environment]');
export type TargetId = z.infer<typeof TargetIdSchema>;

export interface ParsedTargetId {
  readonly id: TargetId;
  readonly runtime: string;
  readonly backend: string;
  /** `node` when absent: the target runs in a Node host process. */
  readonly environment: string;
}

export function parseTargetId(id: string): ParsedTargetId | undefined {
  const m = TARGET_ID_PATTERN.exec(id);
  if (!m) return undefined;
  return { id, runtime: m[1]!, backend: m[2]!, environment: m[3] ?? 'node' };
}

export const AvailabilitySchema = z.object({
  target: TargetIdSchema,
  available: z.boolean(),
  /** Why not, when unavailable; what was found, when available. */
  reason: z.string(),
  runtimeVersion: z.string().optional(),
});
export type Availability = z.infer<typeof AvailabilitySchema>;
