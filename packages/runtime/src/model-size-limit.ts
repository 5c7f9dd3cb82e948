import { CrossrtError } from '@crossrt/core/base';
import type { TargetDescriptor } from './target-catalogue.js';

/**
 * onnxruntime-web's published builds are wasm32: one WebAssembly.Memory of at most 65536 pages
 * (4 GiB; `maximum:65536` in ort-wasm-simd-threaded.mjs, 1.30). The graph bytes are copied into that
 * memory to create the session, and every initializer becomes a tensor in it (external data is handed
 * over as bytes and copied per tensor), so the model's total size must fit beside the engine's own
 * memory. Measured with onnxruntime-web 1.30 in Node, a Gather graph over sparse external data:
 * 2.25, 3.0, 3.5, 3.75, 3.94 GiB and 4 GiB − 32 MiB (4064 MiB) all load and run; beyond 4 GiB nothing can.
 * The 64-bit (Memory64) build that would lift this is not published on npm (onnxruntime #17151, #18535).
 */
export const ORT_WEB_WASM32_MEMORY_BYTES = 4 * 1024 ** 3;
/** What the engine itself keeps in that memory before a model arrives (code data, stack, allocator): under 32 MiB as measured. */
export const ORT_WEB_ENGINE_RESERVE_BYTES = 32 * 1024 ** 2;

/** The most model bytes (graph + external data) a target can hold, and why; undefined when crossrt knows no limit. */
export function modelBytesLimit(
  target: Pick<TargetDescriptor, 'runtime' | 'backend'>,
): { readonly bytes: number; readonly why: string } | undefined {
  // WebGL is onnxruntime-web's JavaScript engine: no wasm memory holds its weights.
  if (target.runtime !== 'ort-web' || target.backend === 'webgl') return undefined;
  return {
    bytes: ORT_WEB_WASM32_MEMORY_BYTES - ORT_WEB_ENGINE_RESERVE_BYTES,
    why: `onnxruntime-web's wasm32 build has one 4 GiB WebAssembly memory, which must hold the graph and every weight besides the engine's own ${ORT_WEB_ENGINE_RESERVE_BYTES / 1024 ** 2} MiB`,
  };
}

/**
 * MODEL_TOO_LARGE_FOR_TARGET when `modelBytes` (graph file plus external data) cannot fit the target,
 * decided before anything is read or loaded; undefined when it may fit.
 */
export function modelSizeRefusal(
  target: Pick<TargetDescriptor, 'id' | 'runtime' | 'backend'>,
  modelBytes: number,
): CrossrtError | undefined {
  const limit = modelBytesLimit(target);
  if (!limit || modelBytes <= limit.bytes) return undefined;
  return new CrossrtError(
    'MODEL_TOO_LARGE_FOR_TARGET',
    `${target.id} cannot load this model: it is ${formatMiB(modelBytes)} (graph + external data), over the ${formatMiB(limit.bytes)} that fit: ${limit.why}`,
    "run it on ort-node:cpu (native memory, external data read in place), or make it smaller (fp16 or int8 weights); onnxruntime-web's 64-bit build is not on npm",
  );
}

function formatMiB(bytes: number): string {
  return `${(bytes / 1024 ** 2).toFixed(0)} MiB`;
}
