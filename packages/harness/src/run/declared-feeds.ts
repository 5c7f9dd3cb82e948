import type { HostTensor } from '@crossrt/core';
import type { ModelProto } from '@crossrt/model';

/**
 * The feeds a model declares, out of tensors made for several models (variants, cut or exposed graphs,
 * candidates): a runtime refuses an input the model does not declare.
 */
export function declaredFeeds(
  declared: ReadonlySet<string>,
  tensors: ReadonlyMap<string, HostTensor>,
): Record<string, HostTensor> {
  return Object.fromEntries([...tensors].filter(([name]) => declared.has(name)));
}

/** The names of a model's graph inputs (initializers listed as inputs included). */
export function graphInputNames(proto: ModelProto): Set<string> {
  return new Set((proto.graph?.input ?? []).map((i) => i.name));
}
