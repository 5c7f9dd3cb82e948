/** `runtime:backend[@environment]`, e.g. `ort-node:cpu`, `ort-web:wasm@chromium`. */
export const TARGET_ID_PATTERN = /^([a-z][a-z0-9-]*):([a-z][a-z0-9-]*)(?:@([a-z][a-z0-9-]*))?$/;

export interface ParsedTargetId {
  readonly id: string;
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
