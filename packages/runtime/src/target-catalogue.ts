import { CrossrtError, parseTargetId, type ParsedTargetId } from '@crossrt/core';

export interface TargetDescriptor extends ParsedTargetId {
  /** Module specifier of the adapter package, imported inside the host process. */
  readonly adapterModule: string;
  readonly description: string;
}

/** Every target crossrt knows how to run. `crossrt targets` prints this list, probed. */
export const TARGET_CATALOGUE: readonly TargetDescriptor[] = [
  { id: 'ort-node:cpu', runtime: 'ort-node', backend: 'cpu', environment: 'node', adapterModule: '@crossrt/runtime-ort-node', description: 'onnxruntime-node, native CPU execution provider' },
  { id: 'ort-web:wasm', runtime: 'ort-web', backend: 'wasm', environment: 'node', adapterModule: '@crossrt/runtime-ort-web', description: 'onnxruntime-web, WebAssembly backend, in Node' },
];

export function findTarget(id: string): TargetDescriptor {
  const parsed = parseTargetId(id);
  const known = TARGET_CATALOGUE.map((t) => t.id).join(', ');
  if (!parsed) throw new CrossrtError('UNKNOWN_TARGET', `"${id}" is not a target id (runtime:backend[@environment])`, `known targets: ${known}`);
  const t = TARGET_CATALOGUE.find((d) => d.id === id);
  if (!t) throw new CrossrtError('UNKNOWN_TARGET', `unknown target "${id}"`, `known targets: ${known}; run \`crossrt targets\``);
  return t;
}

export function parseTargetList(text: string): TargetDescriptor[] {
  const ids = text.split(',').map((s) => s.trim()).filter(Boolean);
  if (ids.length === 0) throw new CrossrtError('USAGE', 'no targets given', 'e.g. --targets ort-node:cpu,ort-web:wasm');
  const dup = ids.find((id, i) => ids.indexOf(id) !== i);
  if (dup) throw new CrossrtError('USAGE', `target ${dup} is listed twice`);
  return ids.map(findTarget);
}
